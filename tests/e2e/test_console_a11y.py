"""The console's chat view for people who use the keyboard or a screen reader: axe finds no
critical or serious problem on the sign-in page or with two chats open, and an agent with two
chats switches between them, answers and inserts a saved reply without touching the mouse."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from tests.conftest import ALICE, SAM
from tests.e2e.axe import describe, severe_violations
from tests.e2e.conftest import open_console, open_shop_chat, shot
from tests.e2e.test_console_browser import api
from tests.support import Server

pytestmark = pytest.mark.browser


async def two_chats(browser: Browser, server: Server) -> tuple[Page, Page, Page]:
    """Alice's console with chats from Maja and Jonas (Maja's came first)."""
    console = await open_console(browser, server, *ALICE)
    maja = await open_shop_chat(browser, server, "Maja", "Does the battery fit my bike?")
    await expect(console.locator("[data-testid=chat-item]")).to_have_count(1)
    jonas = await open_shop_chat(browser, server, "Jonas", "Do you ship to Iceland?")
    await expect(console.locator("[data-testid=chat-item]")).to_have_count(2)
    return console, maja, jonas


async def test_login_page_and_chat_view_have_no_serious_axe_violations(
    server: Server, browser: Browser
) -> None:
    page = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
    await page.goto(f"{server.base}/console")
    await expect(page.locator("#login-form")).to_be_visible()
    found = await severe_violations(page)
    assert not found, describe(found)

    console, _maja, _jonas = await two_chats(browser, server)
    await expect(console.locator("[data-testid=chat-title]")).to_have_text("Maja")
    await expect(console.locator("[data-testid=message]")).to_have_count(1)
    found = await severe_violations(console)
    assert not found, describe(found)
    await shot(console, "console-chat-two-chats")


async def focused_testid(page: Page) -> str | None:
    value: str | None = await page.evaluate(
        "() => document.activeElement && document.activeElement.getAttribute('data-testid')"
    )
    return value


async def tab_to(page: Page, testid: str, limit: int = 60) -> None:
    """Presses Tab until the element with ``testid`` has the focus, as a keyboard user does."""
    for _ in range(limit):
        if await focused_testid(page) == testid:
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {testid}")


async def test_an_agent_switches_chats_answers_and_uses_a_saved_reply_by_keyboard(
    server: Server, browser: Browser
) -> None:
    for shortcut, heading, body in (
        ("shipping", "Delivery times", "Orders before 14:00 ship the same day."),
        ("shop", "Opening hours", "The shop is open 9-17, {visitor.name}."),
    ):
        created = await api(
            server,
            SAM,
            "POST",
            "/saved-replies",
            json={"shortcut": shortcut, "title": heading, "shared": True, "body": body},
        )
        assert created.status_code == 201, created.text
    console, maja, jonas = await two_chats(browser, server)
    keyboard = console.keyboard
    title = console.locator("[data-testid=chat-title]")
    await expect(title).to_have_text("Maja")

    # Tab reaches the open chat in the list; the arrows open the other one (newest, and
    # unread, first: Jonas is above Maja).
    await tab_to(console, "chat-item")
    current = console.locator("[data-testid=chat-item][aria-selected=true]")
    await expect(current).to_be_focused()
    await keyboard.press("ArrowUp")
    await expect(title).to_have_text("Jonas")
    await expect(current).to_contain_text("Jonas")
    await expect(current).to_be_focused()
    await keyboard.press("ArrowDown")
    await expect(title).to_have_text("Maja")
    await keyboard.press("ArrowUp")
    await expect(title).to_have_text("Jonas")

    # Enter moves on to the composer; the answer goes to Jonas.
    await keyboard.press("Enter")
    composer = console.locator("[data-testid=composer]")
    await expect(composer).to_be_focused()
    await keyboard.type("Yes, we ship to Iceland.")
    await keyboard.press("Enter")
    answer = jonas.locator(
        "[data-testid=message][data-author-type=agent] [data-testid=message-body]"
    )
    await expect(answer).to_have_text("Yes, we ship to Iceland.")

    # "/" opens the saved replies; the arrows choose one, Enter inserts it, Enter sends it.
    await keyboard.type("/sh")
    options = console.locator("[data-testid=saved-reply-option]")
    await expect(options).to_have_count(2)
    await expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    await keyboard.press("ArrowDown")
    chosen = console.locator("[data-testid=saved-reply-option][aria-selected=true]")
    await expect(chosen).to_contain_text("Opening hours")
    active = await composer.get_attribute("aria-activedescendant")
    assert active is not None
    await expect(console.locator(f"#{active}")).to_contain_text("Opening hours")
    await keyboard.press("Enter")
    await expect(composer).to_have_value("The shop is open 9-17, Jonas.")
    await expect(console.locator("[data-testid=saved-replies]")).to_be_hidden()
    await keyboard.press("Enter")
    await expect(answer).to_have_text(["Yes, we ship to Iceland.", "The shop is open 9-17, Jonas."])
    # Consecutive answers of one agent form one group: the name is not repeated.
    mine = console.locator("[data-testid=message][data-author-type=agent]")
    await expect(mine).to_have_count(2)
    await expect(mine.locator("[data-testid=message-author]")).to_have_count(1)

    # A message in the chat that is not open is announced to screen readers, and counted.
    await maja.locator("[data-testid=composer]").fill("Hello? Are you there?")
    await maja.locator("[data-testid=composer]").press("Enter")
    await expect(console.locator("[data-testid=announcer]")).to_contain_text(
        "Hello? Are you there?"
    )
    maja_item = console.locator("[data-testid=chat-item]", has_text="Maja")
    await expect(maja_item.locator("[data-testid=unread]")).to_contain_text("1")
    await expect(maja.locator("[data-testid=message][data-author-type=agent]")).to_have_count(0)

    # Back to Maja with the keyboard only; with a message unread she is now at the top.
    await tab_to(console, "chat-item")
    await keyboard.press("Home")
    await expect(title).to_have_text("Maja")
    await keyboard.press("Enter")
    await expect(composer).to_be_focused()
    await keyboard.type("Yes, it fits.")
    await keyboard.press("Enter")
    await expect(
        maja.locator("[data-testid=message][data-author-type=agent] [data-testid=message-body]")
    ).to_have_text("Yes, it fits.")


async def test_the_saved_replies_popup_says_how_to_make_one_when_there_are_none(
    server: Server, browser: Browser
) -> None:
    await open_shop_chat(browser, server, "Liv", "Hello")
    console = await open_console(browser, server, *ALICE)
    await expect(console.locator("[data-testid=chat-title]")).to_have_text("Liv")
    await console.locator("[data-testid=composer]").focus()
    await console.keyboard.type("/")
    empty = console.locator("[data-testid=saved-replies-empty]")
    await expect(empty).to_have_text("No saved replies yet — create one")
    await expect(console.locator("[data-testid=saved-replies-create]")).to_have_attribute(
        "href", "/console/admin#/replies"
    )
    await shot(console, "console-saved-replies-empty")
    # No empty "Pre-chat answers" section when the visitor gave only a name.
    await expect(console.locator("#prechat-heading")).to_be_hidden()
