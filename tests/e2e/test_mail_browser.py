"""Transcripts in Chromium: the visitor asks in the widget, the agent sends from the console."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.conftest import ALICE
from tests.e2e.conftest import fill_prechat, open_console, shot
from tests.e2e.mail_support import SmtpServer, parts
from tests.support import Server

ADMIN = ("admin@demo.parley", "admin-demo")


async def test_visitor_gets_the_transcript_from_the_widget_and_the_agent_sends_one(
    mail_server: Server, smtp: SmtpServer, browser: Browser
) -> None:
    server = mail_server
    console = await open_console(browser, server, *ALICE)
    shop = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
    await shop.goto(f"{server.base}/demo")
    await shop.click("[data-testid=parley-bubble]")
    # The tick box: the transcript comes by itself when the chat closes.
    await fill_prechat(
        shop, "Maja", "Is the <script>x</script> frame in stock?", "maja@example.com", True
    )
    await expect(shop.locator("[data-testid=message][data-author-type=visitor]")).to_have_count(1)

    await console.locator("[data-testid=chat-item]").click()
    await console.fill("[data-testid=composer]", "Yes, two in stock in Oslo.")
    await console.click("[data-testid=send]")
    answer = shop.locator("[data-testid=message][data-author-type=agent]")
    await expect(answer).to_have_count(1)
    # The agent e-mails it to the shop's own address from the console.
    send = console.locator("[data-testid=send-transcript]")
    await expect(send).to_be_enabled()
    await send.click()
    await expect(console.locator("[data-testid=send-transcript-email]")).to_have_value(
        "maja@example.com"
    )
    await console.fill("[data-testid=send-transcript-email]", "desk@nordlys.example")
    await console.click("[data-testid=send-transcript-submit]")
    await expect(console.locator("[data-testid=send-transcript-result]")).to_have_text(
        "Queued for desk@nordlys.example."
    )
    [desk] = await smtp.inbox.wait_for("desk@nordlys.example")
    assert "Yes, two in stock in Oslo." in parts(desk)[0]
    await console.click("[data-testid=send-transcript-cancel]")

    await console.click("[data-testid=close-chat]")
    [on_close] = await smtp.inbox.wait_for("maja@example.com")
    assert "Yes, two in stock in Oslo." in parts(on_close)[0]

    # After the close: the link, pre-filled with the pre-chat e-mail.
    link = shop.locator("[data-testid=transcript-open]")
    await expect(link).to_be_visible()
    await link.click()
    await expect(shop.locator("[data-testid=transcript-email]")).to_have_value("maja@example.com")
    await shop.click("[data-testid=transcript-send]")
    await expect(shop.locator("[data-testid=transcript-status]")).to_have_text(
        "On its way to maja@example.com."
    )
    await shot(shop, "widget-transcript-requested")
    mails = await smtp.inbox.wait_for("maja@example.com", count=2)
    text, html = parts(mails[1])
    assert "Alice Berg" in text
    assert "Yes, two in stock in Oslo." in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html

    # That was the third for this chat in the hour (the desk's, on close, this one): a
    # fourth is refused, and the widget says so.
    await shop.click("[data-testid=transcript-open]")
    await shop.click("[data-testid=transcript-send]")
    await expect(shop.locator("[data-testid=transcript-status]")).to_contain_text(
        "a few times already"
    )

    # The rendered mail, as the customer's mail program shows it.
    viewer = await (await browser.new_context(viewport={"width": 700, "height": 600})).new_page()
    await viewer.set_content(html)
    await expect(viewer.get_by_text("Yes, two in stock in Oslo.")).to_be_visible()
    assert await viewer.locator("script").count() == 0
    await shot(viewer, "transcript-email")


async def test_console_explains_why_transcripts_are_off_without_smtp(
    server: Server, browser: Browser
) -> None:
    console = await open_console(browser, server, *ADMIN)
    await console.click("[data-testid=mail]")
    await expect(console.locator("[data-testid=mail-state]")).to_contain_text("PARLEY_SMTP_URL")
    await expect(console.locator("[data-testid=mail-empty]")).to_be_visible()
    send = console.locator("[data-testid=send-transcript]")
    await expect(send).to_be_disabled()
    assert "PARLEY_SMTP_URL" in (await send.get_attribute("title") or "")
