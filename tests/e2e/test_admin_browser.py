"""The admin page in headless Chromium: a shop set up entirely in the console (a site, its
admin, a skill, an agent and a saved reply) whose new agent answers a chat with that reply;
refusals shown next to their field; shortcut collisions flagged; deactivation and a new
password effective at once; and the first-run page of a fresh install."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.conftest import BEN, SAM
from tests.databases import drop_database, fresh_database
from tests.e2e.conftest import fill_prechat, open_console, open_shop_chat, shot
from tests.e2e.test_widget_api import Shop
from tests.support import Server

pytestmark = pytest.mark.browser

ADMIN = ("admin@demo.parley", "admin-demo")
FRIDA = ("frida@fjord.example", "frida-pass-1")
NINA = ("nina@fjord.example", "nina-pass-12")


@pytest.fixture
def shop() -> Iterator[Shop]:
    s = Shop()
    try:
        yield s
    finally:
        s.close()


async def admin_page(page: Page, server: Server, section: str) -> None:
    await page.goto(f"{server.base}/console/admin#/{section}")
    await expect(page.locator(f"[data-testid=admin-main][data-section={section}]")).to_be_visible()


def field(page: Page, form: str, name: str) -> str:
    return f"[data-testid={form}] [data-testid=field-{name.replace('.', '-')}]"


def error(page: Page, form: str, name: str) -> str:
    return f"[data-testid={form}] [data-testid=error-{name.replace('.', '-')}]"


async def test_an_admin_sets_up_a_shop_in_the_console_and_its_agent_answers_with_a_saved_reply(
    server: Server, browser: Browser, shop: Shop
) -> None:
    # The demo's admin opens another shop from the console, with that shop's own admin.
    demo = await open_console(browser, server, *ADMIN)
    await demo.click("[data-testid=admin-link]")
    await expect(demo.locator("[data-testid=admin-main][data-section=sites]")).to_be_visible()
    new = "new-site-form"
    await demo.fill(field(demo, new, "name"), "Fjord Books")
    await demo.fill(field(demo, new, "allowed_origins"), shop.base)
    await demo.fill(field(demo, new, "greeting"), "Hei! Looking for a book?")
    await demo.fill(field(demo, new, "admin.name"), "Frida")
    await demo.fill(field(demo, new, "admin.email"), FRIDA[0])
    await demo.fill(field(demo, new, "admin.password"), "short")
    await demo.click(f"[data-testid={new}-submit]")
    # The server's refusal, next to the field it is about.
    await expect(demo.locator(error(demo, new, "admin.password"))).to_contain_text(
        "at least 8 characters"
    )
    await expect(demo.locator(error(demo, new, "admin.email"))).to_be_hidden()
    await shot(demo, "admin-site-error")
    await demo.fill(field(demo, new, "admin.password"), FRIDA[1])
    await demo.click(f"[data-testid={new}-submit]")
    await expect(demo.locator("[data-testid=new-site-created]")).to_contain_text(FRIDA[0])
    snippet = await demo.locator("[data-testid=new-site-snippet]").text_content()
    assert snippet is not None
    assert f'src="{server.base}/widget.js"' in snippet
    site_key = snippet.split('data-site-key="')[1].split('"')[0]

    # Frida sets her shop up: look, skill, agent, saved reply, routing.
    frida = await open_console(browser, server, *FRIDA)
    await frida.click("[data-testid=admin-link]")
    await expect(frida.locator("[data-testid=admin-site-name]")).to_have_text("Fjord Books")
    await expect(frida.locator("[data-testid=embed-snippet]")).to_contain_text(site_key)
    await frida.fill(field(frida, "site-form", "theme_color"), "#7c3aed")
    await frida.fill(field(frida, "site-form", "allowed_origins"), "not an origin")
    await frida.click("[data-testid=site-form-submit]")
    await expect(frida.locator(error(frida, "site-form", "allowed_origins"))).to_contain_text(
        "is not an origin"
    )
    await frida.fill(field(frida, "site-form", "allowed_origins"), shop.base)
    await frida.click("[data-testid=site-form-submit]")
    await expect(frida.locator("[data-testid=site-form] .form-status")).to_have_text("Saved.")
    preview = frida.frame_locator("[data-testid=site-preview]")
    await expect(preview.locator("[data-testid=preview-greeting]")).to_have_text(
        "Hei! Looking for a book?"
    )
    await expect(preview.locator("[data-testid=preview-head]")).to_have_css(
        "background-color", "rgb(124, 58, 237)"
    )
    await shot(frida, "admin-sites")
    await frida.locator("[data-testid=site-preview]").scroll_into_view_if_needed()
    await shot(frida, "admin-site-preview")

    await frida.click("[data-testid=admin-nav-skills]")
    await frida.fill(field(frida, "new-skill-form", "name"), "books")
    await frida.click("[data-testid=new-skill-form-submit]")
    await expect(frida.locator("[data-testid=skill-row][data-name=books]")).to_be_visible()
    await frida.click("[data-testid=department-add]")
    await frida.select_option(field(frida, "departments-form", "departments.0.skill"), "books")
    await frida.fill(field(frida, "departments-form", "departments.0.label"), "Finding a book")
    await frida.click("[data-testid=departments-form-submit]")
    await expect(frida.locator("[data-testid=departments-form]")).to_contain_text("Saved.")
    await shot(frida, "admin-skills")

    await frida.click("[data-testid=admin-nav-agents]")
    await frida.fill(field(frida, "new-agent-form", "name"), "Nina Dahl")
    await frida.fill(field(frida, "new-agent-form", "email"), BEN[0])  # taken, on another site
    await frida.fill(field(frida, "new-agent-form", "password"), NINA[1])
    await frida.fill(field(frida, "new-agent-form", "skills"), "books")
    await frida.click("[data-testid=new-agent-form-submit]")
    await expect(frida.locator(error(frida, "new-agent-form", "email"))).to_contain_text("exists")
    await frida.fill(field(frida, "new-agent-form", "email"), NINA[0])
    await frida.click("[data-testid=new-agent-form-submit]")
    nina_row = frida.locator(f"[data-testid=agent-row][data-email='{NINA[0]}']")
    await expect(nina_row).to_contain_text("books")
    await shot(frida, "admin-agents")

    await frida.click("[data-testid=admin-nav-replies]")
    reply = "new-reply-form"
    await frida.fill(field(frida, reply, "shortcut"), "ship")
    await frida.fill(field(frida, reply, "title"), "Shipping")
    await frida.fill(field(frida, reply, "body"), "Hi {visitor.name}, books ship within 2 days.")
    await frida.select_option(field(frida, reply, "skill"), "books")
    await frida.click(f"[data-testid={reply}-submit]")
    await expect(frida.locator("[data-testid=reply-row][data-shortcut=ship]")).to_have_count(1)
    # The same shortcut again, shared: refused next to the shortcut.
    await frida.fill(field(frida, reply, "shortcut"), "ship")
    await frida.fill(field(frida, reply, "title"), "Shipping again")
    await frida.fill(field(frida, reply, "body"), "Two days.")
    await frida.click(f"[data-testid={reply}-submit]")
    await expect(frida.locator(error(frida, reply, "shortcut"))).to_contain_text("/ship is taken")
    # Personal, it is allowed: then Frida sees two replies under /ship, and the page says so.
    await frida.uncheck(field(frida, reply, "shared"))
    await frida.click(f"[data-testid={reply}-submit]")
    await expect(frida.locator("[data-testid=reply-row][data-shortcut=ship]")).to_have_count(2)
    await expect(frida.locator("[data-testid=reply-collision]")).to_have_count(2)
    await shot(frida, "admin-replies")

    await frida.click("[data-testid=admin-nav-routing]")
    await frida.select_option(field(frida, "routing-form", "routing.assignment"), "round_robin")
    await frida.click("[data-testid=routing-form-submit]")
    await expect(frida.locator("[data-testid=routing-form] .form-status")).to_have_text("Saved.")
    await shot(frida, "admin-routing")

    # A demo visitor's chat first: it goes to the demo's agents, never to Nina.
    demo_visitor = await open_shop_chat(browser, server, "Dora", "Do you sell maps?")
    # Nina signs in and a visitor of Fjord Books (on the shop's own origin) writes.
    nina = await open_console(browser, server, *NINA)
    shop.html = f"""<!doctype html><html><head><meta charset="utf-8"><title>Fjord</title></head>
<body><h1>Fjord Books</h1>
<script src="{server.base}/widget.js" data-site-key="{site_key}" async></script></body></html>"""
    visitor = await (await browser.new_context()).new_page()
    await visitor.goto(shop.base)
    await visitor.click("[data-testid=parley-bubble]")
    await fill_prechat(visitor, "Vera", "When does my book arrive?")
    items = nina.locator("[data-testid=chat-item]")
    await expect(items).to_have_count(1)
    await expect(items).to_contain_text("Vera")
    await items.click()
    composer = nina.locator("[data-testid=composer]")
    await composer.press_sequentially("/shi")
    await expect(nina.locator("[data-testid=saved-reply-option]")).to_have_count(1)
    await composer.press("Enter")
    await expect(composer).to_have_value("Hi Vera, books ship within 2 days.")
    await composer.press("Enter")
    answer = visitor.locator("[data-testid=message][data-author-type=agent]")
    await expect(answer.locator("[data-testid=message-body]")).to_have_text(
        "Hi Vera, books ship within 2 days."
    )
    # By now Dora's chat had long been routed on the demo site: Nina still has only Vera's.
    await expect(items).to_have_count(1)
    # (Visible text only: the hidden office-hours form lists time zones, one of them spelled
    # with "dora" in it.)
    await expect(items.filter(has_text="Dora")).to_have_count(0)
    await expect(nina.get_by_text("Dora").locator("visible=true")).to_have_count(0)
    await expect(demo_visitor.locator("text=Hi Vera")).to_have_count(0)


async def test_deactivation_and_a_new_password_take_effect_at_once(
    server: Server, browser: Browser
) -> None:
    admin = await open_console(browser, server, *ADMIN)
    ben = await open_console(browser, server, *BEN)
    await admin_page(admin, server, "agents")
    row = admin.locator(f"[data-testid=agent-row][data-email='{BEN[0]}']")
    await row.locator("summary").click()
    await row.locator("[data-testid=agent-deactivate]").click()
    # Ben's console is signed out without a reload, and he cannot sign back in.
    await expect(ben.locator("#login")).to_be_visible()
    await expect(row).to_contain_text("deactivated")
    await ben.fill("#email", BEN[0])
    await ben.fill("#password", BEN[1])
    await ben.click("[data-testid=login-submit]")
    await expect(ben.locator("[data-testid=login-error]")).to_be_visible()

    await row.locator("summary").click()
    await row.locator("[data-testid=agent-reactivate]").click()
    await expect(row).not_to_contain_text("deactivated")
    ben = await open_console(browser, server, *BEN)
    await row.locator("summary").click()
    await row.locator("[data-testid=agent-password-form] input[name=password]").fill("abc")
    await row.locator("[data-testid=agent-password-form-submit]").click()
    await expect(row.locator("[data-testid=error-password]")).to_contain_text("8 characters")
    await row.locator("[data-testid=agent-password-form] input[name=password]").fill("ben-new-pass")
    await row.locator("[data-testid=agent-password-form-submit]").click()
    await expect(ben.locator("#login")).to_be_visible()
    await shot(admin, "admin-agent-password")
    await ben.fill("#email", BEN[0])
    await ben.fill("#password", "ben-new-pass")
    await ben.click("[data-testid=login-submit]")
    await expect(ben.locator("[data-testid=connection]")).to_have_text("Connected")

    # API tokens are a section like the others.
    await admin_page(admin, server, "api-tokens")
    await admin.click("[data-testid=new-api-token-form-submit]")
    await expect(admin.locator(error(admin, "new-api-token-form", "name"))).to_be_visible()
    await admin.fill(field(admin, "new-api-token-form", "name"), "CRM sync")
    await admin.click("[data-testid=new-api-token-form-submit]")
    await expect(admin.locator("[data-testid=api-token-secret]")).to_contain_text("pk_")
    await expect(admin.locator("[data-testid=api-token-row][data-name='CRM sync']")).to_be_visible()
    await shot(admin, "admin-api-tokens")

    # A supervisor reads the same page, every field disabled and no button to save.
    sam = await open_console(browser, server, *SAM)
    await admin_page(sam, server, "routing")
    await expect(sam.locator("[data-testid=admin-banner]")).to_contain_text("supervisor")
    await expect(sam.locator(field(sam, "routing-form", "routing.assignment"))).to_be_disabled()
    await expect(sam.locator("[data-testid=routing-form-submit]")).to_be_hidden()
    # An agent is turned away.
    await ben.goto(f"{server.base}/console/admin")
    await expect(ben.locator("[data-testid=admin-refused]")).to_be_visible()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Server]:
    """A fresh install: no demo, no agent."""
    srv = Server(workdir=tmp_path, database_url=fresh_database(tmp_path), demo=False)
    try:
        srv.start()
        yield srv
    finally:
        srv.kill()
        drop_database(srv.database_url)


async def test_a_fresh_install_offers_the_first_admin_once(fresh: Server, browser: Browser) -> None:
    page = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
    await page.goto(f"{fresh.base}/console")
    await expect(page.locator("[data-testid=setup]")).to_be_visible()
    await expect(page.locator("#login")).to_be_hidden()
    await page.fill(field(page, "setup-form", "site_name"), "Fjord Books")
    await page.fill(field(page, "setup-form", "name"), "Frida")
    await page.fill(field(page, "setup-form", "email"), "not-an-address")
    await page.fill(field(page, "setup-form", "password"), FRIDA[1])
    await page.click("[data-testid=setup-form-submit]")
    await expect(page.locator(error(page, "setup-form", "email"))).to_be_visible()
    await shot(page, "admin-first-run")
    await page.fill(field(page, "setup-form", "email"), FRIDA[0])
    await page.click("[data-testid=setup-form-submit]")
    await expect(page.locator("[data-testid=admin-site-name]")).to_have_text("Fjord Books")

    # Once is all: another browser gets the sign-in form, not the offer.
    other = await (await browser.new_context()).new_page()
    await other.goto(f"{fresh.base}/console")
    await expect(other.locator("#login")).to_be_visible()
    answer = await other.evaluate("fetch('/api/v1/setup').then((r) => r.json())")
    assert answer == {"needed": False}
    await expect(other.locator("[data-testid=setup]")).to_have_count(0)
