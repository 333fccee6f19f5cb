"""The admin's triggers page in Chromium: a trigger made entirely in the form (rules as rows, a
variant), a server error shown next to its field, the live teaser preview, "Test" on a made-up
visit, then a shopper on the demo shop gets that invitation; disabling it from the list."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from playwright.async_api import Browser, expect

from tests.conftest import ALICE
from tests.e2e.conftest import open_console, shot
from tests.e2e.test_widget_invitations import ADMIN, rest, shopper
from tests.support import Server, agent

pytestmark = pytest.mark.browser

MESSAGE = "Hej! Spørgsmål til cyklerne?"
OTHER = "Vil du have hjælp til at vælge en cykel?"


async def test_an_admin_makes_a_trigger_in_the_page_and_a_shopper_gets_it(
    server: Server, browser: Browser
) -> None:
    alice, _ = await agent(server, *ALICE)  # someone who can answer
    admin = await open_console(browser, server, *ADMIN)
    await expect(admin.locator("[data-testid=triggers-link]")).to_be_visible()
    await admin.click("[data-testid=triggers-link]")
    await expect(admin).to_have_url(f"{server.base}/console/triggers")
    await admin.click("[data-testid=trigger-new]")
    editor = admin.locator("[data-testid=trigger-editor]")
    await expect(editor).to_be_visible()

    await admin.fill("[data-testid=trigger-name]", "Bikes, in Danish")
    first = admin.locator("[data-testid=rule-row]").nth(0)
    await first.locator("[data-testid=rule-field]").select_option("url")
    await first.locator("[data-testid=rule-op]").select_option("contains")
    await first.locator("[data-testid=rule-value]").fill("/demo")
    await admin.click("[data-testid=rule-add]")
    second = admin.locator("[data-testid=rule-row]").nth(1)
    await second.locator("[data-testid=rule-field]").select_option("time_on_page_s")
    # Only the operators the field takes are offered.
    ops = await second.locator("[data-testid=rule-op] option").evaluate_all(
        "os => os.map(o => o.value)"
    )
    assert ops == ["gte", "lte"]
    await second.locator("[data-testid=rule-value]").fill("1")
    await admin.click("[data-testid=rule-add]")
    third = admin.locator("[data-testid=rule-row]").nth(2)
    await third.locator("[data-testid=rule-field]").select_option("language")
    await third.locator("[data-testid=rule-value]").fill("da")
    await admin.fill("[data-testid=trigger-excludes]", "*/checkout*")

    variant = admin.locator("[data-testid=variant-row]").nth(0)
    await variant.locator("[data-testid=variant-message]").fill(MESSAGE)
    # The preview is the widget's own teaser, with the new text.
    preview = admin.locator("[data-testid=teaser-preview] [data-testid=preview-message]")
    await expect(preview).to_have_text(MESSAGE)
    await expect(admin.locator("[data-testid=teaser-preview] .teaser__name")).to_have_text(
        "Parley Admin"
    )
    teaser = admin.locator("[data-testid=teaser-preview] .teaser")
    await teaser.evaluate("(e) => Promise.all(e.getAnimations().map((a) => a.finished))")
    box = await teaser.bounding_box()
    stage = await admin.locator("[data-testid=teaser-preview]").bounding_box()
    assert box is not None
    assert stage is not None
    assert box["width"] > 100  # styled by the widget's stylesheet, not a bare span
    # Drawn inside the preview's frame, above where the bubble would be.
    assert stage["x"] <= box["x"]
    assert box["x"] + box["width"] <= stage["x"] + stage["width"]
    assert stage["y"] <= box["y"]
    assert box["y"] + box["height"] <= stage["y"] + stage["height"]
    await admin.locator("[data-testid=teaser-preview]").scroll_into_view_if_needed()
    await shot(admin, "triggers-preview")

    # A weight of 0 is refused by the server; the message shows next to the variant.
    await variant.locator("[data-testid=variant-weight]").fill("0")
    await admin.click("[data-testid=trigger-save]")
    error = variant.locator(".field-error")
    await expect(error).to_be_visible()
    await expect(error).to_contain_text("weight")
    await variant.locator("[data-testid=variant-weight]").fill("1")
    # A second text makes an A/B test; the preview shows the variant chosen.
    await admin.click("[data-testid=variant-add]")
    other = admin.locator("[data-testid=variant-row]").nth(1)
    await expect(other.locator("[data-testid=variant-id]")).to_have_value("b")
    await other.locator("[data-testid=variant-message]").fill(OTHER)
    await other.locator("[data-testid=variant-weight]").fill("3")
    await expect(preview).to_have_text(OTHER)
    await admin.select_option("[data-testid=preview-variant]", "0")
    await expect(preview).to_have_text(MESSAGE)

    # Test on a made-up visit: on the demo shop for 30 s, in Danish, it would invite.
    await admin.fill("[data-testid=test-url]", f"{server.base}/demo")
    await admin.fill("[data-testid=test-language]", "da")
    await admin.click("[data-testid=trigger-test]")
    verdict = admin.locator("[data-testid=test-verdict]")
    await expect(verdict).to_have_text("Would invite now.")
    await admin.fill("[data-testid=test-time-on-page]", "0")
    await admin.fill("[data-testid=test-language]", "en")
    await admin.click("[data-testid=trigger-test]")
    await expect(verdict).to_have_text("Would not invite now.")
    await expect(admin.locator("[data-testid=test-reasons]")).to_contain_text(
        "the rules do not hold for this visit"
    )
    await expect(admin.locator("[data-testid=test-rules]")).to_contain_text(
        "holds after 1 s on the page"
    )
    await shot(admin, "triggers-page")

    await admin.click("[data-testid=trigger-save]")
    await expect(editor).to_be_hidden()
    row = admin.locator("[data-testid=trigger-row]", has_text="Bikes, in Danish")
    await expect(row).to_contain_text("Enabled")
    listed = (await rest(server, "GET", "/triggers")).json()["items"]
    (made,) = [t for t in listed if t["name"] == "Bikes, in Danish"]
    assert made["conditions"] == {
        "match": "all",
        "rules": [
            {"field": "url", "op": "contains", "value": "/demo"},
            {"field": "time_on_page_s", "op": "gte", "value": 1},
            {"field": "language", "op": "equals", "value": "da"},
        ],
    }
    assert made["exclude_urls"] == ["*/checkout*"]
    assert [(v["id"], v["message"], v["weight"]) for v in made["variants"]] == [
        ("a", MESSAGE, 1),
        ("b", OTHER, 3),
    ]

    # A Danish shopper on the demo shop gets it, drawn as previewed.
    context, page, tap = await shopper(browser)
    await page.goto(f"{server.base}/demo")
    teaser = page.locator("[data-testid=parley-teaser]")
    await expect(teaser).to_be_visible(timeout=10_000)
    (frame,) = tap.all("invitation")
    texts = {"a": MESSAGE, "b": OTHER}
    await expect(teaser.locator("[data-testid=parley-teaser-message]")).to_have_text(
        texts[frame["variant_id"]]
    )

    stored: dict[str, Any] = {}
    for _ in range(50):  # the widget reports the teaser on screen
        stored = (await rest(server, "GET", f"/triggers/{made['id']}")).json()
        if stored["invitations"]["shown"] == 1:
            break
        await asyncio.sleep(0.2)
    assert stored["invitations"] == {"fired": 1, "shown": 1, "accepted": 0, "dismissed": 0}
    shown_per_variant = {v["id"]: v["invitations"]["shown"] for v in stored["variants"]}
    assert shown_per_variant == {"a": 0, "b": 0} | {frame["variant_id"]: 1}

    # The dashboard's per-trigger table has a row per variant under the trigger.
    dashboard = await admin.context.new_page()
    await dashboard.goto(f"{server.base}/console/dashboard")
    rows = dashboard.locator(f"[data-testid=trigger-kpis] tr[data-trigger='{made['id']}']")
    await expect(rows).to_have_count(3)
    chosen = rows.locator(f"xpath=self::*[@data-variant='{frame['variant_id']}']")
    await expect(chosen).to_contain_text(texts[frame["variant_id"]])
    await expect(chosen.locator("td").nth(1)).to_have_text("1")  # fired
    await expect(chosen.locator("td").nth(2)).to_have_text("1")  # shown
    await dashboard.close()

    # Disabled from the list.
    await row.locator("[data-testid=trigger-toggle]").click()
    await expect(row.locator("[data-testid=trigger-state]")).to_have_text("Disabled")
    assert (await rest(server, "GET", f"/triggers/{made['id']}")).json()["enabled"] is False
    await context.close()
    await admin.context.close()
    await alice.close()
