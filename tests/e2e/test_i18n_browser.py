"""The widget in the site's language, or the visitor's browser language when the site allows it
(headless Chromium with its own locale per context)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.conftest import ALICE, BEN, running_server
from tests.e2e.conftest import fill_prechat, open_console
from tests.e2e.routing_support import Shop
from tests.e2e.test_widget_api import Shop as PageServer
from tests.support import Server

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path) as s:
        yield s


@pytest.fixture
def web() -> Iterator[PageServer]:
    s = PageServer()
    try:
        yield s
    finally:
        s.close()


async def shop_page(
    browser: Browser, server: Server, web: PageServer, site_key: str, locale: str
) -> Page:
    """The shop's page (its own origin) with the widget, in a browser whose language is
    ``locale``; the bubble is on it when this returns."""
    context: BrowserContext = await browser.new_context(
        locale=locale, viewport={"width": 1280, "height": 800}
    )
    web.html = f"""<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Shop</h1><script src="{server.base}/widget.js" data-site-key="{site_key}" async>
</script></body></html>"""
    page = await context.new_page()
    await page.goto(f"{web.base}/")
    await expect(page.locator("[data-testid=parley-bubble]")).to_be_visible()
    return page


async def set_language(shop: Shop, language: str, from_browser: bool) -> None:
    r = await shop.api(
        "PATCH",
        f"/sites/{shop.site_id}",
        json={"language": language, "language_from_browser": from_browser},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["language"], r.json()["language_from_browser"]) == (language, from_browser)


async def test_widget_shows_danish_for_a_danish_site_and_a_da_dk_browser(
    browser: Browser, server: Server, web: PageServer
) -> None:
    danish = await Shop.create(server, "Cykelbutikken")
    await set_language(danish, "da", True)
    swedish = await Shop.create(server, "Cykelaffären")
    await set_language(swedish, "sv", False)
    bad = await danish.api("PATCH", f"/sites/{danish.site_id}", json={"language": "fr"})
    assert bad.status_code == 422

    page = await shop_page(browser, server, web, danish.site_key, "da-DK")
    bubble = page.locator("[data-testid=parley-bubble]")
    await expect(bubble).to_have_attribute("aria-label", "Chat med os")
    await expect(page.locator("#parley-widget .root")).to_have_attribute("lang", "da")
    await bubble.click()
    prechat = page.locator("[data-testid=prechat]")
    await expect(prechat.locator("label[for=parley-name]")).to_have_text("Dit navn")
    await expect(prechat.locator("label[for=parley-message]")).to_have_text(
        "Hvordan kan vi hjælpe?"
    )
    await expect(prechat).to_contain_text("Vi svarer, så snart en medarbejder er ledig")
    await expect(page.locator(".foot")).to_have_text("Drevet af Parley")
    await page.click("[data-testid=prechat-submit]")  # nothing typed: the question first
    await expect(page.locator(".form-error")).to_have_text("Skriv venligst dit spørgsmål.")
    await fill_prechat(page, "Mette", "Har I 28 tommer slanger?")
    own = page.locator("[data-testid=message][data-author-type=visitor]")
    await expect(own).to_have_count(1)
    # Danish times: "nu" while it is new, the clock as 14.05 (Chromium's da-DK), never 2:05 PM.
    await expect(own.locator("time")).to_have_text("nu")
    await expect(own.locator("time")).to_have_attribute("title", re.compile(r"\d\d\.\d\d$"))
    await expect(page.locator("[data-testid=composer]")).to_have_attribute(
        "placeholder", "Skriv en besked…"
    )

    # The same Danish site in an English browser: it follows the browser (allowed).
    english = await shop_page(browser, server, web, danish.site_key, "en-US")
    await expect(english.locator("[data-testid=parley-bubble]")).to_have_attribute(
        "aria-label", "Chat with us"
    )

    # A Swedish site that does not follow the browser: Swedish in a German browser.
    german = await shop_page(browser, server, web, swedish.site_key, "de-DE")
    bubble = german.locator("[data-testid=parley-bubble]")
    await expect(bubble).to_have_attribute("aria-label", "Chatta med oss")
    await bubble.click()
    await expect(german.locator("label[for=parley-name]")).to_have_text("Ditt namn")
    # The question goes first ("Skicka"); the name is asked next, in a card under it.
    await expect(german.locator("[data-testid=prechat-submit]")).to_have_text("Skicka")
    await german.fill("[data-testid=prechat-message]", "Har ni vinterdäck?")
    await german.click("[data-testid=prechat-submit]")
    card = german.locator("[data-testid=contact-card]")
    await expect(card).to_contain_text("Så att vi kan nå dig om du lämnar sidan")
    await expect(card.locator("[data-testid=contact-dismiss]")).to_have_text("Nej tack")


async def test_sites_speak_english_by_default_whatever_the_browser(
    browser: Browser, server: Server, web: PageServer
) -> None:
    shop = await Shop.create(server, "Default shop")
    site = (await shop.api("GET", f"/sites/{shop.site_id}")).json()
    assert (site["language"], site["language_from_browser"]) == ("en", False)
    page = await shop_page(browser, server, web, shop.site_key, "nl-NL")
    bubble = page.locator("[data-testid=parley-bubble]")
    await expect(bubble).to_have_attribute("aria-label", "Chat with us")
    await bubble.click()
    await expect(page.locator("label[for=parley-name]")).to_have_text("Your name")


async def test_an_agent_switches_the_console_to_danish(browser: Browser, server: Server) -> None:
    """The console's language is the agent's choice in this browser; it stays after a reload,
    and another agent's browser keeps English."""
    page = await open_console(browser, server, *ALICE)
    menu = page.locator("[data-testid=console-language]")
    await expect(menu).to_have_value("en")
    await menu.select_option("da")
    await expect(page.locator("[data-testid=connection]")).to_have_text("Forbundet")
    await expect(page.locator("html")).to_have_attribute("lang", "da")
    await expect(page.locator("[data-testid=logout]")).to_have_text("Log ud")
    await expect(page.locator("[data-testid=close-chat]")).to_have_text("Luk chatten")
    await expect(page.locator("[data-testid=composer]")).to_have_attribute(
        "placeholder", re.compile(r"^Skriv et svar")
    )
    await page.reload()
    await expect(page.locator("[data-testid=connection]")).to_have_text("Forbundet")
    other = await open_console(browser, server, *BEN)  # a context of its own: English
    await expect(other.locator("[data-testid=logout]")).to_have_text("Sign out")
