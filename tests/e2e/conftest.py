"""Headless Chromium for the browser tests (Debian's chromium, driven by playwright)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, Playwright, async_playwright, expect

from tests.conftest import running_server
from tests.e2e.mail_support import SmtpServer, mail_env
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that drives Chromium carries the ``browser`` mark, declared or not: the
    PostgreSQL pass of `make test` leaves them out (``-m "not browser"``), since what they assert
    is what the page shows, and the server under them is tested on PostgreSQL by the rest."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
async def _playwright() -> AsyncIterator[Playwright]:
    async with async_playwright() as p:
        yield p


@pytest.fixture(scope="session")
async def _chromium(_playwright: Playwright) -> AsyncIterator[list[Browser]]:
    """The run's Chromium, launched by the first browser test (and again if it died)."""
    launched: list[Browser] = []
    yield launched
    for b in launched:
        await b.close()


@pytest.fixture
async def browser(_playwright: Playwright, _chromium: list[Browser]) -> AsyncIterator[Browser]:
    """Chromium, launched once a run rather than once a test (a second each, sixty-odd times);
    every test's pages are in contexts of their own, all closed after it, so no test sees
    another's cookies, storage or pages."""
    if not _chromium or not _chromium[-1].is_connected():
        _chromium.append(
            await _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        )
    b = _chromium[-1]
    try:
        yield b
    finally:
        for context in b.contexts:
            await context.close()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) that keeps what it receives."""
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_down() -> Iterator[SmtpServer]:
    """An SMTP server that is down until the test starts it."""
    server = SmtpServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mail_server(tmp_path: Path, smtp: SmtpServer) -> Iterator[Server]:
    """A demo server that sends through the ``smtp`` fixture's server."""
    with running_server(tmp_path, **mail_env(smtp.url)) as server:
        yield server


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


async def settled(page: Page) -> None:
    """The widget's entrance animation has finished: boxes and colours are read as they end up
    (the panel slides and grows for 0.18 s, so two reads during it disagree)."""
    await page.evaluate(
        """() => Promise.all((document.querySelector('#parley-widget')?.shadowRoot
            ?.getAnimations() || []).map((a) => a.finished))"""
    )


async def open_console(browser: Browser, server: Server, email: str, password: str) -> Page:
    page = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
    await page.goto(f"{server.base}/console")
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("[data-testid=login-submit]")
    await expect(page.locator("[data-testid=connection]")).to_have_text("Connected")
    return page


async def fill_prechat(
    page: Page, name: str, text: str, email: str | None = None, transcript: bool = False
) -> None:
    """Starts a chat from the open pre-chat form as a visitor does: the question first, and the
    name (and e-mail) with it, or after it in the card under the first message, whichever the
    site asks (``ask_contact``); the card is saved before this returns. For a start the server
    refuses, pass no name: the widget shows the question and its card at once and takes them
    away when the refusal arrives, so a card being filled in can vanish under the test."""
    await page.fill("[data-testid=prechat-message]", text)
    name_box = page.locator("[data-testid=prechat-name]")
    if await name_box.is_visible():
        await name_box.fill(name)
        if email is not None:
            await page.fill("[data-testid=prechat-email]", email)
        if transcript:
            await page.check("[data-testid=prechat-transcript]")
        await page.click("[data-testid=prechat-submit]")
        return
    await page.click("[data-testid=prechat-submit]")
    started = page.locator("[data-testid=message][data-author-type=visitor]")
    refused = page.locator("[data-testid=prechat] .form-error:visible")
    await expect(started.or_(refused).first).to_be_visible()
    card = page.locator("[data-testid=contact-card]")
    if not name or not await card.is_visible():
        return  # never asked, refused, or a visitor the widget already knows is not asked
    await card.locator("[data-testid=contact-name]").fill(name)
    if email is not None:
        await card.locator("[data-testid=contact-email]").fill(email)
    if transcript:
        await card.locator("[data-testid=contact-transcript]").check()
    await card.locator("[data-testid=contact-save]").click()
    # Saved; or kept until the socket opens (a visitor the server keeps refusing).
    queued = page.locator("[data-testid=contact-card][data-state=queued]")
    await expect(page.locator("[data-testid=contact-saved]").or_(queued).first).to_be_visible()


async def open_shop_chat(browser: Browser, server: Server, name: str, text: str) -> Page:
    """A visitor on the demo shop who has started a chat."""
    shop = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
    await shop.goto(f"{server.base}/demo")
    await shop.click("[data-testid=parley-bubble]")
    await fill_prechat(shop, name, text)
    await expect(shop.locator("[data-testid=message][data-author-type=visitor]")).to_have_count(1)
    return shop
