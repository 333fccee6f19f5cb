"""E-mail and transcripts against a real server and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.conftest import ALICE, BEN, DEMO_SITE_KEY, running_server
from tests.e2e.mail_support import SmtpServer, mail_env, parts
from tests.e2e.routing_support import Shop
from tests.support import Client, Server, agent, msg_id, visitor

ADMIN = ("admin@demo.parley", "admin-demo")
ZONE = "America/New_York"


@pytest.fixture
def flaky_server(tmp_path: Path, smtp_down: SmtpServer) -> Iterator[Server]:
    """Sends through ``smtp_down``, retrying quickly (every 0.2-0.5 s) while it is down."""
    # A short SMTP timeout: a mail whose send the kill cuts off is free again after 2x1+5 s.
    env = mail_env(
        smtp_down.url,
        PARLEY_MAIL_RETRY_BASE_S="0.2",
        PARLEY_MAIL_RETRY_MAX_S="0.5",
        PARLEY_SMTP_TIMEOUT_S="1",
    )
    with running_server(tmp_path, **env) as server:
        yield server


@pytest.fixture
def giving_up_server(tmp_path: Path, smtp_down: SmtpServer) -> Iterator[Server]:
    """Sends through ``smtp_down`` and gives a mail up after two failed attempts."""
    env = mail_env(
        smtp_down.url,
        PARLEY_MAIL_RETRY_BASE_S="0.1",
        PARLEY_MAIL_RETRY_MAX_S="0.2",
        PARLEY_MAIL_MAX_ATTEMPTS="2",
    )
    with running_server(tmp_path, **env) as server:
        yield server


async def call(server: Server, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        return await http.request(
            method, f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, **kwargs
        )


async def site_id_of(server: Server, token: str) -> str:
    me = (await call(server, "GET", "/agents/me", token)).json()
    site_id: str = me["site_id"]
    return site_id


async def start_chat(v: Client, text: str, **pre_chat: Any) -> str:
    await v.send(
        {
            "type": "chat.start",
            "pre_chat": {"name": "Maja", "email": "maja@example.com", **pre_chat},
            "message": text,
            "client_msg_id": msg_id(),
        }
    )
    chat_id: str = (await v.expect("chat.started"))["chat_id"]
    return chat_id


async def say(sender: Client, chat_id: str, body: str, kind: str = "public") -> None:
    ref = msg_id()
    frame = {"type": "message.send", "chat_id": chat_id, "client_msg_id": ref, "body": body}
    await sender.answer({**frame, "kind": kind}, "message.ack", client_msg_id=ref)


async def request(v: Client, chat_id: str, address: str) -> dict[str, Any]:
    """Send transcript.request; the answer is transcript.queued or an error."""
    before = {id(f) for f in v.frames}
    await v.send({"type": "transcript.request", "chat_id": chat_id, "email": address})
    return await v.wait_for(
        lambda f: id(f) not in before and f.get("type") in ("transcript.queued", "error"),
        10,
        "an answer to transcript.request",
    )


def local_time(iso_time: str, zone: str) -> str:
    """A time as an English site's transcript writes it: ``Nov 6, 2026, 22:13``."""
    when = datetime.fromisoformat(iso_time.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    return f"{when:%b} {when.day}, {when:%Y, %H:%M}"


LOGO = "https://cdn.nordlys.example/logo.png"


async def test_transcript_holds_public_messages_in_site_zone_escaped_and_is_rate_limited(
    mail_server: Server, smtp: SmtpServer
) -> None:
    server = mail_server
    admin_token = await asyncio.to_thread(server.login, *ADMIN)
    site_id = await site_id_of(server, admin_token)
    patched = await call(
        server, "PATCH", f"/sites/{site_id}", admin_token,
        json={"timezone": ZONE, "theme_color": "#aa3355", "logo_url": LOGO},
    )  # fmt: skip
    assert patched.status_code == 200, patched.text
    assert patched.json()["timezone"] == ZONE
    assert patched.json()["transcripts"] is True
    bad_zone = await call(
        server, "PATCH", f"/sites/{site_id}", admin_token, json={"timezone": "Mars/Olympus"}
    )
    assert bad_zone.status_code == 422

    a, _ = await agent(server, *ALICE)
    v, session = await visitor(server, DEMO_SITE_KEY)
    assert session["config"]["transcripts"] is True
    chat_id = await start_chat(v, "<script>alert('x')</script> & is the 500 Wh in stock?")
    await a.expect("chat.assigned", chat_id=chat_id)
    await say(a, chat_id, "Yes, <b>two</b> left — shall I reserve one?")
    await say(a, chat_id, "WHISPER-SECRET check stock first", kind="whisper")
    await say(a, chat_id, "NOTE-SECRET returning customer", kind="note")
    await say(v, chat_id, "Please do!")

    queued = await request(v, chat_id, "maja@example.com")
    assert queued == {"type": "transcript.queued", "chat_id": chat_id}
    [mail] = await smtp.inbox.wait_for("maja@example.com")

    text, html = parts(mail)
    assert mail["From"] == "Nordlys Bikes <chat@nordlys.example>"
    assert "Nordlys" in mail["Subject"]
    alice_token = await asyncio.to_thread(server.login, *ALICE)
    stored = (await call(server, "GET", f"/chats/{chat_id}/messages", alice_token)).json()
    public = [m for m in stored["items"] if m["kind"] == "public"]
    assert len(public) == 3
    for m in public:
        shown = local_time(m["created_at"], ZONE)
        assert shown in text
        assert shown in html
        assert m["body"] in text
    assert "Alice Berg" in text
    assert "Alice Berg" in html
    assert "Maja" in html
    # The visitor's markup is text in the HTML part, never markup.
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<b>two</b>" not in html
    assert "&lt;b&gt;two&lt;/b&gt;" in html
    assert "<script>alert('x')</script>" in text
    assert "#aa3355" in html
    assert f'<img src="{LOGO}"' in html  # the shop's logo heads the mail
    raw = mail.as_string()
    assert "WHISPER-SECRET" not in raw
    assert "NOTE-SECRET" not in raw

    # Two more are fine (3 an hour per chat); the 4th is refused, by REST too.
    for _ in range(2):
        assert (await request(v, chat_id, "maja@example.com"))["type"] == "transcript.queued"
    refused = await request(v, chat_id, "maja@example.com")
    assert refused["code"] == "rate_limited"
    assert refused["retry_after_s"] > 0
    by_agent = await call(
        server, "POST", f"/chats/{chat_id}/transcript", alice_token,
        json={"email": "boss@example.com"},
    )  # fmt: skip
    assert by_agent.status_code == 429
    assert int(by_agent.headers["Retry-After"]) > 0
    await smtp.inbox.wait_for("maja@example.com", count=3)

    # Without a logo the mail is headed by the shop's name alone.
    unset = await call(server, "PATCH", f"/sites/{site_id}", admin_token, json={"logo_url": None})
    assert unset.status_code == 200, unset.text

    # Another visitor's chat is not this one's budget; nor can they ask for this chat.
    other, _ = await visitor(server, DEMO_SITE_KEY)
    assert (await request(other, chat_id, "evil@example.com"))["code"] == "not_found"
    other_chat = await start_chat(other, "Hi there", name="Jon", email="jon@example.com")
    await a.expect("chat.assigned", chat_id=other_chat)
    sent = await call(
        server, "POST", f"/chats/{other_chat}/transcript", alice_token,
        json={"email": "jon@example.com"},
    )  # fmt: skip
    assert sent.status_code == 202, sent.text
    assert sent.json()["chat_id"] == other_chat
    # Ben may not mail a live chat that is Alice's.
    ben_token = await asyncio.to_thread(server.login, *BEN)
    denied = await call(
        server, "POST", f"/chats/{other_chat}/transcript", ben_token,
        json={"email": "ben@example.com"},
    )  # fmt: skip
    assert denied.status_code == 403
    [jon_mail] = await smtp.inbox.wait_for("jon@example.com")
    assert "Hi there" in parts(jon_mail)[0]
    assert "<img" not in parts(jon_mail)[1]
    assert "Nordlys" in parts(jon_mail)[1]
    assert "<script>" not in jon_mail.as_string()

    # The admin's outbox lists them as sent; an agent may not look.
    await eventually_sent(server, admin_token, 4)
    assert (await call(server, "GET", "/mail/outbox", alice_token)).status_code == 403
    await v.close()
    await other.close()
    await a.close()


async def eventually_sent(server: Server, admin_token: str, count: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []

    async def poll() -> None:
        nonlocal items
        while True:
            page = await call(server, "GET", "/mail/outbox?status=sent", admin_token)
            items = page.json()["items"]
            if len(items) >= count:
                return
            await asyncio.sleep(0.1)

    await asyncio.wait_for(poll(), 15)
    return items


async def test_transcript_on_close_when_ticked_and_site_can_turn_them_off(
    mail_server: Server, smtp: SmtpServer
) -> None:
    server = mail_server
    a, _ = await agent(server, *ALICE)
    v, _ = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start_chat(v, "Send me the chat please", transcript=True)
    await a.expect("chat.assigned", chat_id=chat_id)
    await say(a, chat_id, "Sure, it comes when we are done.")
    await a.answer({"type": "chat.close", "chat_id": chat_id}, "chat.closed", chat_id=chat_id)
    [mail] = await smtp.inbox.wait_for("maja@example.com")
    text, html = parts(mail)
    assert "Sure, it comes when we are done." in text
    assert "Alice Berg" in html

    # Without the tick box nothing is sent on close: proved after a later mail arrives.
    v2, _ = await visitor(server, DEMO_SITE_KEY)
    plain_chat = await start_chat(v2, "No copy needed", name="Ola", email="ola@example.com")
    await a.expect("chat.assigned", chat_id=plain_chat)
    await a.answer({"type": "chat.close", "chat_id": plain_chat}, "chat.closed", chat_id=plain_chat)
    assert (await request(v2, plain_chat, "marker@example.com"))["type"] == "transcript.queued"
    await smtp.inbox.wait_for("marker@example.com")
    assert smtp.inbox.to("ola@example.com") == []

    admin_token = await asyncio.to_thread(server.login, *ADMIN)
    site_id = await site_id_of(server, admin_token)
    off = await call(server, "PATCH", f"/sites/{site_id}", admin_token, json={"transcripts": False})
    assert off.json()["transcripts"] is False
    refused = await request(v, chat_id, "maja@example.com")
    assert refused["code"] == "unavailable"
    _, session = await visitor(server, DEMO_SITE_KEY)
    assert session["config"]["transcripts"] is False

    # A second shop's settings are its own.
    shop = await Shop.create(server, "Second shop")
    shop_visitor, shop_session = await visitor(server, shop.site_key)
    assert shop_session["config"]["transcripts"] is True
    await shop_visitor.close()
    await v.close()
    await v2.close()
    await a.close()


async def test_without_smtp_transcripts_answer_unavailable(server: Server) -> None:
    a, _ = await agent(server, *ALICE)
    v, session = await visitor(server, DEMO_SITE_KEY)
    assert session["config"]["transcripts"] is False
    chat_id = await start_chat(v, "Hello")
    await a.expect("chat.assigned", chat_id=chat_id)
    refused = await request(v, chat_id, "maja@example.com")
    assert refused["code"] == "unavailable"
    token = await asyncio.to_thread(server.login, *ALICE)
    status = (await call(server, "GET", "/mail/status", token)).json()
    assert status["enabled"] is False
    assert "PARLEY_SMTP_URL" in status["reason"]
    rest = await call(
        server, "POST", f"/chats/{chat_id}/transcript", token, json={"email": "a@example.com"}
    )
    assert rest.status_code == 503
    assert rest.json()["error"]["code"] == "unavailable"
    await v.close()
    await a.close()


async def outbox(server: Server, token: str, status: str = "") -> list[dict[str, Any]]:
    query = f"?status={status}" if status else ""
    items: list[dict[str, Any]] = (await call(server, "GET", f"/mail/outbox{query}", token)).json()[
        "items"
    ]
    return items


async def test_smtp_down_mail_is_sent_once_when_it_is_back_also_across_a_restart(
    flaky_server: Server, smtp_down: SmtpServer
) -> None:
    server, smtp = flaky_server, smtp_down
    admin_token = await asyncio.to_thread(server.login, *ADMIN)
    a, _ = await agent(server, *ALICE)
    v, _ = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start_chat(v, "Will this reach me?")
    await a.expect("chat.assigned", chat_id=chat_id)
    assert (await request(v, chat_id, "first@example.com"))["type"] == "transcript.queued"

    async def failed_twice(address: str) -> None:
        while True:
            rows = [m for m in await outbox(server, admin_token) if m["to"] == address]
            if rows and rows[0]["attempts"] >= 2 and rows[0]["last_error"]:
                assert rows[0]["status"] in ("pending", "sending")
                return
            await asyncio.sleep(0.1)

    await asyncio.wait_for(failed_twice("first@example.com"), 15)
    smtp.start()
    [first] = await smtp.inbox.wait_for("first@example.com")
    await asyncio.wait_for(sent(server, admin_token, "first@example.com"), 15)
    # Marked sent: no process will take it again.
    assert len(smtp.inbox.to("first@example.com")) == 1

    # Down again; the server is killed while the mail waits (or mid-attempt: its claim then
    # runs out), and restarted.
    smtp.stop()
    alice_token = await asyncio.to_thread(server.login, *ALICE)
    r = await call(
        server, "POST", f"/chats/{chat_id}/transcript", alice_token,
        json={"email": "second@example.com"},
    )  # fmt: skip
    assert r.status_code == 202
    await asyncio.wait_for(failed_twice("second@example.com"), 15)
    await v.drop()
    await a.drop()
    server.kill()
    smtp.start()
    await asyncio.to_thread(server.start)
    [second] = await smtp.inbox.wait_for("second@example.com")
    await asyncio.wait_for(sent(server, admin_token, "second@example.com"), 15)
    # A fence for the outbox: a new mail, stored after the restart, goes out after it.
    r = await call(
        server, "POST", f"/chats/{chat_id}/transcript", alice_token,
        json={"email": "third@example.com"},
    )  # fmt: skip
    assert r.status_code == 202
    await smtp.inbox.wait_for("third@example.com")
    assert len(smtp.inbox.to("first@example.com")) == 1
    assert len(smtp.inbox.to("second@example.com")) == 1
    assert first["Message-ID"] != second["Message-ID"]


async def sent(server: Server, token: str, address: str) -> None:
    while True:
        if any(m["to"] == address for m in await outbox(server, token, "sent")):
            return
        await asyncio.sleep(0.1)


async def test_a_mail_that_keeps_failing_is_listed_failed_and_can_be_retried(
    giving_up_server: Server, smtp_down: SmtpServer
) -> None:
    server, smtp = giving_up_server, smtp_down
    admin_token = await asyncio.to_thread(server.login, *ADMIN)
    alice_token = await asyncio.to_thread(server.login, *ALICE)
    a, _ = await agent(server, *ALICE)
    v, _ = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start_chat(v, "Hello")
    await a.expect("chat.assigned", chat_id=chat_id)
    r = await call(
        server, "POST", f"/chats/{chat_id}/transcript", alice_token,
        json={"email": "late@example.com"},
    )  # fmt: skip
    mail_id = r.json()["mail_id"]

    async def failed() -> dict[str, Any]:
        while True:
            rows = await outbox(server, admin_token, "failed")
            if rows:
                return rows[0]
            await asyncio.sleep(0.1)

    row = await asyncio.wait_for(failed(), 15)
    assert row["id"] == mail_id
    assert row["attempts"] == 2
    assert row["last_error"]
    assert row["to"] == "late@example.com"
    assert row["chat_id"] == chat_id
    # Another shop's admin sees none of it and cannot touch it.
    shop = await Shop.create(server, "Second shop")
    assert await outbox(server, shop.admin_token) == []
    theirs = await call(server, "POST", f"/mail/outbox/{mail_id}/retry", shop.admin_token)
    assert theirs.status_code == 404
    smtp.start()
    retried = await call(server, "POST", f"/mail/outbox/{mail_id}/retry", admin_token)
    assert retried.status_code == 200
    assert retried.json()["status"] == "pending"
    await smtp.inbox.wait_for("late@example.com")
    await asyncio.wait_for(sent(server, admin_token, "late@example.com"), 15)
    assert await outbox(server, admin_token, "failed") == []
    await v.close()
    await a.close()
