"""Headless Chromium for the browser tests (Debian's chromium, driven by playwright)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.support import Server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            await b.close()


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


async def open_console(browser: Browser, server: Server, email: str, password: str) -> Page:
    page = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
    await page.goto(f"{server.base}/console")
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("[data-testid=login-submit]")
    await expect(page.locator("[data-testid=connection]")).to_have_text("Connected")
    return page


async def open_shop_chat(browser: Browser, server: Server, name: str, text: str) -> Page:
    """A visitor on the demo shop who has started a chat."""
    shop = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
    await shop.goto(f"{server.base}/demo")
    await shop.click("[data-testid=parley-bubble]")
    await shop.fill("[data-testid=prechat-name]", name)
    await shop.fill("[data-testid=prechat-message]", text)
    await shop.click("[data-testid=prechat-submit]")
    await expect(shop.locator("[data-testid=message][data-author-type=visitor]")).to_have_count(1)
    return shop
