"""The visitor widget for people who use a keyboard, a screen reader or low vision, in Chromium.

axe-core (tests/e2e/axe.py) finds no critical or serious violation on /demo with the widget
closed, open on the pre-chat form, in a chat with messages, on the post-chat rating, and on the
offline form; the theme colours a shop may pick keep every text readable (black or white text by
WCAG luminance, see widget/src/contrast.js); and a keyboard alone opens the widget, starts a
chat, hears the agent's answer through the live region, and closes it back to the bubble.
"""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import Browser, Page, expect

from tests.conftest import ALICE
from tests.e2e.axe import describe, severe_violations
from tests.e2e.conftest import fill_prechat, open_console, open_shop_chat, settled, shot
from tests.e2e.test_mail import ADMIN, call, site_id_of
from tests.e2e.test_supervision import png
from tests.support import Server

WIDGET = "#parley-widget"
FOCUSED = """() => {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    return el ? el.getAttribute('data-testid') || el.id || el.tagName : null;
}"""


async def focused(page: Page) -> str | None:
    """The data-testid (else id, else tag) of the element with the focus, inside shadow roots."""
    testid: str | None = await page.evaluate(FOCUSED)
    return testid


async def tab_to(page: Page, testid: str, limit: int = 40, key: str = "Tab") -> None:
    """Presses Tab (or ``key``: Shift+Tab) until `testid` has the focus, as a keyboard user
    would."""
    for _ in range(limit):
        if await focused(page) == testid:
            return
        await page.keyboard.press(key)
    raise AssertionError(f"Tab never reached {testid} (at {await focused(page)})")


async def assert_clean(page: Page, where: str, include: str | None = None) -> None:
    await settled(page)
    found = await severe_violations(page, include)
    assert not found, f"{where}:\n{describe(found)}"


async def open_demo(browser: Browser, server: Server, **context: object) -> Page:
    ctx = await browser.new_context(**({"viewport": {"width": 1280, "height": 800}} | context))  # type: ignore[arg-type]
    page = await ctx.new_page()
    await page.goto(f"{server.base}/demo")
    await expect(page.locator("[data-testid=parley-bubble]")).to_be_visible()
    return page


async def test_axe_finds_nothing_severe_in_any_state_of_the_widget(
    server: Server, browser: Browser
) -> None:
    # Closed for the day (office hours with no opening): the closed widget, the offline form.
    token = await asyncio.to_thread(server.login, *ADMIN)
    site = await site_id_of(server, token)
    closed = {"office_hours": {"timezone": "UTC", "weekly": {}}}
    assert (await call(server, "PATCH", f"/sites/{site}", token, json=closed)).status_code == 200
    shop = await open_demo(browser, server)
    await assert_clean(shop, "the shop with the widget closed")
    await shop.click("[data-testid=parley-bubble]")
    await expect(shop.locator("[data-testid=prechat][data-mode=offline]")).to_be_visible()
    await assert_clean(shop, "the offline form")
    await shot(shop, "widget-a11y-offline")
    await shop.context.close()
    opened = {"office_hours": None}
    assert (await call(server, "PATCH", f"/sites/{site}", token, json=opened)).status_code == 200

    # An agent online: the pre-chat form, a chat with messages, the rating after it.
    console = await open_console(browser, server, *ALICE)
    shop = await open_demo(browser, server)
    await shop.click("[data-testid=parley-bubble]")
    await expect(shop.locator("[data-testid=prechat][data-mode=live]")).to_be_visible()
    await assert_clean(shop, "the pre-chat form")
    await shop.context.close()

    shop = await open_shop_chat(browser, server, "Maja", "Does the blue jacket come in XL?")
    await console.locator("[data-testid=chat-item]").click()
    await console.fill("[data-testid=composer]", "It does, and it is in stock.")
    await console.click("[data-testid=send]")
    await expect(shop.locator("[data-testid=message][data-author-type=agent]")).to_have_count(1)
    await assert_clean(shop, "a chat with messages")
    await shot(shop, "widget-a11y-chat")

    await console.click("[data-testid=close-chat]")
    await expect(shop.locator("[data-testid=survey]")).to_be_visible()
    await assert_clean(shop, "the post-chat rating")


@pytest.mark.parametrize("colour", ["#ffeb3b", "#0a84ff", "#222222", "#ff5a5f"])
async def test_every_theme_colour_keeps_the_widget_readable(
    server: Server, browser: Browser, colour: str
) -> None:
    token = await asyncio.to_thread(server.login, *ADMIN)
    site = await site_id_of(server, token)
    r = await call(server, "PATCH", f"/sites/{site}", token, json={"theme_color": colour})
    assert r.status_code == 200, r.text

    console = await open_console(browser, server, *ALICE)
    shop = await open_shop_chat(browser, server, "Maja", "Is this colour readable?")
    await console.locator("[data-testid=chat-item]").click()
    await console.fill("[data-testid=composer]", "Yes, see https://example.com/help")
    await console.click("[data-testid=send]")
    await expect(shop.locator("[data-testid=message][data-author-type=agent]")).to_have_count(1)
    await settled(shop)
    found = [v for v in await severe_violations(shop, WIDGET) if v["id"] == "color-contrast"]
    assert not found, f"{colour}:\n{describe(found)}"
    # The bubble is on the page, outside the panel: readable too.
    on = await shop.evaluate(
        """() => getComputedStyle(document.querySelector('#parley-widget').shadowRoot
            .querySelector('.root')).getPropertyValue('--parley-on-color').trim()"""
    )
    assert on in ("#000000", "#ffffff")


async def test_keyboard_alone_opens_chats_hears_answers_and_closes(
    server: Server, browser: Browser
) -> None:
    console = await open_console(browser, server, *ALICE)
    shop = await open_demo(browser, server)
    bubble = shop.locator("[data-testid=parley-bubble]")

    # From the shop's own last control, Tab reaches the bubble; it shows a visible focus ring.
    await shop.locator("#add").focus()
    await tab_to(shop, "parley-bubble")
    ring = await bubble.evaluate(
        "b => { const s = getComputedStyle(b); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert ring[0] != "none", ring
    assert float(ring[1].rstrip("px")) >= 2, ring

    # Enter opens it on the question, which the visitor types first.
    await shop.keyboard.press("Enter")
    await expect(shop.locator("[data-testid=parley-panel]")).to_be_visible()
    assert await focused(shop) == "prechat-message"
    await shop.keyboard.type("Can I return shoes after 30 days?")
    await tab_to(shop, "prechat-submit")
    # Buttons and fields reached by Tab show the same ring.
    outline = await shop.locator("[data-testid=prechat-submit]").evaluate(
        "b => getComputedStyle(b).outlineStyle"
    )
    assert outline != "none"
    await shop.keyboard.press("Enter")
    # The chat starts at once, in the composer; the name (optional) is asked in a card under
    # the first message, reached backwards from the composer.
    await expect(shop.locator("[data-testid=message][data-author-type=visitor]")).to_have_count(1)
    assert await focused(shop) == "composer"
    await tab_to(shop, "contact-name", key="Shift+Tab")
    await shop.keyboard.type("Noor")
    await tab_to(shop, "contact-save")
    await shop.keyboard.press("Enter")
    await expect(shop.locator("[data-testid=contact-saved]")).to_be_visible()
    assert await focused(shop) == "composer"

    # The messages are a polite live log: the agent's answer lands in it and is read out.
    log = shop.get_by_role("log")
    await expect(log).to_have_attribute("aria-live", "polite")
    await expect(log).to_have_attribute("aria-label", "Messages")
    await console.locator("[data-testid=chat-item]").click()
    await console.fill("[data-testid=composer]", "Yes, within 60 days.")
    await console.click("[data-testid=send]")
    answer = log.locator("[data-testid=message][data-author-type=agent]")
    await expect(answer).to_contain_text("Yes, within 60 days.")
    await expect(shop.get_by_role("status").filter(has_text="Alice")).to_have_count(1)

    # Enter sends from the composer.
    await shop.keyboard.type("Great, thanks!")
    await shop.keyboard.press("Enter")
    await expect(shop.locator("[data-testid=message][data-author-type=visitor]")).to_have_count(2)

    # Escape closes the panel and gives the focus back to the bubble.
    await shop.keyboard.press("Escape")
    await expect(shop.locator("[data-testid=parley-panel]")).to_be_hidden()
    assert await focused(shop) == "parley-bubble"

    # End chat asks first; Escape there only cancels; confirming ends the chat.
    await shop.keyboard.press("Enter")
    await expect(shop.locator("[data-testid=parley-panel]")).to_be_visible()
    await tab_to(shop, "end-chat")
    await shop.keyboard.press("Enter")
    confirm = shop.locator("[data-testid=end-chat-confirm]")
    await expect(confirm).to_be_visible()
    assert await focused(shop) == "end-chat-cancel"
    await shop.keyboard.press("Escape")
    await expect(confirm).to_be_hidden()
    await expect(shop.locator("[data-testid=parley-panel]")).to_be_visible()
    await tab_to(shop, "end-chat")
    await shop.keyboard.press("Enter")
    await tab_to(shop, "end-chat-yes")
    await shop.keyboard.press("Enter")
    await expect(shop.locator("[data-testid=status]")).to_have_text("This chat has ended")
    await expect(shop.locator("[data-testid=survey]")).to_be_visible()


async def test_the_site_chooses_when_name_and_email_are_asked(
    server: Server, browser: Browser
) -> None:
    token = await asyncio.to_thread(server.login, *ADMIN)
    site = await site_id_of(server, token)
    logo = {"file": ("logo.png", png(), "image/png")}
    assert (await call(server, "POST", f"/sites/{site}/logo", token, files=logo)).status_code == 200
    console = await open_console(browser, server, *ALICE)

    # "never": the question is the whole form; the chat starts without a name.
    r = await call(server, "PATCH", f"/sites/{site}", token, json={"ask_contact": "never"})
    assert r.json()["ask_contact"] == "never"
    shop = await open_demo(browser, server)
    await shop.click("[data-testid=parley-bubble]")
    # The header: the shop's logo and the face of who is online.
    await expect(shop.locator("[data-testid=header-logo] img")).to_be_visible()
    team = shop.locator("[data-testid=header-team]")
    await expect(team).to_contain_text("Online now")
    await expect(team.locator(".avatar")).to_have_count(1)
    radius = await team.locator(".avatar").evaluate("a => getComputedStyle(a).borderRadius")
    assert radius == "50%"
    await expect(shop.locator("[data-testid=prechat-name]")).to_be_hidden()
    await shop.fill("[data-testid=prechat-message]", "Just a quick question")
    await shop.click("[data-testid=prechat-submit]")
    await expect(shop.locator("[data-testid=message][data-author-type=visitor]")).to_have_count(1)
    await expect(console.locator("[data-testid=chat-item]")).to_have_count(1)
    await shop.context.close()

    # "before": the question first, the name and e-mail under it, in one step.
    await call(server, "PATCH", f"/sites/{site}", token, json={"ask_contact": "before"})
    shop = await open_demo(browser, server)
    await shop.click("[data-testid=parley-bubble]")
    await expect(shop.locator("[data-testid=prechat-name]")).to_be_visible()
    order = await shop.locator("[data-testid=prechat] :is(input, textarea)").evaluate_all(
        "els => els.filter(e => e.offsetParent).map(e => e.getAttribute('data-testid'))"
    )
    assert order[:3] == ["prechat-message", "prechat-name", "prechat-email"], order
    await shop.click("[data-testid=prechat-submit]")
    await expect(shop.locator(".form-error")).to_have_text("Please write your question.")
    await shop.context.close()

    # "after" (the default): the chat starts with the question at once; a card under the first
    # message asks who they are, beside the conversation, and the agent sees the answer live.
    await call(server, "PATCH", f"/sites/{site}", token, json={"ask_contact": "after"})
    shop = await open_demo(browser, server)
    await shop.click("[data-testid=parley-bubble]")
    await expect(shop.locator("[data-testid=prechat-name]")).to_be_hidden()
    await shot(shop, "widget-open-question-first")
    await shop.fill("[data-testid=prechat-message]", "Where is my order?")
    await shop.click("[data-testid=prechat-submit]")
    mine = shop.locator("[data-testid=message][data-author-type=visitor]")
    await expect(mine).to_have_count(1)
    card = shop.locator("[data-testid=contact-card]")
    await expect(card).to_contain_text("So we can reach you if you leave the page")
    assert await mine.evaluate("m => m.nextElementSibling?.dataset.testid") == "contact-card"
    item = console.locator("[data-testid=chat-item]").filter(has_text="Maja")
    await expect(item).to_have_count(0)
    await assert_clean(shop, "the contact card", WIDGET)
    await shot(shop, "widget-open-contact-card")
    # Not blocking: the visitor writes on while the card waits.
    await shop.fill("[data-testid=composer]", "It was order 1042")
    await shop.keyboard.press("Enter")
    await expect(mine).to_have_count(2)
    await card.locator("[data-testid=contact-email]").fill("maja@example")
    await card.locator("[data-testid=contact-save]").click()
    await expect(card.locator("[data-testid=contact-error]")).to_have_text(
        "Please check your e-mail address."
    )
    await card.locator("[data-testid=contact-name]").fill("Maja")
    await card.locator("[data-testid=contact-email]").fill("maja@example.com")
    await card.locator("[data-testid=contact-save]").click()
    await expect(shop.locator("[data-testid=contact-saved]")).to_be_visible()
    await expect(card).to_have_count(0)
    await expect(item).to_have_count(1)
    await item.click()
    await expect(console.locator("[data-testid=context-email]")).to_have_text("maja@example.com")
    await expect(console.locator("[data-testid=chat-title]")).to_have_text("Maja")

    # "No thanks" takes the card away and the chat goes on.
    other = await open_demo(browser, server)
    await other.click("[data-testid=parley-bubble]")
    await other.fill("[data-testid=prechat-message]", "Just looking")
    await other.click("[data-testid=prechat-submit]")
    await other.locator("[data-testid=contact-dismiss]").click()
    await expect(other.locator("[data-testid=contact-card]")).to_have_count(0)
    await expect(other.locator("[data-testid=composer]")).to_be_enabled()


async def test_phone_layout_is_full_screen_without_zoom_on_focus(
    server: Server, browser: Browser
) -> None:
    await open_console(browser, server, *ALICE)
    shop = await open_demo(
        browser, server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    await shop.click("[data-testid=parley-bubble]")
    panel = shop.locator("[data-testid=parley-panel]")
    await expect(panel).to_be_visible()
    await settled(shop)
    box = await panel.bounding_box()
    assert box is not None
    assert (box["width"], box["height"]) == (390, 844), box
    # 16 px or more: iOS Safari does not zoom into the field on focus.
    size = await shop.locator("[data-testid=prechat-message]").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert size >= 16
    await shot(shop, "widget-phone-390x844")
    await fill_prechat(shop, "Maja", "Do you ship to Tromsø?")
    size = await shop.locator("[data-testid=composer]").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert size >= 16
    await assert_clean(shop, "the phone layout")
    await shot(shop, "widget-phone-390x844-chat")
