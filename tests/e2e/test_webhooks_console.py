"""The console's webhooks dialog in a real browser, against real receivers: an admin adds an
endpoint (the secret shown once), sees its deliveries arrive in the log, redelivers one (the
receiver gets it again with the same X-Parley-Delivery), edits it, rotates its secret, is told
when Parley switched a failing endpoint off, turns it on again and deletes one."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.conftest import BEN, DEMO_SITE_KEY, running_server
from tests.e2e.conftest import open_console, shot
from tests.e2e.test_crm_console import ADMIN, call
from tests.e2e.test_webhooks import FAST
from tests.e2e.webhook_receiver import Receiver
from tests.support import Client, Server, eventually, msg_id, visitor


async def start_chat(server: Server, text: str) -> tuple[Client, str]:
    v, _ = await visitor(server, DEMO_SITE_KEY)
    await v.send(
        {
            "type": "chat.start",
            "pre_chat": {"name": "Vera", "department": "sales"},
            "message": text,
            "client_msg_id": msg_id(),
        }
    )
    chat_id: str = (await v.expect("chat.started"))["chat_id"]
    return v, chat_id


@pytest.fixture
def webhook_server(tmp_path: Path) -> Iterator[Server]:
    """Loopback receivers allowed; an endpoint failing for 3 s is switched off. Started outside
    the test's event loop (creating a PostgreSQL database runs a loop of its own)."""
    with running_server(tmp_path, **FAST, PARLEY_WEBHOOKS_GIVE_UP_S="3") as server:
        yield server


async def test_admin_manages_webhooks_in_the_console(
    webhook_server: Server, browser: Browser
) -> None:
    server = webhook_server
    good, down = Receiver().start(), Receiver().start()
    down.status = 500
    try:
        ben = await open_console(browser, server, *BEN)
        await expect(ben.locator("[data-testid=webhooks]")).to_be_hidden()  # admins only
        page = await open_console(browser, server, *ADMIN)
        await expect(page.locator("[data-testid=webhooks-notice]")).to_be_hidden()
        await page.click("[data-testid=webhooks]")
        dialog = page.locator("[data-testid=webhooks-dialog]")
        await expect(dialog.locator("[data-testid=webhooks-list]")).to_contain_text("No webhooks")

        # A refused URL: the server's reason next to the field, nothing created.
        await dialog.locator("[data-testid=webhook-url]").fill("ftp://crm.example/hook")
        await dialog.locator("[data-testid=webhook-create]").click()
        await expect(dialog.locator("[data-testid=webhook-url-error]")).not_to_be_empty()
        # No event ticked: the 422 names the field.
        await dialog.locator("[data-testid=webhook-url]").fill(good.url("/a"))
        await dialog.locator("input[data-event='chat.closed']").uncheck()
        await dialog.locator("[data-testid=webhook-create]").click()
        await expect(dialog.locator("[data-testid=webhook-events-error]")).to_contain_text("events")

        await dialog.locator("input[data-event='chat.started']").check()
        await dialog.locator("input[data-event='message.created']").check()
        await dialog.locator("[data-testid=webhook-create]").click()
        secret_box = dialog.locator("[data-testid=webhook-shown] [data-testid=webhook-secret]")
        await expect(secret_box).to_be_visible()
        secret = await secret_box.input_value()
        assert secret.startswith("whsec_")
        row = dialog.locator(f"[data-testid=webhook-row][data-url='{good.url('/a')}']")
        await expect(row.locator("[data-testid=webhook-state]")).to_have_text("enabled")

        # A chat: its events arrive, signed with the secret the dialog showed.
        v, chat_id = await start_chat(server, "Hello from the shop")
        started = await good.expect("chat.started", chat_id=chat_id)
        assert started.signed_with(secret)
        await good.expect("message.created", chat_id=chat_id)

        await row.locator("[data-testid=webhook-deliveries]").click()
        log = row.locator("[data-testid=webhook-log]")
        delivered = log.locator(f"[data-testid=delivery-row][data-id='{started.delivery}']")
        await expect(delivered.locator("[data-testid=delivery-status]")).to_have_text("delivered")
        await expect(delivered.locator("[data-testid=delivery-code]")).to_have_text("200")
        await expect(log.locator("[data-testid=delivery-row]")).to_have_count(2)
        await shot(page, "console-webhooks")

        # Redeliver: the receiver gets the same delivery again.
        before = len(good.got())
        await delivered.locator("[data-testid=delivery-redeliver]").click()
        await eventually(lambda: len(good.got()) > before, what="the redelivery")
        again = good.got()[-1]
        assert again.delivery == started.delivery
        assert again.raw == started.raw
        assert again.signed_with(secret)
        await log.locator("[data-testid=webhook-log-refresh]").click()
        await expect(delivered.locator("[data-testid=delivery-attempts]")).to_have_text("2")

        # Edit: only chat.closed from now on.
        await row.locator("[data-testid=webhook-edit]").click()
        editor = row.locator("[data-testid=webhook-editor]")
        await editor.locator("[data-testid=webhook-edit-url]").fill("http://")
        await editor.locator("[data-testid=webhook-save]").click()
        await expect(editor.locator("[data-testid=webhook-edit-url-error]")).not_to_be_empty()
        await editor.locator("[data-testid=webhook-edit-url]").fill(good.url("/a"))
        for name in ("chat.started", "message.created"):
            await editor.locator(f"input[data-event='{name}']").uncheck()
        await editor.locator("input[data-event='chat.closed']").check()
        await editor.locator("[data-testid=webhook-save]").click()
        await expect(row.locator("[data-testid=webhook-row-events]")).to_have_text("chat.closed")

        # Rotate: a new secret, shown once; the next delivery is signed with both.
        page.once("dialog", lambda d: asyncio.ensure_future(d.accept()))
        await row.locator("[data-testid=webhook-rotate]").click()
        rotated_box = dialog.locator("[data-testid=webhook-shown] [data-testid=webhook-secret]")
        await expect(rotated_box).to_be_visible()
        await expect(row.locator("[data-testid=webhook-rotation]")).to_contain_text(
            "previous secret also signs until"
        )
        await expect(rotated_box).not_to_have_value(secret)
        rotated = await rotated_box.input_value()
        assert rotated.startswith("whsec_")
        assert rotated != secret
        await v.send({"type": "chat.close", "chat_id": chat_id})
        closed = await good.expect("chat.closed", chat_id=chat_id)
        assert closed.signed_with(rotated)
        assert closed.signed_with(secret)
        await v.close()

        # A second endpoint whose receiver keeps failing is switched off: admins are told.
        await dialog.locator("[data-testid=webhook-url]").fill(down.url("/b"))
        await dialog.locator("input[data-event='chat.started']").check()
        await dialog.locator("[data-testid=webhook-create]").click()
        bad_row = dialog.locator(f"[data-testid=webhook-row][data-url='{down.url('/b')}']")
        await expect(bad_row).to_be_visible()
        w, _ = await start_chat(server, "Anyone there?")
        admin_token = await asyncio.to_thread(server.login, *ADMIN)

        async def switched_off() -> bool:
            hooks = (await call(server, admin_token, "GET", "/webhooks")).json()["items"]
            return any(h["url"] == down.url("/b") and not h["enabled"] for h in hooks)

        for _ in range(100):
            if await switched_off():
                break
            await asyncio.sleep(0.1)
        assert await switched_off()
        await w.close()
        await page.reload()
        await expect(page.locator("[data-testid=connection]")).to_have_text("Connected")
        notice = page.locator("[data-testid=webhooks-notice]")
        await expect(notice).to_be_visible()
        await expect(notice).to_contain_text(down.url("/b"))
        await expect(notice).to_contain_text("HTTP 500")
        await expect(ben.locator("[data-testid=webhooks-notice]")).to_be_hidden()
        await page.click("[data-testid=webhooks]")
        bad_state = bad_row.locator("[data-testid=webhook-state]")
        await expect(bad_state).to_contain_text("disabled automatically")
        await expect(bad_state).to_contain_text("HTTP 500")
        await shot(page, "console-webhooks-disabled")
        down.status = 200
        await bad_row.locator("[data-testid=webhook-enable]").click()
        await expect(bad_state).to_have_text("enabled")
        await expect(notice).to_be_hidden()

        # Delete, after confirming.
        page.once("dialog", lambda d: asyncio.ensure_future(d.accept()))
        await bad_row.locator("[data-testid=webhook-delete]").click()
        await expect(bad_row).to_have_count(0)
        hooks = (await call(server, admin_token, "GET", "/webhooks")).json()["items"]
        assert [h["url"] for h in hooks] == [good.url("/a")]
    finally:
        good.stop()
        down.stop()
