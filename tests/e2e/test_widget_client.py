"""The bundled widget's public API and its shared client's 4401 handling, in headless Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Request, WebSocketRoute, expect

from tests.conftest import ALICE
from tests.e2e.conftest import fill_prechat, open_console
from tests.support import Server

pytestmark = pytest.mark.browser


async def test_window_parley_opens_closes_and_toggles_the_panel(
    server: Server, browser: Browser
) -> None:
    shop = await (await browser.new_context()).new_page()
    await shop.goto(f"{server.base}/demo")
    bubble = shop.locator("[data-testid=parley-bubble]")
    panel = shop.locator("[data-testid=parley-panel]")
    await expect(bubble).to_be_visible()
    assert await shop.evaluate("window.Parley.version") == "1"

    await shop.evaluate("window.Parley.open()")
    await expect(panel).to_be_visible()
    await expect(bubble).to_have_attribute("aria-expanded", "true")
    await shop.evaluate("window.Parley.close()")
    await expect(panel).to_be_hidden()
    await shop.evaluate("window.Parley.toggle()")
    await expect(panel).to_be_visible()
    await shop.evaluate("window.Parley.toggle()")
    await expect(panel).to_be_hidden()
    # The stylesheet is inlined into the one script (the server fills in the build's token).
    assert (
        await shop.evaluate(
            "document.getElementById('parley-widget').shadowRoot.querySelector('style')"
            ".textContent.length"
        )
        > 1000
    )


class Refuser:
    """Closes the visitor's first `refusals` sockets with 4401, as a server refusing the token."""

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.attempts = 0

    async def route(self, ws: WebSocketRoute) -> None:
        self.attempts += 1
        if self.attempts <= self.refusals:
            await ws.close(code=4401, reason="bad token")
            return
        ws.connect_to_server()


async def test_a_refused_visitor_gets_a_fresh_identity_once_and_chats(
    server: Server, browser: Browser
) -> None:
    shop = await (await browser.new_context()).new_page()
    sessions: list[Request] = []
    shop.on(
        "request",
        lambda r: sessions.append(r) if r.url.endswith("/api/v1/widget/session") else None,
    )
    refuser = Refuser(refusals=1)
    await shop.route_web_socket(re.compile(r".*/ws/visitor.*"), refuser.route)
    await shop.goto(f"{server.base}/demo")
    await shop.click("[data-testid=parley-bubble]")
    await fill_prechat(shop, "Mia", "Do you ship to Norway?")

    mine = shop.locator("[data-testid=message][data-author-type=visitor]")
    await expect(mine).to_have_count(1)
    await expect(mine.and_(shop.locator("[data-seq]"))).to_have_count(1, timeout=15_000)
    assert refuser.attempts == 2
    assert len(sessions) == 2  # the page's session, and one fresh identity after the 4401
    console = await open_console(browser, server, *ALICE)
    await console.locator("[data-testid=chat-item]").click()
    theirs = console.locator("[data-testid=message][data-author-type=visitor]")
    await expect(theirs.locator("[data-testid=message-body]")).to_have_text(
        ["Do you ship to Norway?"]
    )


async def test_a_visitor_refused_twice_is_told_chat_is_unavailable(
    server: Server, browser: Browser
) -> None:
    shop = await (await browser.new_context()).new_page()
    refuser = Refuser(refusals=1000)
    await shop.route_web_socket(re.compile(r".*/ws/visitor.*"), refuser.route)
    await shop.goto(f"{server.base}/demo")
    await shop.click("[data-testid=parley-bubble]")
    await fill_prechat(shop, "Mia", "Hello?")
    await expect(shop.locator("[data-testid=status]")).to_have_text(
        "Chat is unavailable right now", timeout=15_000
    )
    assert refuser.attempts == 2  # one fresh identity, then it stops asking
    await expect(shop.locator("[data-testid=message][data-pending]")).to_have_count(1)
