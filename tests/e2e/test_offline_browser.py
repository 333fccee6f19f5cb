"""Offline messages in Chromium: the admin sets office hours and FAQ answers in the admin page, a
visitor on /demo meets the plain "we're away" form, sees a FAQ answer as they type, leaves a
message; an agent answers it from the console and the visitor gets it by e-mail. And the shop
that hides its bubble while away.

The server's office-hours clock stands at Sunday 2026-03-29 17:30 in Copenhagen (the day summer
time starts): outside weekday hours, whatever the machine's clock says.
"""

from __future__ import annotations

import asyncio

from playwright.async_api import Browser, expect

from tests.conftest import ALICE
from tests.e2e.axe import describe, severe_violations
from tests.e2e.conftest import open_console, shot
from tests.e2e.mail_support import SmtpServer, parts
from tests.e2e.test_admin_browser import admin_page
from tests.e2e.test_mail import ADMIN, call, site_id_of
from tests.e2e.test_offline import DAYTIME, server
from tests.support import Server

__all__ = ["server"]  # the fixture, shared with test_offline.py


async def test_offline_form_faq_suggestion_and_the_answer_by_mail(
    server: Server, smtp: SmtpServer, browser: Browser
) -> None:
    token = await asyncio.to_thread(server.login, *ADMIN)
    reply = {
        "shortcut": "delivery",
        "title": "Delivery times",
        "body": "Bikes are delivered within 3 to 5 working days.",
        "shared": True,
    }
    r = await call(server, "POST", "/saved-replies", token, json=reply)
    assert r.status_code == 201, r.text

    # The admin: office hours on weekdays, Copenhagen time, a notify address (the admin page's
    # office hours section, reached from the console's "Office hours" link).
    admin = await open_console(browser, server, *ADMIN)
    await admin.click("[data-testid=office-hours]")
    await expect(admin.locator("[data-testid=admin-main][data-section=hours]")).to_be_visible()
    form = admin.locator("[data-testid=hours-form]")
    await form.locator("[data-testid=field-use_hours]").check()
    await form.locator("[data-testid=field-office_hours-timezone]").select_option(
        "Europe/Copenhagen"
    )
    await form.locator("[data-testid=field-notify_emails]").fill("desk@nordlys.example")
    await form.locator("[data-testid=field-office_hours-holidays]").fill("christmas")
    await form.locator("[data-testid=hours-form-submit]").click()
    # The server's refusal shows beside the field it names.
    holidays_error = form.locator("[data-testid=error-office_hours-holidays]")
    await expect(holidays_error).to_contain_text("date")
    await expect(form.locator("[data-testid=error-notify_emails]")).to_be_hidden()
    await expect(form.locator("[data-testid=hours-form-error]")).to_be_hidden()
    await shot(admin, "offline-hours-error")
    await form.locator("[data-testid=field-office_hours-holidays]").fill("2026-12-24")
    await form.locator("[data-testid=hours-form-submit]").click()
    await expect(form.locator(".form-status")).to_have_text("Saved.")
    await expect(holidays_error).to_be_hidden()
    await shot(admin, "offline-hours")
    # ...and the FAQ tick, on the shared saved reply in the admin page's saved replies.
    await admin_page(admin, server, "replies")
    row = admin.locator("[data-testid=reply-row][data-shortcut=delivery]")
    await row.locator("summary").click()
    faq = row.locator("[data-testid=faq-toggle]")
    await expect(faq).not_to_be_checked()
    await faq.check()
    await expect(row.locator("[data-testid=faq-status]")).to_have_text("Saved.")
    await expect(row.locator("[data-testid=faq-error]")).to_be_hidden()
    found = await severe_violations(admin, "[data-testid=reply-list]")
    assert not found, describe(found)
    site = (await call(server, "GET", f"/sites/{await site_id_of(server, token)}", token)).json()
    assert site["office_hours"]["timezone"] == "Europe/Copenhagen"
    assert site["office_hours"]["weekly"]["mon"] == [["09:00", "17:00"]]
    assert site["office_hours"]["weekly"]["sun"] == []
    assert site["office_hours"]["holidays"] == ["2026-12-24"]
    assert site["notify_emails"] == ["desk@nordlys.example"]
    replies = (await call(server, "GET", "/saved-replies", token)).json()["items"]
    assert [r["faq"] for r in replies] == [True]

    alice = await open_console(browser, server, *ALICE)  # online, but outside office hours

    shop = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
    await shop.goto(f"{server.base}/demo")
    await shop.click("[data-testid=parley-bubble]")
    await expect(shop.locator("[data-testid=availability]")).to_have_text(
        "We're away right now. Leave us a message and we'll answer by e-mail."
    )
    await expect(shop.locator("[data-testid=prechat-submit]")).to_have_text("Send message")
    await shop.fill("[data-testid=prechat-name]", "Maja")
    await shop.locator("[data-testid=prechat-message]").press_sequentially(
        "When will my bike be delivered?"
    )
    suggestion = shop.locator("[data-testid=faq-item]")
    await expect(suggestion).to_have_count(1)
    await expect(suggestion.locator("summary")).to_have_text("Delivery times")
    await suggestion.locator("summary").click()
    await expect(suggestion).to_contain_text("within 3 to 5 working days")
    await shot(shop, "offline-widget-faq")
    # The e-mail is needed to answer: asked for before anything is sent.
    await shop.click("[data-testid=prechat-submit]")
    await expect(shop.locator("[role=alert]")).to_have_text(
        "Please give your e-mail so we can answer you."
    )
    await shop.fill("[data-testid=prechat-email]", "maja@example.com")
    await shop.click("[data-testid=prechat-submit]")
    await expect(shop.locator("[data-testid=status]")).to_contain_text(
        "We're away right now. We got your message and will answer by e-mail at maja@example.com"
    )
    await expect(shop.locator("[data-testid=message][data-author-type=visitor]")).to_have_count(1)
    await shot(shop, "offline-widget-sent")
    [notice] = await smtp.inbox.wait_for("desk@nordlys.example", timeout=10)
    assert "When will my bike be delivered?" in parts(notice)[0]

    # The agent finds it in the console and answers; the visitor gets it by e-mail.
    await alice.click("[data-testid=offline-inbox]")
    row = alice.locator("[data-testid=offline-row]")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("Maja")
    await row.locator("button").click()
    await expect(alice.locator("[data-testid=offline-messages]")).to_contain_text(
        "When will my bike be delivered?"
    )
    await alice.fill("[data-testid=offline-reply]", "Tomorrow before noon.")
    await alice.click("[data-testid=offline-send]")
    await expect(alice.locator("[data-testid=offline-result]")).to_contain_text("Sent.")
    await shot(alice, "offline-console-answer")
    [answer] = await smtp.inbox.wait_for("maja@example.com", timeout=10)
    assert "Tomorrow before noon." in parts(answer)[0]
    # ...and sees it in the widget too.
    await expect(shop.locator("[data-testid=message][data-author-type=agent]")).to_contain_text(
        "Tomorrow before noon."
    )
    # Done: it leaves the agents' list, and the visitor's chat ends.
    await alice.click("[data-testid=offline-done]")
    await expect(alice.locator("[data-testid=offline-empty]")).to_be_visible()
    await expect(alice.locator("[data-testid=offline-inbox]")).to_have_text("Offline messages")
    await expect(shop.locator("[data-testid=status]")).to_have_text("This chat has ended")


async def test_the_bubble_hides_while_away_when_the_shop_asks(
    server: Server, browser: Browser
) -> None:
    token = await asyncio.to_thread(server.login, *ADMIN)
    site_id = await site_id_of(server, token)
    body = {"office_hours": DAYTIME, "hide_when_offline": False}
    assert (await call(server, "PATCH", f"/sites/{site_id}", token, json=body)).status_code == 200
    page = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
    await page.goto(f"{server.base}/demo")
    await expect(page.locator("[data-testid=parley-bubble]")).to_be_visible()

    body["hide_when_offline"] = True
    assert (await call(server, "PATCH", f"/sites/{site_id}", token, json=body)).status_code == 200
    await page.reload()
    host = page.locator("#parley-widget")
    await expect(host).to_have_attribute("data-hidden", "unavailable")
    await expect(page.locator("[data-testid=parley-bubble]")).to_be_hidden()
    await shot(page, "offline-bubble-hidden")

    # Inside office hours (none at all, an agent online) the bubble is back.
    alice = await open_console(browser, server, *ALICE)
    body["office_hours"] = None
    assert (await call(server, "PATCH", f"/sites/{site_id}", token, json=body)).status_code == 200
    await page.reload()
    await expect(page.locator("[data-testid=parley-bubble]")).to_be_visible()
    await expect(host).not_to_have_attribute("data-hidden", "unavailable")
    await alice.close()
