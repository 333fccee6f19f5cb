"""The live visitors page in Chromium: an agent sees a shopper in a second browser move through
the shop live (a single-page navigation, then a new page), says hello, and the shopper's teaser
shows the agent; accepting it opens a chat that reaches the agent."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from tests.conftest import ALICE
from tests.e2e.conftest import fill_prechat, open_console, shot
from tests.support import Server

pytestmark = pytest.mark.browser


async def test_an_agent_follows_a_shopper_live_and_says_hello(
    server: Server, browser: Browser
) -> None:
    console = await open_console(browser, server, *ALICE)  # Alice online: she can answer
    watcher = await console.context.new_page()  # the same sign-in, a second tab
    await watcher.goto(f"{server.base}/console/visitors")
    await expect(watcher.locator("[data-testid=connection]")).to_have_text("Live")
    await expect(watcher.locator("[data-testid=visitors-empty]")).to_be_visible()

    shopper = await browser.new_context(viewport={"width": 1280, "height": 800})
    shop = await shopper.new_page()
    await shop.goto(f"{server.base}/demo")
    rows = watcher.locator("[data-testid=visitor-row]")
    await expect(rows).to_have_count(1, timeout=10_000)
    url = rows.locator("[data-testid=visitor-url]")
    await expect(url).to_have_text(f"{server.base}/demo")

    # A single-page navigation, then a new page: the row follows, no reload of the list.
    await shop.evaluate("history.pushState({}, '', '/demo?page=2')")
    await expect(url).to_have_text(f"{server.base}/demo?page=2")
    await shop.goto(f"{server.base}/demo?page=3")
    await expect(url).to_have_text(f"{server.base}/demo?page=3")
    await expect(rows).to_have_count(1)
    await expect(rows.locator("[data-testid=visitor-on-site]")).to_have_text(re.compile(r"\d+s"))

    # Filters: a page that does not match hides the row; the trail shows where they went.
    await watcher.fill("[data-testid=visitors-page-filter]", "/checkout")
    await expect(rows).to_have_count(0)
    await watcher.fill("[data-testid=visitors-page-filter]", "page=3")
    await expect(rows).to_have_count(1)
    await rows.first.click()
    await expect(watcher.locator("[data-testid=visitor-trail] li")).to_have_count(3)

    # Say hello: the teaser shows Alice; the list shows the invitation.
    await rows.locator("[data-testid=say-hello]").click()
    teaser = shop.locator("[data-testid=parley-teaser]")
    await expect(teaser).to_be_visible(timeout=10_000)
    await expect(teaser).to_contain_text("Alice Berg")
    await expect(rows.locator("[data-testid=visitor-invited]")).to_contain_text("Alice Berg")
    await expect(rows.locator("[data-testid=say-hello]")).to_be_disabled()
    await shot(watcher, "visitors-invited")

    # Accepting opens the chat; Alice, who said hello, gets it.
    await shop.click("[data-testid=parley-teaser-open]")
    await fill_prechat(shop, "Maja", "Ja tak!")
    await expect(console.locator("[data-testid=chat-item]")).to_have_count(1, timeout=10_000)
    await expect(console.locator("[data-testid=chat-item]")).to_contain_text("Maja")
    await expect(rows.locator("[data-testid=visitor-chatting]")).to_contain_text("Alice Berg")
    # Only the invited ones: none now (she is chatting); only those chatting: her.
    await watcher.check("[data-testid=visitors-invited]")
    await expect(rows).to_have_count(0)
    await watcher.check("[data-testid=visitors-chatting]")
    await expect(rows).to_have_count(1)
    await watcher.uncheck("[data-testid=visitors-invited]")
    await watcher.uncheck("[data-testid=visitors-chatting]")
    await shot(watcher, "visitors-chatting")
    await shopper.close()
    await expect(rows).to_have_count(0, timeout=10_000)
    await console.context.close()
