"""Data protection in the console, in a real browser: an admin exports a visitor's data and
erases them from the visitor panel (typed confirmation); their chat leaves the list and the
archive, the other visitor's stays; the audit log and the retention period in the Privacy dialog.
Agents who are not admins see none of it."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.async_api import Browser, expect

from tests.conftest import BEN
from tests.e2e.conftest import open_console, shot
from tests.support import Client, Server, msg_id, visitor

ADMIN = ("admin@demo.parley", "admin-demo")


async def _chat(server: Server, name: str, text: str) -> tuple[Client, str]:
    v, _ = await visitor(server, "demo-nordlys")
    await v.send(
        {"type": "chat.start", "pre_chat": {"name": name}, "message": text,
         "client_msg_id": msg_id()}
    )  # fmt: skip
    chat_id: str = (await v.expect("chat.started"))["chat_id"]
    await v.expect("chat.assigned", chat_id=chat_id)
    return v, chat_id


async def test_an_admin_erases_a_visitor_from_the_console(
    server: Server, browser: Browser, tmp_path: Path
) -> None:
    admin = await open_console(browser, server, *ADMIN)
    await admin.select_option("[data-testid=status-select]", "online")
    vera, vera_chat = await _chat(server, "Vera", "my address is Elm street 5")
    walt, walt_chat = await _chat(server, "Walt", "where is my parcel")
    items = admin.locator("[data-testid=chat-item]")
    await expect(items).to_have_count(2)
    # Finished chats, so the archive (closed chats by default) lists them; they stay listed.
    for v, chat_id in ((vera, vera_chat), (walt, walt_chat)):
        await v.send({"type": "chat.close", "chat_id": chat_id})
        await v.expect("chat.closed", chat_id=chat_id)
    await expect(items).to_have_count(2)

    ben = await open_console(browser, server, *BEN)
    await expect(ben.locator("[data-testid=privacy]")).to_be_hidden()
    await expect(ben.locator("[data-testid=privacy-actions]")).to_be_hidden()

    await items.filter(has_text="Vera").click()
    actions = admin.locator("[data-testid=privacy-actions]")
    await expect(actions).to_be_visible()
    async with admin.expect_download() as info:
        await actions.locator("[data-testid=export-visitor]").click()
    download = await info.value
    saved = tmp_path / "export.json"
    await download.save_as(saved)
    exported = json.loads(saved.read_text())
    assert exported["chats"][0]["id"] == vera_chat
    assert "Elm street 5" in saved.read_text()

    await actions.locator("[data-testid=erase-visitor]").click()
    dialog = admin.locator("[data-testid=erase-dialog]")
    go = dialog.locator("[data-testid=erase-go]")
    await expect(go).to_be_disabled()
    await dialog.locator("[data-testid=erase-confirm]").fill("erase")  # must be typed exactly
    await expect(go).to_be_disabled()
    await dialog.locator("[data-testid=erase-confirm]").fill("ERASE")
    await shot(admin, "console-erase-visitor")
    await go.click()
    await expect(items.filter(has_text="Vera")).to_have_count(0)
    await expect(items.filter(has_text="Walt")).to_have_count(1)
    assert (await vera.expect("session.closed"))["reason"] == "erased"

    # The archive no longer has the chat; the other visitor's is there.
    await admin.goto(f"{server.base}/console/archive")
    result = "[data-testid=archive-result][data-chat-id='{}']"
    await expect(admin.locator(result.format(walt_chat))).to_have_count(1)
    await expect(admin.locator(result.format(vera_chat))).to_have_count(0)

    # The audit log shows the export and the erasure; the retention period is set here too.
    await admin.goto(f"{server.base}/console")
    await expect(admin.locator("[data-testid=connection]")).to_have_text("Connected")
    await admin.click("[data-testid=privacy]")
    privacy = admin.locator("[data-testid=privacy-dialog]")
    entries = privacy.locator("[data-testid=audit-entry]")
    await expect(entries).to_have_count(2)
    await expect(entries.first).to_have_attribute("data-action", "visitor.erased")
    await expect(entries.first).to_contain_text("Admin")
    await privacy.locator("[data-testid=retention-days]").fill("30")
    await privacy.locator("[data-testid=retention-form] button[type=submit]").click()
    await expect(privacy.locator("[data-testid=retention-note]")).to_contain_text("30 days")
    await expect(entries).to_have_count(3)
    await shot(admin, "console-privacy")
    await walt.close()
