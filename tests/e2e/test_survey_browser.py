"""In Chromium: after the chat closes the visitor rates it in the widget with the keyboard, the
agent sees the rating and comment in the console's chat view, and the archive page finds the
chat by a word of its messages and opens it read-only with its rating."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.conftest import ALICE
from tests.e2e.conftest import open_console, open_shop_chat, shot
from tests.support import Server


async def test_survey_after_close_shows_in_console_and_archive(
    server: Server, browser: Browser
) -> None:
    console = await open_console(browser, server, *ALICE)
    shop = await open_shop_chat(browser, server, "Maja", "My kayak paddle snapped in two")
    await console.locator("[data-testid=chat-item]").click()
    await console.fill("[data-testid=composer]", "Sorry to hear that, a new one is on its way.")
    await console.click("[data-testid=send]")
    await expect(shop.locator("[data-testid=message][data-author-type=agent]")).to_have_count(1)

    # No survey while the chat is open; it appears once the chat has closed.
    survey = shop.locator("[data-testid=survey]")
    await expect(survey).to_be_hidden()
    await console.click("[data-testid=close-chat]")
    await expect(survey).to_be_visible()
    await expect(shop.get_by_role("radiogroup", name="How was this chat?")).to_be_visible()

    # Keyboard only: into the radio group, arrows to the fourth star, type a comment, send.
    await shop.locator("[data-testid=survey-rating-1]").focus()
    for _ in range(3):
        await shop.keyboard.press("ArrowRight")
    await expect(shop.locator("[data-testid=survey-rating-4]")).to_be_checked()
    await shop.keyboard.press("Tab")
    await shop.keyboard.type("Quick and friendly")
    await shop.keyboard.press("Tab")
    await shop.keyboard.press("Enter")
    await expect(shop.locator("[data-testid=survey-status]")).to_have_text(
        "Thank you for your feedback!"
    )
    await shot(shop, "widget-survey-sent")

    # The agent's chat view shows it.
    rated = console.locator("[data-testid=chat-survey]")
    await expect(rated).to_contain_text("Rated 4/5")
    await expect(rated).to_contain_text("Quick and friendly")

    # The archive: found by a word of the visitor's message, opened read-only.
    await console.click("[data-testid=archive-link]")
    await console.wait_for_url("**/console/archive")
    await console.fill("[data-testid=archive-q]", "paddle")
    await console.click("[data-testid=archive-search]")
    results = console.locator("[data-testid=archive-result]")
    await expect(results).to_have_count(1)
    await expect(results).to_contain_text("Maja")
    await console.fill("[data-testid=archive-q]", "snowboard")
    await console.click("[data-testid=archive-search]")
    await expect(console.locator("[data-testid=archive-empty]")).to_be_visible()
    await console.fill("[data-testid=archive-q]", "kayak")
    await console.select_option("[data-testid=archive-rating]", "4")
    await console.click("[data-testid=archive-search]")
    await expect(results).to_have_count(1)
    await results.click()
    transcript = console.locator("[data-testid=archive-transcript]")
    await expect(transcript).to_contain_text("My kayak paddle snapped in two")
    await expect(transcript).to_contain_text("a new one is on its way")
    await expect(console.locator("[data-testid=archive-survey]")).to_contain_text("Rated 4/5")
    assert await console.locator("[data-testid=archive-chat] textarea").count() == 0
    await shot(console, "console-archive")
