"""Figures for the dashboard: one chat answered by Alice, then a visitor left waiting.

Shared by the dashboard's own test, its accessibility check and its translation check, so each
looks at a dashboard with data in every part, set up the same way."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from tests.conftest import ALICE
from tests.e2e.conftest import open_console, open_shop_chat
from tests.e2e.test_console_browser import status_taken
from tests.support import Server


async def answered_and_waiting(browser: Browser, server: Server) -> Page:
    """Maja's question answered by Alice, who then goes away; Lars waits with nobody to take
    his chat. Returns Alice's console (away)."""
    alice = await open_console(browser, server, *ALICE)
    answered = await open_shop_chat(browser, server, "Maja", "Do you ship to Malmö?")
    await alice.locator("[data-testid=chat-item]").click()
    await alice.locator("[data-testid=composer]").fill("Yes, in two days.")
    await alice.locator("[data-testid=composer]").press("Enter")
    await expect(answered.locator("[data-testid=message][data-author-type=agent]")).to_have_count(1)
    await alice.select_option("[data-testid=status-select]", "away")
    await status_taken(server, ALICE, "away")
    await open_shop_chat(browser, server, "Lars", "Hello? Anyone there?")
    return alice
