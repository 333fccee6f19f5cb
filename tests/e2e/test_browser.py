"""The demo end to end in headless Chromium: a visitor on the shop page, an agent in the console."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, WebSocketRoute, expect

from tests.conftest import ALICE
from tests.e2e.conftest import fill_prechat, open_console, open_shop_chat, shot
from tests.support import Server

pytestmark = pytest.mark.browser


async def test_visitor_on_demo_page_chats_with_agent_in_console(
    server: Server, browser: Browser
) -> None:
    shop = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
    await shop.goto(f"{server.base}/demo")
    await shop.click("[data-testid=parley-bubble]")
    panel = shop.locator("[data-testid=parley-panel]")
    await expect(panel).to_be_visible()
    await fill_prechat(shop, "Maja", "Will the 500 Wh battery fit <b>my</b> bike?")
    mine = shop.locator("[data-testid=message][data-author-type=visitor]")
    await expect(mine).to_have_count(1)
    # User text is shown as text, never interpreted as HTML.
    await expect(mine.locator("[data-testid=message-body]")).to_have_text(
        "Will the 500 Wh battery fit <b>my</b> bike?"
    )

    console = await open_console(browser, server, *ALICE)
    item = console.locator("[data-testid=chat-item]")
    await expect(item).to_have_count(1)
    await item.click()
    incoming = console.locator("[data-testid=message][data-author-type=visitor]")
    await expect(incoming.locator("[data-testid=message-body]")).to_have_text(
        "Will the 500 Wh battery fit <b>my</b> bike?"
    )

    await shop.locator("[data-testid=composer]").press_sequentially("Hello")
    await expect(console.locator("[data-testid=typing]")).to_be_visible()

    await console.fill("[data-testid=composer]", "Yes, it fits every Trailhead frame from 2017 on.")
    await console.click("[data-testid=send]")

    answer = shop.locator("[data-testid=message][data-author-type=agent]")
    await expect(answer.locator("[data-testid=message-body]")).to_have_text(
        "Yes, it fits every Trailhead frame from 2017 on."
    )
    await expect(answer.locator("[data-testid=message-author]")).to_have_text("Alice Berg")
    await expect(shop.locator("[data-testid=status]")).to_contain_text("Alice")

    await shot(shop, "demo-widget-chat")
    await shot(console, "console-chat")


class SocketCutter:
    """Routes the page's visitor socket through Playwright, so a test can cut it for real."""

    def __init__(self) -> None:
        self.cut = False
        self.live: list[WebSocketRoute] = []

    async def route(self, ws: WebSocketRoute) -> None:
        if self.cut:
            await ws.close(code=4000, reason="network down")
            return
        ws.connect_to_server()
        self.live.append(ws)

    async def drop(self) -> None:
        self.cut = True
        for ws in self.live:
            await ws.close(code=4000, reason="network down")
        self.live.clear()


async def test_widget_reconnects_and_shows_missed_messages_once(
    server: Server, browser: Browser
) -> None:
    shop_ctx = await browser.new_context(viewport={"width": 1280, "height": 800})
    shop = await shop_ctx.new_page()
    cutter = SocketCutter()
    await shop.route_web_socket(re.compile(r".*/ws/visitor.*"), cutter.route)
    await shop.goto(f"{server.base}/demo")
    await shop.click("[data-testid=parley-bubble]")
    await fill_prechat(shop, "Jonas", "Is express delivery possible?")
    console = await open_console(browser, server, *ALICE)
    await console.locator("[data-testid=chat-item]").click()
    visitor_msgs = console.locator("[data-testid=message][data-author-type=visitor]")
    await expect(visitor_msgs).to_have_count(1)

    # The visitor's connection drops; the agent answers meanwhile; the network comes back.
    await cutter.drop()
    await expect(shop.locator("[data-testid=status]")).to_contain_text("Reconnecting")
    for text in ("Yes, express is possible.", "It costs 9 EUR.", "Order before 14:00."):
        await console.fill("[data-testid=composer]", text)
        await console.click("[data-testid=send]")
    agent_msgs = console.locator("[data-testid=message][data-author-type=agent]")
    await expect(agent_msgs).to_have_count(3)
    await expect(console.locator("[data-testid=message][data-pending]")).to_have_count(0)
    answers = shop.locator("[data-testid=message][data-author-type=agent]")
    await expect(answers).to_have_count(0)
    cutter.cut = False

    await expect(answers).to_have_count(3, timeout=20_000)
    await expect(answers.locator("[data-testid=message-body]")).to_have_text(
        ["Yes, express is possible.", "It costs 9 EUR.", "Order before 14:00."]
    )

    # A reload restores the whole conversation for the returning visitor, nothing twice.
    await shop.reload()
    await shop.click("[data-testid=parley-bubble]")
    await expect(shop.locator("[data-testid=message]")).to_have_count(4)
    await expect(shop.locator("[data-testid=message-body]").first).to_have_text(
        "Is express delivery possible?"
    )


async def test_console_reconnects_and_shows_what_the_visitor_wrote_meanwhile(
    server: Server, browser: Browser
) -> None:
    shop = await open_shop_chat(browser, server, "Mona", "Do you have size L?")
    ctx = await browser.new_context(viewport={"width": 1280, "height": 800})
    console = await ctx.new_page()
    cutter = SocketCutter()
    await console.route_web_socket(re.compile(r".*/ws/agent.*"), cutter.route)
    await console.goto(f"{server.base}/console")
    await console.fill("#email", ALICE[0])
    await console.fill("#password", ALICE[1])
    await console.click("[data-testid=login-submit]")
    await console.locator("[data-testid=chat-item]").click()
    visitor_msgs = console.locator("[data-testid=message][data-author-type=visitor]")
    await expect(visitor_msgs).to_have_count(1)

    # The agent's connection drops; the visitor writes twice; the network comes back.
    await cutter.drop()
    await expect(console.locator("[data-testid=connection]")).to_have_text("Reconnecting…")
    for text in ("Or in M?", "I need it by Friday."):
        await shop.fill("[data-testid=composer]", text)
        await shop.press("[data-testid=composer]", "Enter")
    await expect(shop.locator("[data-testid=message][data-pending]")).to_have_count(0)
    cutter.cut = False
    await expect(console.locator("[data-testid=connection]")).to_have_text(
        "Connected", timeout=20_000
    )
    # Without another message to reveal the gap: the reconnect itself brings them, once.
    await expect(visitor_msgs.locator("[data-testid=message-body]")).to_have_text(
        ["Do you have size L?", "Or in M?", "I need it by Friday."], timeout=10_000
    )
