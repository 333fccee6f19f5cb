"""The agent console and the supervisor view in headless Chromium, against a real server."""

from __future__ import annotations

import asyncio
import struct
import zlib

import httpx
import pytest
from playwright.async_api import Browser, FilePayload, expect

from tests.conftest import ALICE, BEN, SAM
from tests.e2e.conftest import open_console, open_shop_chat, shot
from tests.support import Server

pytestmark = pytest.mark.browser


async def status_taken(server: Server, creds: tuple[str, str], status: str) -> None:
    """Wait until the server has the status a console's select sent (the select shows it at
    once; the frame takes a moment)."""
    token = await asyncio.to_thread(server.login, *creds)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=server.base, headers=headers, timeout=10) as http:
        deadline = asyncio.get_running_loop().time() + 10
        while (await http.get("/api/v1/agents/me")).json()["status"] != status:
            assert asyncio.get_running_loop().time() < deadline, f"{creds[0]} never {status}"
            await asyncio.sleep(0.05)


def png(width: int = 24, height: int = 16) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    raw = b"".join(b"\x00" + b"\x0f\x76\x6e" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


async def api(
    server: Server, who: tuple[str, str], method: str, path: str, json: object = None
) -> httpx.Response:
    token = await asyncio.to_thread(server.login, *who)
    async with httpx.AsyncClient(base_url=server.base) as http:
        return await http.request(
            method, f"/api/v1{path}", json=json, headers={"Authorization": f"Bearer {token}"}
        )


async def test_saved_reply_by_shortcut_reaches_the_visitor(
    server: Server, browser: Browser
) -> None:
    created = await api(
        server,
        SAM,
        "POST",
        "/saved-replies",
        json={
            "shortcut": "ship",
            "title": "Delivery times",
            "shared": True,
            "body": "Hi {visitor.name}! Orders before 14:00 ship the same day.",
        },
    )
    assert created.status_code == 201
    shop = await open_shop_chat(browser, server, "Maja", "When will it arrive?")
    console = await open_console(browser, server, *ALICE)
    await console.locator("[data-testid=chat-item]").click()
    # Maja gave her name after her question (the card under it): the console names the question
    # and her typing by the name it knows now, not "Visitor".
    question = console.locator("[data-testid=message][data-author-type=visitor]").first
    await expect(question.locator("[data-testid=message-author]")).to_have_text("Maja")
    await shop.locator("[data-testid=composer]").press_sequentially("Hel")
    await expect(console.locator("[data-testid=typing]")).to_have_text("Maja is typing…")
    await shop.locator("[data-testid=composer]").fill("")
    composer = console.locator("[data-testid=composer]")
    # A shortcut with no saved reply behind it is a typo: Enter sends nothing to the customer.
    await composer.press_sequentially("/del")
    await composer.press("Enter")
    await expect(console.locator(".toast", has_text='No saved reply "/del"')).to_be_visible()
    await expect(composer).to_have_value("/del")
    await composer.fill("")
    await composer.press_sequentially("/sh")
    option = console.locator("[data-testid=saved-reply-option]")
    await expect(option).to_have_count(1)
    await expect(option).to_contain_text("Delivery times")
    await composer.press("Enter")
    await expect(composer).to_have_value("Hi Maja! Orders before 14:00 ship the same day.")
    await composer.press("Enter")
    answer = shop.locator(
        "[data-testid=message][data-author-type=agent] [data-testid=message-body]"
    )
    await expect(answer).to_have_text("Hi Maja! Orders before 14:00 ship the same day.")
    await expect(answer).to_have_count(1)  # and "/del" never reached her before it
    replies = (await api(server, ALICE, "GET", "/saved-replies")).json()["items"]
    assert replies[0]["usage_count"] == 1


async def test_supervisor_sees_new_chats_live_and_whispers_unseen_by_the_visitor(
    server: Server, browser: Browser
) -> None:
    console = await open_console(browser, server, *ALICE)
    supervisor = await open_console(browser, server, *SAM)
    # A supervisor who is watching, not answering, is away in the agent console.
    await supervisor.select_option("[data-testid=status-select]", "away")
    await expect(supervisor.locator("[data-testid=status-select]")).to_have_value("away")
    await status_taken(server, SAM, "away")
    await supervisor.goto(f"{server.base}/console/supervisor")
    await expect(supervisor.locator("[data-testid=connection]")).to_have_text("Connected")
    rows = supervisor.locator("[data-testid=chat-row]")
    await expect(rows).to_have_count(0)

    shop = await open_shop_chat(browser, server, "Jonas", "Do you ship to Iceland?")
    await expect(rows).to_have_count(1)  # arrived over the socket: no reload, no polling
    await expect(rows.first).to_contain_text("Jonas")
    await expect(rows.first).to_contain_text("Alice Berg")
    await expect(
        supervisor.locator("[data-testid=agent-row]", has_text="Alice Berg")
    ).to_contain_text("1 / 3")

    await rows.first.click()
    monitor = supervisor.locator("[data-testid=monitor]")
    await expect(monitor.locator("[data-testid=message-body]")).to_have_text(
        ["Do you ship to Iceland?"]
    )
    await supervisor.fill("[data-testid=whisper]", "Yes, via Norway Post, 5-7 days")
    await supervisor.click("[data-testid=send-whisper]")

    await console.locator("[data-testid=chat-item]").click()
    whisper = console.locator("[data-testid=message][data-kind=whisper]")
    await expect(whisper.locator("[data-testid=message-body]")).to_have_text(
        "Yes, via Norway Post, 5-7 days"
    )
    await console.fill("[data-testid=composer]", "Yes, we ship to Iceland in 5-7 days.")
    await console.click("[data-testid=send]")
    agent_answer = shop.locator("[data-testid=message][data-author-type=agent]")
    await expect(agent_answer).to_have_count(1)
    await expect(shop.locator("text=Norway Post")).to_have_count(0)
    await shop.reload()
    await shop.click("[data-testid=parley-bubble]")
    await expect(shop.locator("[data-testid=message]")).to_have_count(2)
    await expect(shop.locator("text=Norway Post")).to_have_count(0)
    await shot(supervisor, "supervisor-view")
    await shot(console, "console-whisper")


async def test_image_from_the_visitor_is_previewed_in_the_console(
    server: Server, browser: Browser, tmp_path: object
) -> None:
    shop = await open_shop_chat(browser, server, "Ingrid", "Here is my frame, does it fit?")
    console = await open_console(browser, server, *ALICE)
    await console.locator("[data-testid=chat-item]").click()
    photo: FilePayload = {"name": "frame.png", "mimeType": "image/png", "buffer": png()}
    await shop.locator("[data-testid=file-input]").set_input_files(files=[photo])
    image = console.locator("[data-testid=attachment-image]")
    await expect(image).to_have_count(1)
    # The address is a signed link fetched with the token in a header: wait for it to load.
    await image.evaluate(LOADED)
    loaded = await image.evaluate("img => img.complete && img.naturalWidth")
    assert loaded == 24
    preview = shop.locator("[data-testid=attachment-image]")
    await expect(preview).to_have_count(1)
    assert await preview.evaluate(LOADED) == 24
    for img in (image, preview):
        src = await img.get_attribute("src")
        assert src is not None
        assert "sig=" in src
        assert "token=" not in src
    await shot(console, "console-image")


# Resolves to the image's natural width once it has loaded.
LOADED = """img => new Promise((resolve, reject) => {
  const done = () => (img.complete && img.naturalWidth ? resolve(img.naturalWidth) : null);
  if (done() !== null) return;
  img.addEventListener("load", done);
  img.addEventListener("error", reject);
  setTimeout(() => reject(new Error("image did not load")), 10000);
})"""


async def test_offer_accept_transfer_and_queue_count_in_the_console(
    server: Server, browser: Browser
) -> None:
    me = (await api(server, ALICE, "GET", "/agents/me")).json()
    r = await api(
        server,
        ("admin@demo.parley", "admin-demo"),
        "PATCH",
        f"/sites/{me['site_id']}",
        json={"routing": {"auto_accept": False, "offer_timeout_s": 60}},
    )
    assert r.status_code == 200
    alice = await open_console(browser, server, *ALICE)
    shop = await open_shop_chat(browser, server, "Per", "I was charged twice")
    await alice.locator("[data-testid=chat-item]").click()
    accept = alice.locator("[data-testid=accept]")
    await expect(accept).to_be_visible()
    await expect(alice.locator("[data-testid=composer]")).to_be_disabled()
    await accept.click()
    await expect(accept).to_be_hidden()
    await expect(shop.locator("[data-testid=status]")).to_contain_text("Alice")

    ben = await open_console(browser, server, *BEN)
    await alice.click("[data-testid=transfer]")
    dialog = alice.locator("[data-testid=transfer-dialog]")
    await expect(dialog).to_be_visible()
    await dialog.locator("[data-testid=transfer-agent]").select_option(
        label="Ben Okafor — online, 0/3 chats"
    )
    await dialog.locator("[data-testid=transfer-note]").fill("Double charge, order 1042")
    await dialog.locator("[data-testid=transfer-submit]").click()
    ben_chat = ben.locator("[data-testid=chat-item]")
    await expect(ben_chat).to_have_count(1)
    await ben_chat.click()
    await expect(
        ben.locator("[data-testid=message][data-kind=note] [data-testid=message-body]")
    ).to_have_text("Double charge, order 1042")
    await expect(shop.locator("[data-testid=agent-name]")).to_contain_text("Ben")
    await expect(shop.locator("text=Double charge")).to_have_count(0)

    # Everyone busy: the next visitor waits, and the consoles show the queue.
    await alice.select_option("[data-testid=status-select]", "busy")
    await ben.select_option("[data-testid=status-select]", "busy")
    await status_taken(server, ALICE, "busy")
    await status_taken(server, BEN, "busy")
    await open_shop_chat(browser, server, "Liv", "Hello?")
    await expect(alice.locator("[data-testid=queue-count]")).to_have_text("1 waiting")
    await expect(ben.locator("[data-testid=queue-count]")).to_have_text("1 waiting")


async def test_an_admin_deactivates_and_resets_an_agent_from_the_console(
    server: Server, browser: Browser
) -> None:
    ben = await open_console(browser, server, *BEN)
    await expect(ben.locator("[data-testid=team]")).to_be_hidden()  # admins only
    admin = await open_console(browser, server, "admin@demo.parley", "admin-demo")
    await admin.click("[data-testid=team]")
    row = admin.locator("[data-testid=team-row][data-email='ben@demo.parley']")
    await row.locator("[data-testid=team-deactivate]").click()
    await expect(row).to_contain_text("deactivated")
    # Ben's open console is signed out at once.
    await expect(ben.locator("#login")).to_be_visible()
    await expect(ben.locator("#login-error")).to_contain_text("Please sign in again")

    await row.locator("[data-testid=team-reactivate]").click()
    await expect(row.locator("[data-testid=team-deactivate]")).to_be_visible()
    await row.locator("[data-testid=team-password]").fill("short")
    await row.locator("[data-testid=team-reset]").click()
    await expect(row.locator("[data-testid=team-error]")).to_contain_text("password")
    await row.locator("[data-testid=team-password]").fill("a-new-password-for-ben")
    await row.locator("[data-testid=team-reset]").click()
    await expect(row.locator("[data-testid=team-password]")).to_have_value("")  # list redrawn
    await expect(row.locator("[data-testid=team-error]")).to_have_text("")
    await shot(admin, "console-team")
    assert (
        await api(server, (BEN[0], "a-new-password-for-ben"), "GET", "/agents/me")
    ).status_code == 200
