"""Accessibility of the admin page, the first-run page and the supervisor view (issue 16): axe
finds no critical or serious violation on any admin section, on the setup page or on the
supervisor view monitoring a live chat; the admin forms work from the keyboard (every control
has a label, focus is visible, a refusal lands beside its field); the pages speak the language
chosen in the console. Each admin section is saved as a 1280x800 screenshot."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Browser, expect

from tests.conftest import ALICE, SAM
from tests.e2e.axe import describe, severe_violations
from tests.e2e.conftest import open_console, open_shop_chat, shot
from tests.e2e.test_admin_browser import ADMIN, admin_page, fresh  # noqa: F401 (fixture)
from tests.e2e.test_console_browser import status_taken
from tests.support import Server

pytestmark = pytest.mark.browser

SECTIONS = [
    "sites",
    "agents",
    "skills",
    "replies",
    "routing",
    "hours",
    "triggers",
    "webhooks",
    "privacy",
    "api-tokens",
]

# Every form control of the admin page without a name a screen reader can read out.
UNLABELLED = """() => [...document.querySelectorAll(
    "[data-testid=admin-main] :is(input, select, textarea)")]
  .filter((c) => c.type !== "hidden" && c.offsetParent !== null)
  .filter((c) => !(c.labels && c.labels.length))
  .filter((c) => !c.getAttribute("aria-label") && !c.getAttribute("aria-labelledby"))
  .map((c) => c.name || c.outerHTML.slice(0, 80))"""


def report(where: str, violations: list[dict[str, Any]]) -> str:
    return f"{where}:\n{describe(violations)}"


async def test_every_admin_section_passes_axe_and_is_saved_as_a_screenshot(
    server: Server, browser: Browser
) -> None:
    page = await open_console(browser, server, *ADMIN)
    found: dict[str, list[dict[str, Any]]] = {}
    for section in SECTIONS:
        await admin_page(page, server, section)
        await expect(page.locator("[data-testid=admin-nav] [aria-current=true]")).to_have_attribute(
            "data-section", section
        )
        assert await page.evaluate(UNLABELLED) == [], section
        violations = await severe_violations(page)
        if violations:
            found[section] = violations
        await shot(page, f"admin-{section}")
    assert not found, "\n".join(report(s, v) for s, v in found.items())


async def test_admin_forms_work_from_the_keyboard_with_the_refusal_beside_the_field(
    server: Server, browser: Browser
) -> None:
    page = await open_console(browser, server, *ADMIN)
    await admin_page(page, server, "agents")
    name = page.locator("[data-testid=new-agent-form] [data-testid=field-name]")
    # Tab from the section's navigation link reaches the first field of the form.
    await page.focus("[data-testid=admin-nav-agents]")
    for _ in range(10):
        await page.keyboard.press("Tab")
        if await name.evaluate("(n) => n === document.activeElement"):
            break
    await expect(name).to_be_focused()
    # The focus ring is drawn (not the browser's default removed by a style).
    outline = await name.evaluate("(n) => getComputedStyle(n).outlineStyle")
    assert outline != "none"
    await page.keyboard.type("Dora")
    await page.keyboard.press("Tab")
    await page.keyboard.type("dora@demo.parley")
    await page.keyboard.press("Tab")
    await page.keyboard.type("short")
    await page.keyboard.press("Enter")  # submits the form
    password = page.locator("[data-testid=new-agent-form] [data-testid=field-password]")
    said = page.locator("[data-testid=new-agent-form] [data-testid=error-password]")
    await expect(said).to_be_visible()
    await expect(password).to_be_focused()  # the refusal brings the keyboard to its field
    # The message is read out with the field (aria-describedby).
    described = await password.get_attribute("aria-describedby")
    assert described
    assert await said.get_attribute("id") == described
    await shot(page, "admin-keyboard-error")


async def test_the_admin_page_speaks_the_chosen_language(server: Server, browser: Browser) -> None:
    page = await open_console(browser, server, *ADMIN)
    await page.select_option("[data-testid=console-language]", "de")
    await expect(page.locator("html")).to_have_attribute("lang", "de")
    await admin_page(page, server, "hours")
    await expect(page.locator("[data-testid=admin-nav-hours]")).to_have_text("Öffnungszeiten")
    await expect(page.locator("[data-testid=admin-main] h1")).to_have_text("Öffnungszeiten")
    # Weekdays in German, from the browser's own calendar.
    await expect(page.locator("[data-testid=hours-form]")).to_contain_text("Montag")
    await expect(page.locator("[data-testid=hours-form-submit]")).to_have_text("Speichern")
    assert await severe_violations(page) == []
    await shot(page, "admin-hours-de")


async def test_office_hours_refusals_show_beside_the_day(server: Server, browser: Browser) -> None:
    page = await open_console(browser, server, *ADMIN)
    await admin_page(page, server, "hours")
    form = page.locator("[data-testid=hours-form]")
    await form.locator("[data-testid=field-use_hours]").check()
    await form.locator("[data-testid=field-office_hours-weekly-tue]").fill("17:00-09:00")
    await page.click("[data-testid=hours-form-submit]")
    await expect(form.locator("[data-testid=error-office_hours-weekly-tue]")).to_be_visible()
    await expect(form.locator("[data-testid=error-office_hours-weekly-mon]")).to_be_hidden()
    # Fixed, it is saved, and the site now has those hours.
    await form.locator("[data-testid=field-office_hours-weekly-tue]").fill(
        "09:00-12:00, 13:00-17:00"
    )
    await page.click("[data-testid=hours-form-submit]")
    await expect(form.locator(".form-status")).to_have_text("Saved.")
    await admin_page(page, server, "sites")
    await admin_page(page, server, "hours")
    await expect(
        page.locator("[data-testid=hours-form] [data-testid=field-office_hours-weekly-tue]")
    ).to_have_value("09:00-12:00, 13:00-17:00")


async def test_the_setup_page_passes_axe(fresh: Server, browser: Browser) -> None:  # noqa: F811
    page = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
    await page.goto(f"{fresh.base}/console")
    await expect(page.locator("[data-testid=setup]")).to_be_visible()
    violations = await severe_violations(page)
    assert not violations, report("setup", violations)
    await shot(page, "setup")


async def test_the_supervisor_view_with_a_live_chat_passes_axe(
    server: Server, browser: Browser
) -> None:
    await open_console(browser, server, *ALICE)
    supervisor = await open_console(browser, server, *SAM)
    await supervisor.select_option("[data-testid=status-select]", "away")
    await status_taken(server, SAM, "away")
    await supervisor.goto(f"{server.base}/console/supervisor")
    await expect(supervisor.locator("[data-testid=connection]")).to_have_text("Connected")
    await open_shop_chat(browser, server, "Jonas", "Do you ship to Iceland?")
    row = supervisor.locator("[data-testid=chat-row]")
    await expect(row).to_contain_text("Alice Berg")
    # A chat being answered says so; nothing on its row says it waits.
    await expect(row.locator("[data-testid=chat-state]")).to_have_text("being answered")
    await expect(row).not_to_contain_text("waiting")
    await expect(supervisor.locator("[data-tile=active]")).to_have_text("1")
    # Opened from the keyboard: Tab to the visitor's name, Enter.
    await row.locator("button").focus()
    await supervisor.keyboard.press("Enter")
    monitor = supervisor.locator("[data-testid=monitor]")
    await expect(monitor.locator("[data-testid=message-body]")).to_have_text(
        ["Do you ship to Iceland?"]
    )
    # The team card is whole: its table is not cut off by its card.
    clipped = await supervisor.evaluate(
        """() => { const t = document.querySelector("[data-testid=agent-grid]");
                   const card = t.closest("section").getBoundingClientRect();
                   return t.getBoundingClientRect().bottom > card.bottom + 1; }"""
    )
    assert not clipped
    violations = await severe_violations(supervisor)
    assert not violations, report("supervisor", violations)
    await supervisor.evaluate("window.scrollTo(0, 0)")
    await shot(supervisor, "supervisor-view")


async def test_webhooks_privacy_and_triggers_are_reached_from_the_admin_page(
    server: Server, browser: Browser
) -> None:
    page = await open_console(browser, server, *ADMIN)
    await admin_page(page, server, "webhooks")
    await page.click("[data-testid=admin-webhooks-open]")
    await expect(page.locator("[data-testid=webhooks-dialog]")).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(page.locator("[data-testid=webhooks-dialog]")).to_be_hidden()

    await admin_page(page, server, "privacy")
    form = page.locator("[data-testid=retention-admin-form]")
    await form.locator("[data-testid=field-days]").fill("0")
    await page.click("[data-testid=retention-admin-form-submit]")
    await expect(form.locator("[data-testid=error-days]")).to_be_visible()
    await form.locator("[data-testid=field-days]").fill("90")
    await page.click("[data-testid=retention-admin-form-submit]")
    await expect(page.locator("[data-testid=admin-retention-now]")).to_contain_text("90 days")
    await page.click("[data-testid=admin-audit-open]")
    await expect(page.locator("[data-testid=privacy-dialog]")).to_be_visible()
    await expect(page.locator("[data-testid=audit-log]")).to_contain_text("retention")

    await admin_page(page, server, "triggers")
    await expect(page.locator("[data-testid=admin-triggers-open]")).to_have_attribute(
        "href", "/console/triggers"
    )
