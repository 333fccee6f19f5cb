"""The KPI dashboard in headless Chromium: live tiles, the waiting alert, figures and charts."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from tests.conftest import ALICE, SAM
from tests.e2e.conftest import open_console, shot
from tests.e2e.dashboard_support import answered_and_waiting
from tests.support import Server

pytestmark = pytest.mark.browser
ADMIN = ("admin@demo.parley", "admin-demo")


async def test_dashboard_shows_live_tiles_alert_figures_and_charts(
    server: Server, browser: Browser
) -> None:
    # One chat answered by Alice, then one visitor left waiting with nobody to take it.
    alice = await answered_and_waiting(browser, server)

    # The admin sets the site's alert threshold on the dashboard; a supervisor's page uses it.
    admin = await open_console(browser, server, *ADMIN)
    await admin.goto(f"{server.base}/console/dashboard")
    # The first kpi.tiles carries the threshold (a loaded machine may take a while to send it).
    await expect(admin.locator("[data-testid=alert-after]")).to_have_value("60", timeout=15_000)
    await admin.fill("[data-testid=alert-after]", "1")
    await admin.locator("[data-testid=alert-form] button").click()
    await expect(admin.locator("[data-testid=alert-saved]")).to_have_text("Saved.")

    sam = await open_console(browser, server, *SAM)
    await expect(sam.locator("#dashboard-link")).to_be_visible()
    await sam.goto(f"{server.base}/console/dashboard")
    await expect(sam.locator("[data-testid=connection]")).to_have_text("Connected")
    await expect(sam.locator("[data-testid=alert-form]")).to_be_hidden()

    await expect(sam.locator("[data-tile=queue]")).to_have_text("1")
    await expect(sam.locator("[data-tile=active]")).to_have_text("1")
    alert = sam.locator("[data-testid=wait-alert]")
    await expect(alert).to_be_visible()
    await expect(alert).to_contain_text("Lars has waited")
    await expect(sam.locator("[data-tile=today60]")).to_have_text("100%")

    await expect(sam.locator("[data-kpi=chats]")).to_have_text("2")
    await expect(sam.locator("[data-kpi=missed]")).to_have_text("0")
    await expect(sam.locator("[data-kpi=within60]")).to_have_text("100%")
    # Alice was online, with a chat part of that time: both are recorded, so utilisation shows.
    await expect(sam.locator("[data-kpi=utilisation]")).to_have_text(re.compile(r"^\d+(\.\d)?%$"))
    await expect(sam.locator("[data-kpi=concurrent]")).to_contain_text("1 / ")
    # Offline messages are counted (none in this range: both chats found an agent).
    await expect(sam.locator("[data-kpi=offline]")).to_have_text("0")
    await expect(sam.locator("[data-testid=conversion] li")).to_have_count(2)
    for chart in ("response-chart", "volume-chart"):
        await expect(sam.locator(f"[data-testid={chart}] canvas")).to_have_count(1)
    await expect(sam.locator("[data-testid=heatmap] td[data-count='2']")).to_have_count(1)
    rows = sam.locator("[data-testid=agent-kpis] tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first.locator("td").first).to_have_text("Alice Berg")
    await expect(rows.first.locator("td").nth(7)).to_have_text("1")  # peak concurrent chats
    asked = sam.locator("[data-testid=top-questions] > li")
    await expect(asked).to_have_count(2)
    top = sam.locator("[data-testid=top-questions]")
    await expect(top).to_contain_text("Do you ship to Malmö?")
    await shot(sam, "dashboard")
    await sam.locator("[data-testid=heatmap]").scroll_into_view_if_needed()
    await shot(sam, "dashboard-staffing")
    await sam.select_option("[data-testid=heatmap-mode]", "agents")
    await expect(sam.locator("[data-testid=heatmap-note]")).to_contain_text("agents online")
    online_now = sam.locator("[data-testid=heatmap] td[data-count='2']")
    await expect(online_now).not_to_have_attribute("data-agents", "")

    # Answering Lars clears the alert.
    await alice.select_option("[data-testid=status-select]", "online")
    await alice.locator("[data-testid=chat-item]", has_text="Lars").click()
    await alice.locator("[data-testid=composer]").fill("Sorry for the wait!")
    await alice.locator("[data-testid=composer]").press("Enter")
    await expect(alert).to_be_hidden()


async def test_an_agent_is_told_the_dashboard_is_not_for_them(
    server: Server, browser: Browser
) -> None:
    alice = await open_console(browser, server, *ALICE)
    await expect(alice.locator("#dashboard-link")).to_be_hidden()
    await alice.goto(f"{server.base}/console/dashboard")
    await expect(alice.locator("#banner")).to_contain_text("for supervisors and admins")
