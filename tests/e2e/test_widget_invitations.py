"""Proactive invitations as a shopper sees them in Chromium: the teaser above the bubble on the
demo shop, dismissed with its close button (and none after it), taken up by a click (the chat
it starts is counted as accepted in the KPIs), and reached and dismissed with the keyboard."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, WebSocketRoute, expect

from tests.conftest import ALICE, SAM
from tests.e2e.conftest import fill_prechat, open_console, shot
from tests.support import Server, agent, eventually

pytestmark = pytest.mark.browser

ADMIN = ("admin@demo.parley", "admin-demo")
MESSAGE = "Spørgsmål om vores cykler?"
VISITOR_SOCKET = re.compile(r".*/ws/visitor.*")


class Tap:
    """Sees every frame the server sends the page's visitor socket, and can fence it: a `ping`
    of ours is answered only after every frame the server had for this socket before it."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.server: WebSocketRoute | None = None

    def route(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            self.frames.append(json.loads(message))
            ws.send(message)

        server.on_message(from_server)
        self.server = server

    def all(self, type_: str) -> list[dict[str, Any]]:
        return [f for f in self.frames if f.get("type") == type_]

    async def fence(self) -> None:
        assert self.server is not None
        pongs = len(self.all("pong"))
        self.server.send(json.dumps({"type": "ping"}))
        await eventually(lambda: len(self.all("pong")) > pongs, what="our pong")


async def rest(server: Server, method: str, path: str, **kwargs: Any) -> httpx.Response:
    def call() -> httpx.Response:
        token = server.login(*ADMIN)
        return httpx.request(
            method,
            f"{server.base}/api/v1{path}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
            **kwargs,
        )

    return await asyncio.to_thread(call)


async def add_trigger(server: Server, **changes: Any) -> dict[str, Any]:
    """One second on the demo shop, for visitors whose browser speaks Danish."""
    r = await rest(
        server,
        "POST",
        "/triggers",
        json=changes
        | {
            "name": "Demo shop, 1 s",
            "conditions": {
                "match": "all",
                "rules": [
                    {"field": "url", "op": "contains", "value": "/demo"},
                    {"field": "time_on_page_s", "op": "gte", "value": 1},
                    {"field": "language", "op": "equals", "value": "da"},
                ],
            },
            "message": MESSAGE,
        },
    )
    assert r.status_code == 201, r.text
    trigger: dict[str, Any] = r.json()
    return trigger


async def kpis(server: Server, group_by: str | None = None) -> dict[str, Any]:
    r = await rest(server, "GET", "/kpis" + (f"?group_by={group_by}" if group_by else ""))
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


async def shopper(browser: Browser, **options: Any) -> tuple[BrowserContext, Page, Tap]:
    context = await browser.new_context(
        locale="da-DK", viewport={"width": 1280, "height": 800}, **options
    )
    page = await context.new_page()
    tap = Tap()
    await page.route_web_socket(VISITOR_SOCKET, tap.route)
    return context, page, tap


async def test_the_teaser_is_dismissed_or_taken_up_and_the_kpis_count_it(
    server: Server, browser: Browser
) -> None:
    alice, _ = await agent(server, *ALICE)  # someone who can answer
    trigger = await add_trigger(server)

    first, page, tap = await shopper(browser)
    await page.goto(f"{server.base}/demo")
    teaser = page.locator("[data-testid=parley-teaser]")
    await expect(teaser).to_be_visible(timeout=10_000)
    await expect(teaser.locator("[data-testid=parley-teaser-message]")).to_have_text(MESSAGE)
    await expect(teaser).to_contain_text("Alice Berg")  # who would answer
    await shot(page, "invitation-teaser")
    # A teaser, not the panel: the panel's code is not even on the page.
    await expect(page.locator("[data-testid=parley-panel]")).to_have_count(0)
    assert await page.evaluate("document.querySelectorAll('script[src*=\"panel.js\"]').length") == 0

    await page.click("[data-testid=parley-teaser-close]")
    await expect(teaser).to_be_hidden()
    await eventually(lambda: bool(tap.all("invitation.dismissed")), what="the dismissal")
    # Another page of the same visit; a second visitor comes after it. Timers run in due order:
    # by the time the second one is invited, an invitation to the first would have been sent.
    await page.evaluate("history.pushState({}, '', '/demo?page=2')")
    second, other, _ = await shopper(browser)
    await other.goto(f"{server.base}/demo")
    other_teaser = other.locator("[data-testid=parley-teaser]")
    await expect(other_teaser).to_be_visible(timeout=10_000)
    await tap.fence()
    assert len(tap.all("invitation")) == 1
    await expect(teaser).to_be_hidden()

    # The second visitor takes it up: the panel opens and the chat started carries it.
    await other.click("[data-testid=parley-teaser-open]")
    await expect(other.locator("[data-testid=parley-panel]")).to_be_visible()
    await expect(other_teaser).to_be_hidden()
    await fill_prechat(other, "Maja", "Har I el-cykler?")
    await alice.expect("chat.assigned", timeout=10)

    # Both teasers were on screen: the widget reported each as shown.
    expected = {"fired": 2, "shown": 2, "accepted": 1, "dismissed": 1, "chats": 1, "by_hand": 0}
    latest: dict[str, Any] = {}

    async def counted() -> bool:
        nonlocal latest
        latest = await kpis(server)
        return bool(latest["totals"]["invitations"] == expected)

    for _ in range(50):
        if await counted():
            break
        await asyncio.sleep(0.2)
    assert latest["totals"]["invitations"] == expected
    by_trigger = {g["key"]: g for g in (await kpis(server, "trigger"))["groups"]}
    assert by_trigger[trigger["id"]]["label"] == "Demo shop, 1 s"
    assert by_trigger[trigger["id"]]["invitations"] == expected
    assert by_trigger[trigger["id"]]["chats"] == 1

    # The supervisor's dashboard shows the funnel and the trigger's row.
    sam = await open_console(browser, server, *SAM)
    await sam.goto(f"{server.base}/console/dashboard")
    funnel = sam.locator("[data-testid=invitation-funnel]")
    for step, count in (("fired", "2"), ("shown", "2"), ("accepted", "1"), ("chats", "1")):
        await expect(funnel.locator(f"li[data-step={step}]")).to_have_attribute("data-count", count)
    await expect(sam.locator("[data-testid=funnel-note]")).to_have_text("1 dismissed (50%).")
    row = sam.locator(f"[data-testid=trigger-kpis] tr[data-trigger='{trigger['id']}']")
    await expect(row).to_contain_text("Demo shop, 1 s")
    await expect(sam.locator("[data-kpi=assisted]")).to_have_text("0")
    await shot(sam, "dashboard-invitations")
    await sam.context.close()
    await first.close()
    await second.close()
    await alice.close()


async def test_the_teaser_is_reached_and_dismissed_with_the_keyboard(
    server: Server, browser: Browser
) -> None:
    alice, _ = await agent(server, *ALICE)
    await add_trigger(server)
    context, page, tap = await shopper(browser, reduced_motion="reduce")
    await page.goto(f"{server.base}/demo")
    # The same visitor in a second tab: the invitation reaches both, and goes from both.
    other_tab = await context.new_page()
    await other_tab.goto(f"{server.base}/demo")
    teaser = page.locator("[data-testid=parley-teaser]")
    await expect(teaser).to_be_visible(timeout=10_000)
    await expect(other_tab.locator("[data-testid=parley-teaser]")).to_be_visible()
    # Announced politely, without taking the focus; no motion for those who asked for none.
    status = page.locator("#parley-widget [role=status]")
    await expect(status).to_have_attribute("aria-live", "polite")
    await expect(status).to_contain_text(MESSAGE)
    assert await teaser.evaluate("el => getComputedStyle(el).animationName") == "none"
    assert await page.evaluate("document.activeElement === document.body")

    focused = ""
    for _ in range(60):  # through the shop's own links first
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            "(() => { const r = document.getElementById('parley-widget').shadowRoot;"
            " const a = r && r.activeElement; return a ? a.dataset.testid || '' : ''; })()"
        )
        if focused.startswith("parley-"):
            break
    assert focused == "parley-teaser-open"
    await page.keyboard.press("Escape")
    await expect(teaser).to_be_hidden()
    await expect(other_tab.locator("[data-testid=parley-teaser]")).to_be_hidden()
    await eventually(lambda: bool(tap.all("invitation.dismissed")), what="the dismissal")
    # The focus goes to the bubble, not lost on the page.
    assert await page.evaluate(
        "document.getElementById('parley-widget').shadowRoot.activeElement.dataset.testid"
    ) == ("parley-bubble")
    # Shown in two tabs, counted once.
    expected = {"fired": 1, "shown": 1, "accepted": 0, "dismissed": 1, "chats": 0, "by_hand": 0}
    totals: dict[str, Any] = {}
    for _ in range(50):
        totals = (await kpis(server))["totals"]
        if totals["invitations"] == expected:
            break
        await asyncio.sleep(0.2)
    assert totals["invitations"] == expected
    await context.close()
    await alice.close()


async def test_an_invitation_that_opens_the_panel_counts_the_chat_started_from_it(
    server: Server, browser: Browser
) -> None:
    alice, _ = await agent(server, *ALICE)
    await add_trigger(server, open_panel=True)
    context, page, _ = await shopper(browser)
    await page.goto(f"{server.base}/demo")
    await expect(page.locator("[data-testid=parley-panel]")).to_be_visible(timeout=10_000)
    await expect(page.locator("[data-testid=parley-teaser]")).to_be_hidden()
    await fill_prechat(page, "Jens", "Hvilket batteri passer?")
    await alice.expect("chat.assigned", timeout=10)
    expected = {"fired": 1, "shown": 1, "accepted": 1, "dismissed": 0, "chats": 1, "by_hand": 0}
    totals: dict[str, Any] = {}
    for _ in range(50):
        totals = (await kpis(server))["totals"]
        if totals["invitations"] == expected:
            break
        await asyncio.sleep(0.2)
    assert totals["invitations"] == expected
    await context.close()
    await alice.close()
