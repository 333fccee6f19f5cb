"""The console's other pages and dialogs under axe (issue 16): the dashboard with figures, the
archive with a chat open, the triggers page with its editor, the visitors page with a visitor,
and the webhooks, privacy, offline messages and API tokens dialogs, each open.
None may have a critical or serious violation; the forms are worked with the keyboard."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from tests.conftest import ALICE
from tests.e2e.axe import describe, severe_violations
from tests.e2e.conftest import open_console, open_shop_chat
from tests.e2e.dashboard_support import answered_and_waiting
from tests.support import Server

pytestmark = pytest.mark.browser
ADMIN = ("admin@demo.parley", "admin-demo")


async def assert_clean(page: Page, include: str | None = None) -> None:
    found = await severe_violations(page, include)
    assert not found, describe(found)


async def test_dashboard_and_archive_with_data(server: Server, browser: Browser) -> None:
    await answered_and_waiting(browser, server)
    admin = await open_console(browser, server, *ADMIN)
    await admin.goto(f"{server.base}/console/dashboard")
    # A loaded machine may take a while to open the socket.
    await expect(admin.locator("[data-testid=connection]")).to_have_text(
        "Connected", timeout=15_000
    )
    # The figures of a loaded machine can take seconds.
    await expect(admin.locator("[data-kpi=chats]")).to_have_text("2", timeout=20_000)
    await expect(admin.locator("[data-testid=agent-kpis] tbody tr")).to_have_count(1)
    await expect(admin.locator("[data-testid=alert-form]")).to_be_visible()
    await assert_clean(admin)

    await admin.goto(f"{server.base}/console/archive")
    await admin.select_option("[data-testid=archive-status]", "")
    await admin.click("[data-testid=archive-search]")
    results = admin.locator("[data-testid=archive-result]")
    await expect(results).to_have_count(2)
    await results.filter(has_text="Maja").click()
    await expect(
        admin.locator("[data-testid=archive-transcript] [data-testid=message]")
    ).to_have_count(2)
    await assert_clean(admin)


async def test_triggers_list_and_editor(server: Server, browser: Browser) -> None:
    admin = await open_console(browser, server, *ADMIN)
    await admin.goto(f"{server.base}/console/triggers")
    await admin.click("[data-testid=trigger-new]")
    # The editor by keyboard: the name takes focus, Tab moves on with a visible focus ring.
    await expect(admin.locator("[data-testid=trigger-name]")).to_be_focused()
    await admin.keyboard.type("Pricing help")
    await admin.keyboard.press("Tab")
    enabled = admin.locator("[data-testid=trigger-enabled]")
    await expect(enabled).to_be_focused()
    outline = await enabled.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    await admin.fill("[data-testid=rule-value]", "/pricing")
    await admin.fill("[data-testid=variant-message]", "Questions about our prices?")
    await admin.locator("[data-testid=trigger-save]").focus()
    await admin.keyboard.press("Enter")
    await expect(admin.locator("[data-testid=trigger-row]")).to_have_count(1)
    await assert_clean(admin)
    await admin.locator("[data-testid=trigger-edit]").click()
    await admin.locator("[data-testid=trigger-test]").click()
    await expect(admin.locator("[data-testid=test-verdict]")).to_be_visible()
    await assert_clean(admin)


async def test_visitors_page_with_a_visitor(server: Server, browser: Browser) -> None:
    console = await open_console(browser, server, *ALICE)
    await console.goto(f"{server.base}/console/visitors")
    await expect(console.locator("[data-testid=connection]")).to_have_text("Live")
    shop = await (await browser.new_context()).new_page()
    await shop.goto(f"{server.base}/demo")
    rows = console.locator("[data-testid=visitor-row]")
    await expect(rows).to_have_count(1, timeout=10_000)
    # The trail opens from the keyboard: the visitor's name is a button.
    await rows.first.locator("[data-testid=visitor-open]").focus()
    await console.keyboard.press("Enter")
    await expect(console.locator("[data-testid=visitor-trail] li")).to_have_count(1)
    await expect(rows.first).to_have_class("selected")
    await assert_clean(console)


async def test_console_dialogs(server: Server, browser: Browser) -> None:
    admin = await open_console(browser, server, *ADMIN)

    await admin.click("[data-testid=webhooks]")
    dialog = admin.locator("[data-testid=webhooks-dialog]")
    await expect(dialog.locator("[data-testid=webhooks-list]")).to_contain_text("No webhooks")
    await assert_clean(admin, "[data-testid=webhooks-dialog]")
    await admin.keyboard.press("Escape")

    await admin.click("[data-testid=privacy]")
    await expect(admin.locator("[data-testid=audit-log] li")).to_have_count(1)
    await assert_clean(admin, "[data-testid=privacy-dialog]")
    await admin.keyboard.press("Escape")

    await admin.click("[data-testid=offline-inbox]")
    await expect(admin.locator("[data-testid=offline-empty]")).to_be_visible()
    await assert_clean(admin, "[data-testid=offline-dialog]")
    await admin.keyboard.press("Escape")

    # Office hours are set in the admin page (under axe in test_admin_a11y.py): a link there.
    await expect(admin.locator("[data-testid=office-hours]")).to_have_attribute(
        "href", "/console/admin#/hours"
    )

    await admin.click("[data-testid=api-tokens]")
    tokens = admin.locator("[data-testid=api-tokens-dialog]")
    # Created by keyboard: type the name, Enter submits the form.
    await tokens.locator("[data-testid=api-token-name]").focus()
    await admin.keyboard.type("CRM sync")
    await admin.keyboard.press("Enter")
    await expect(tokens.locator("[data-testid=api-token-value]")).to_be_visible()
    await expect(tokens.locator("[data-testid=api-token-row]")).to_have_count(1)
    await assert_clean(admin, "[data-testid=api-tokens-dialog]")
    await admin.keyboard.press("Escape")

    # The erase dialog, from the visitor panel of an open chat; confirmed by typing.
    await admin.select_option("[data-testid=status-select]", "online")
    await open_shop_chat(browser, server, "Vera", "Please delete my data")
    await admin.locator("[data-testid=chat-item]", has_text="Vera").click()
    await admin.locator("[data-testid=erase-visitor]").click()
    erase = admin.locator("[data-testid=erase-dialog]")
    await expect(erase.locator("[data-testid=erase-confirm]")).to_be_focused()
    await admin.keyboard.type("ERASE")
    await expect(erase.locator("[data-testid=erase-go]")).to_be_enabled()
    await assert_clean(admin, "[data-testid=erase-dialog]")
