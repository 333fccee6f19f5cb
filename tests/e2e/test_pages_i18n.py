"""The console's other pages in the agent's language: the language is chosen in the console's
top bar (kept in this browser, console/static/i18n.js), and the dashboard and the invitations
page then speak Danish, with Danish weekdays and numbers."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.conftest import open_console
from tests.e2e.dashboard_support import answered_and_waiting
from tests.support import Server

pytestmark = pytest.mark.browser
ADMIN = ("admin@demo.parley", "admin-demo")


async def test_a_danish_speaking_admin_sees_the_dashboard_and_triggers_in_danish(
    server: Server, browser: Browser
) -> None:
    await answered_and_waiting(browser, server)
    admin = await open_console(browser, server, *ADMIN)
    # The admin picks Danish in the console; the console reloads in Danish.
    await admin.select_option("[data-testid=console-language]", "da")
    await expect(admin.locator("[data-testid=connection]")).to_have_text("Forbundet")
    # The console's own dialogs: the team (roles and states too) and the mail outbox.
    await admin.click("[data-testid=team]")
    team = admin.locator("[data-testid=team-dialog]")
    await expect(team).to_contain_text("En deaktiveret medarbejder logges ud")
    alice = team.locator("[data-testid=team-row][data-email='alice@demo.parley']")
    await expect(alice.locator("[data-testid=team-deactivate]")).to_have_text("Deaktivér")
    await expect(alice.locator("[data-testid=team-reset]")).to_have_text("Sæt adgangskode")
    await expect(alice).to_contain_text("Medarbejder")
    await admin.keyboard.press("Escape")
    await admin.click("[data-testid=mail]")
    mail = admin.locator("[data-testid=mail-dialog]")
    await expect(mail.locator("h3")).to_have_text("E-mail")
    await expect(mail.locator("[data-testid=mail-empty]")).to_have_text(
        "Intet fejlede eller venter."
    )
    await admin.keyboard.press("Escape")

    await admin.goto(f"{server.base}/console/dashboard")
    await expect(admin.locator("html")).to_have_attribute("lang", "da")
    await expect(admin.locator("[data-testid=connection]")).to_have_text(
        "Forbundet", timeout=15_000
    )
    await expect(admin.locator("#now-title")).to_have_text("Lige nu")
    await expect(admin.locator("[data-testid=apply]")).to_have_text("Vis")
    await expect(admin.locator("[data-testid=live-tiles]")).to_contain_text("aktive chats")
    await expect(admin.locator("[data-testid=alert-form]")).to_contain_text("Advar, når")
    # The figures of a loaded machine can take seconds.
    await expect(admin.locator("[data-kpi=chats]")).to_have_text("2", timeout=20_000)
    await expect(admin.locator("[data-testid=zone]")).to_have_text(re.compile(r"^Tider i "))
    await expect(admin.locator("[data-testid=funnel-note]")).to_have_text(
        "Ingen invitationer udløst i denne periode."
    )
    await expect(admin.locator("[data-testid=heatmap-note]")).to_contain_text("startede chats")
    # Danish weekdays (man., tir., …) head the heatmap's rows; percentages are Danish (100 %).
    days = admin.locator("[data-testid=heatmap] tbody th")
    await expect(days.first).to_have_text(re.compile(r"^man", re.I))
    await expect(admin.locator("[data-tile=today60]")).to_have_text(re.compile(r"^100\s%$"))
    await expect(admin.locator("[data-testid=agent-kpis] thead")).to_contain_text("Mistet")

    await admin.goto(f"{server.base}/console/triggers")
    await expect(admin.locator("#list-title")).to_have_text("Triggere")
    await expect(admin).to_have_title("Parley · Proaktive invitationer")
    await expect(admin.locator("[data-testid=trigger-empty]")).to_contain_text(
        "Ingen triggere endnu."
    )
    await admin.click("[data-testid=trigger-new]")
    await expect(admin.locator("#editor-title")).to_have_text("Ny trigger")
    field = admin.locator("[data-testid=rule-field]")
    await expect(field.locator("option:checked")).to_have_text("Sidens URL")
    await expect(admin.locator("[data-testid=rule-op] option:checked")).to_have_text("indeholder")
    await expect(admin.locator("[data-testid=trigger-save]")).to_have_text("Gem")
    await admin.fill("[data-testid=trigger-name]", "Priser")
    await admin.fill("[data-testid=rule-value]", "/priser")
    await admin.fill("[data-testid=variant-message]", "Spørgsmål om priserne?")
    await admin.click("[data-testid=trigger-test]")
    await expect(admin.locator("[data-testid=test-verdict]")).to_have_text(
        re.compile(r"^Ville (ikke )?invitere nu\.$")
    )
    await admin.click("[data-testid=trigger-save]")
    row = admin.locator("[data-testid=trigger-row]")
    await expect(row.locator("[data-testid=trigger-state]")).to_have_text("Aktiv")
    await expect(row).to_contain_text("Sidens URL indeholder /priser")
    await expect(row.locator("[data-testid=trigger-toggle]")).to_have_text("Deaktivér")
