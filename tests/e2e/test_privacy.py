"""Data protection: erasing a visitor leaves no row and no file of theirs; the export holds
everything; the retention period deletes old chats only, once.

Two shops, two visitors in the first and one in the second, each with chats (an open and a
closed one), messages of every kind, files, page views, events, an invitation, a survey, a
transcript mail and webhook deliveries. Erasing one visitor is checked by scanning every
column of every table (from the SQLAlchemy metadata, on SQLite also the FTS5 index) and the
upload directory: none of their ids, e-mail, words or files is left, and everything of the
others still is (so the scan itself is shown to find what it looks for).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.sql.expression import Executable

import app.models  # noqa: F401  (every table in the metadata)
from app.chat.models import Chat
from app.common.types import utcnow
from app.db import Base
from tests.conftest import make_server
from tests.databases import drop_database, postgres_base
from tests.e2e.routing_support import Shop
from tests.e2e.test_supervision import png
from tests.e2e.trigger_support import add_trigger, pricing_trigger
from tests.support import Client, Server, msg_id


def _closed_port() -> int:
    """A local port nobody listens on: mail and webhooks stay queued, never sent."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


ENV = {
    "PARLEY_RATE_LIMITS": "false",
    "PARLEY_WEBHOOKS_ALLOW_PRIVATE": "true",
}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = make_server(tmp_path, PARLEY_SMTP_URL=f"smtp://127.0.0.1:{_closed_port()}", **ENV)
    srv.start()
    try:
        yield srv
    finally:
        srv.kill()
        drop_database(srv.database_url)


@dataclass
class Person:
    """A visitor of a shop and everything the test made them leave behind."""

    shop: Shop
    name: str
    tag: str = field(default_factory=lambda: secrets.token_hex(4))
    visitor_id: str = ""
    token: str = ""
    socket: Client | None = None
    chat_ids: list[str] = field(default_factory=list)
    upload_ids: list[str] = field(default_factory=list)

    @property
    def email(self) -> str:
        return f"{self.name.lower()}-{self.tag}@mail.example"

    def word(self, n: int) -> str:
        """A word only this person's data holds (searchable: letters and digits)."""
        return f"{self.name.lower()}{self.tag}w{n}"

    @property
    def needles(self) -> list[str]:
        return [self.visitor_id, self.email, *(self.word(n) for n in range(1, 9))]


async def _agent(shop: Shop, name: str) -> Client:
    await shop.add_agent(name)
    client = await shop.connect_agent(name)
    await client.send({"type": "presence.set", "status": "online"})
    await client.fence()
    return client


async def _upload(server: Server, token: str, name: str) -> str:
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        r = await http.post(
            "/api/v1/uploads",
            files={"file": (name, io.BytesIO(png(7)), "image/png")},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert r.status_code == 201, r.text
    upload_id: str = r.json()["id"]
    return upload_id


async def _send(client: Client, chat_id: str, body: str, **extra: Any) -> None:
    cid = msg_id()
    await client.send(
        {"type": "message.send", "chat_id": chat_id, "client_msg_id": cid, "body": body, **extra}
    )
    await client.expect("message.ack", client_msg_id=cid)


async def _populate(p: Person, agent: Client) -> None:
    """Leave every kind of data the visitor can have."""
    server = p.shop.server
    session = await asyncio.to_thread(server.widget_session, p.shop.site_key)
    p.visitor_id, p.token = session["visitor"]["id"], session["visitor_token"]
    v = await Client.connect(f"{server.ws_base}/ws/visitor?token={p.token}")
    await v.expect("hello")
    p.socket = v
    await v.send(
        {"type": "page.view", "url": f"https://shop.example/pricing?q={p.word(1)}",
         "title": p.word(1)}
    )  # fmt: skip
    await v.expect("invitation")
    await v.send({"type": "visitor.event", "name": "cart.updated",
                  "data": {"value": 42, "note": p.word(2)}})  # fmt: skip
    await v.send(
        {"type": "chat.start", "pre_chat": {"name": p.name, "email": p.email},
         "message": f"hello {p.word(3)}", "client_msg_id": msg_id()}
    )  # fmt: skip
    first = (await v.expect("chat.started"))["chat_id"]
    await agent.expect("chat.assigned", chat_id=first)
    sent = await _upload(server, p.token, f"receipt-{p.word(4)}.png")
    await _send(v, first, f"{p.word(4)} receipt", attachment_ids=[sent])
    await _send(agent, first, f"answer {p.word(5)}")
    await _send(agent, first, f"whisper {p.word(6)}", kind="whisper")
    await _send(agent, first, f"note {p.word(7)}", kind="note")
    await v.send({"type": "transcript.request", "chat_id": first, "email": p.email})
    await v.expect("transcript.queued")
    await v.send({"type": "chat.close", "chat_id": first})
    await v.expect("chat.closed", chat_id=first)
    await v.send({"type": "survey.submit", "chat_id": first, "rating": 4,
                  "comment": f"nice {p.word(8)}"})  # fmt: skip
    await v.expect("survey.saved")
    await v.send(
        {"type": "chat.start", "pre_chat": {"name": p.name}, "message": f"again {p.word(3)}",
         "client_msg_id": msg_id()}
    )  # fmt: skip
    second = (await v.expect("chat.started"))["chat_id"]
    await agent.expect("chat.assigned", chat_id=second)
    unsent = await _upload(server, p.token, f"draft-{p.word(4)}.png")
    p.chat_ids = [first, second]
    p.upload_ids = [sent, unsent]


async def _shop(server: Server, name: str) -> tuple[Shop, Client]:
    shop = await Shop.create(server, name)
    r = await shop.api(
        "POST",
        "/webhooks",
        json={"url": f"http://127.0.0.1:{_closed_port()}/hook",
              "events": ["message.created", "chat.closed", "survey.submitted"]},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    await add_trigger(shop, pricing_trigger(0))
    return shop, await _agent(shop, f"Alice{name[:3]}")


async def _rows(url: str) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(table, column, text, row) for every column of every row of every table."""
    engine = create_async_engine(url)
    found: list[tuple[str, str, str, dict[str, Any]]] = []
    try:
        async with engine.connect() as conn:
            tables: list[tuple[str, Executable]] = [
                (t.name, select(t)) for t in Base.metadata.sorted_tables
            ]
            if url.startswith("sqlite"):
                # The search index keeps its own copy of every message's words.
                tables.append(
                    ("messages_fts", text("SELECT body, message_id, chat_id FROM messages_fts"))
                )
            for name, query in tables:
                for row in (await conn.execute(query)).mappings():
                    for column, value in row.items():
                        if value is not None:
                            found.append((name, column, str(value), dict(row)))
    finally:
        await engine.dispose()
    return found


def _hits(rows: list[tuple[str, str, str, dict[str, Any]]], needle: str) -> list[str]:
    return [f"{t}.{c}" for t, c, value, _ in rows if needle in value]


def _files(server: Server) -> set[str]:
    root = server.workdir / "uploads"
    return {p.name for p in root.rglob("*") if p.is_file()}


async def test_erasing_a_visitor_leaves_nothing_of_theirs(server: Server) -> None:
    shop, alice = await _shop(server, "First shop")
    other_shop, olga = await _shop(server, "Second shop")
    vera, walt = Person(shop, "Vera"), Person(shop, "Walt")
    otto = Person(other_shop, "Otto")
    for person, agent in ((vera, alice), (walt, alice), (otto, olga)):
        await _populate(person, agent)

    before = await _rows(server.database_url)
    for p in (vera, walt, otto):
        for needle in p.needles:
            assert _hits(before, needle), f"the scan finds nothing of {needle}: it cannot fail"
    assert {*vera.upload_ids, *walt.upload_ids} <= _files(server)

    # The export holds everything, notes and whispers too.
    r = await shop.api("GET", f"/visitors/{vera.visitor_id}/export")
    assert r.status_code == 200, r.text
    dump = r.text
    for needle in vera.needles:
        assert needle in dump, needle
    assert not any(needle in dump for needle in walt.needles[1:])
    exported = r.json()
    assert [c["id"] for c in exported["chats"]] == vera.chat_ids
    kinds = {m["kind"] for c in exported["chats"] for m in c["messages"]}
    assert {"public", "whisper", "note"} <= kinds
    assert exported["chats"][0]["survey"]["rating"] == 4
    assert {u["id"] for u in exported["uploads"]} == set(vera.upload_ids)
    assert len(exported["page_views"]) == 1
    assert len(exported["events"]) == 1
    assert len(exported["invitations"]) == 1
    assert exported["mails"][0]["to"] == vera.email
    # Fields renamed from their columns, and times as the wire writes them (UTC, "Z").
    for upload in exported["uploads"]:
        assert upload["uploaded_by"] in ("visitor", "agent")
        assert upload["url"] == f"/api/v1/uploads/{upload['id']}"
    for stamped in (exported["page_views"][0], exported["events"][0]):
        assert stamped["at"].endswith("Z"), stamped
    assert exported["visitor"]["first_seen_at"].endswith("Z")
    assert exported["chats"][0]["messages"][0]["created_at"].endswith("Z")
    # Another shop's admin cannot see or erase the visitor.
    assert (await other_shop.api("GET", f"/visitors/{vera.visitor_id}/export")).status_code == 404
    assert (await other_shop.api("DELETE", f"/visitors/{vera.visitor_id}")).status_code == 404

    r = await shop.api("DELETE", f"/visitors/{vera.visitor_id}")
    assert r.status_code == 200, r.text
    entry = r.json()
    assert entry["action"] == "visitor.erased"
    assert entry["visitor_id"] == vera.visitor_id
    assert entry["actor_type"] == "agent"
    assert entry["actor_name"] == "Boss"
    counts = entry["counts"]
    assert counts["chats"] == 2
    assert counts["attachments"] == 2
    assert counts["surveys"] == 1
    assert counts["page_views"] == 1
    assert counts["invitations"] == 1
    assert counts["mails"] >= 1
    assert counts["webhook_deliveries"] >= 1
    assert counts["messages"] >= 6
    # Their widget is told and closed; the agent's open chat of theirs is closed.
    assert vera.socket is not None
    closed = await vera.socket.expect("session.closed")
    assert closed["reason"] == "erased"
    assert await vera.socket.closed() == 4001
    await alice.expect("chat.closed", chat_id=vera.chat_ids[1])
    await alice.expect("visitor.erased", visitor_id=vera.visitor_id)
    # Their token no longer opens a socket.
    again = await Client.connect(f"{server.ws_base}/ws/visitor?token={vera.token}")
    assert await again.closed() == 4401

    after = await _rows(server.database_url)
    for needle in vera.needles:
        hits = _hits(after, needle)
        if needle == vera.visitor_id:  # the audit log names whom it erased, nothing more
            assert set(hits) <= {"audit_log.visitor_id"}, hits
        else:
            assert hits == [], f"{needle} is still in {hits}"
    for p in (walt, otto):
        for needle in p.needles:
            assert _hits(after, needle), f"{p.name}'s {needle} went too"
    audit = [row for t, c, _, row in after if t == "audit_log" and c == "id"]
    assert all(not any(n in str(row) for n in vera.needles[1:]) for row in audit), (
        "the audit log keeps erased content"
    )
    # A durable job committed with the erasure deletes the files even if the process died
    # right after the commit (here the request already did).
    jobs = [row for t, c, _, row in after if t == "jobs" and c == "id"]
    keyed = [set(j["payload"]["keys"]) for j in jobs if j["kind"] == "privacy_files"]
    assert keyed == [{f"{shop.site_id}/{u}" for u in vera.upload_ids}], jobs
    # Their files are gone from disk, the others' are all there.
    files = _files(server)
    assert not files & set(vera.upload_ids), files & set(vera.upload_ids)
    assert {*walt.upload_ids, *otto.upload_ids} <= files

    # The search no longer finds their words; it still finds the others'.
    for q, expected in ((vera.word(5), []), (walt.word(5), [walt.chat_ids[0]])):
        r = await shop.api("GET", "/chats", params={"q": q})
        assert [c["id"] for c in r.json()["items"]] == expected, q
    assert (await shop.api("GET", f"/visitors/{vera.visitor_id}")).status_code == 404

    # The audit log shows the export and the erasure, newest first; the other shop's does not.
    log = (await shop.api("GET", "/audit-log")).json()["items"]
    assert [e["action"] for e in log] == ["visitor.erased", "visitor.exported"]
    assert log[1]["counts"]["chats"] == 2
    assert (await other_shop.api("GET", "/audit-log")).json()["items"] == []
    # The widget's next session with the old token is a new, empty visitor.
    fresh = await asyncio.to_thread(server.widget_session, shop.site_key, vera.token)
    assert fresh["visitor"]["id"] != vera.visitor_id
    assert fresh["visitor"]["returning"] is False
    assert fresh["config"]["active_chat"] is None
    for client in (alice, olga, walt.socket, otto.socket):
        assert client is not None
        await client.close()


# --------------------------------------------------------------------------- retention


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[list[Server]]:
    """Two processes on one database (PostgreSQL), one without it (SQLite)."""
    first = make_server(tmp_path, **ENV)
    first.start()
    servers = [first]
    try:
        if postgres_base() is not None:
            second = Server(tmp_path, first.database_url, env_extra=dict(ENV), demo=False)
            second.start()
            servers.append(second)
        yield servers
    finally:
        for srv in servers:
            srv.kill()
        drop_database(first.database_url)


async def _closed_chat(shop: Shop, agent: Client, text_: str) -> str:
    v = await shop.visitor()
    await v.send({"type": "chat.start", "pre_chat": {"name": "R"}, "message": text_,
                  "client_msg_id": msg_id()})  # fmt: skip
    chat_id: str = (await v.expect("chat.started"))["chat_id"]
    await agent.expect("chat.assigned", chat_id=chat_id)
    await v.send({"type": "chat.close", "chat_id": chat_id})
    await v.expect("chat.closed", chat_id=chat_id)
    await v.close()
    return chat_id


async def test_retention_deletes_old_chats_once(processes: list[Server]) -> None:
    server = processes[0]
    shop, alice = await _shop(server, "Kept shop")
    other_shop, olga = await _shop(server, "Other shop")
    old = [await _closed_chat(shop, alice, f"old {n}") for n in range(3)]
    recent = await _closed_chat(shop, alice, "recent")
    other_old = await _closed_chat(other_shop, olga, "other old")
    # Forty days ago: older than the period below (the test moves the chats, not the clock).
    engine = create_async_engine(server.database_url)
    async with engine.begin() as conn:
        await conn.execute(
            update(Chat)
            .where(Chat.id.in_([*old, other_old]))
            .values(created_at=utcnow() - timedelta(days=40))
        )
    await engine.dispose()

    assert (await shop.api("GET", "/privacy/retention")).json() == {"days": None}
    r = await shop.api("PUT", "/privacy/retention", json={"days": 30})
    assert r.status_code == 200, r.text
    assert r.json() == {"days": 30}
    assert (await shop.api("PUT", "/privacy/retention", json={"days": 0})).status_code == 422

    async def listed(s: Shop) -> set[str]:
        return {c["id"] for c in (await s.api("GET", "/chats")).json()["items"]}

    remaining: set[str] = set()

    async def purged() -> bool:
        remaining.clear()
        remaining.update(await listed(shop))
        return not remaining & set(old)

    for _ in range(200):
        if await purged():
            break
        await asyncio.sleep(0.1)
    assert remaining == {recent}
    assert other_old in await listed(other_shop)  # no period there: kept
    log = (await shop.api("GET", "/audit-log")).json()["items"]
    runs = [e for e in log if e["action"] == "retention.purged"]
    # One run took all three: two processes purging side by side would have split them.
    assert len(runs) == 1, log
    assert runs[0]["counts"]["chats"] == 3
    assert runs[0]["actor_type"] == "system"
    assert [e["action"] for e in log][-1] == "retention.changed"
    r = await shop.api("GET", "/chats", params={"q": "old"})
    assert r.json()["items"] == []
    for client in (alice, olga):
        await client.close()


# --------------------------------------------------------------------------- merged visitors


async def _session(shop: Shop, user: dict[str, Any] | None, token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"site_key": shop.site_key, "visitor_token": token}
    if user is not None:
        body["user"] = user
    async with httpx.AsyncClient(base_url=shop.server.base, timeout=30) as http:
        r = await http.post("/api/v1/widget/session", json=body)
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


async def test_erasing_a_customer_erases_the_browser_visitor_merged_into_them(
    server: Server,
) -> None:
    """A browser's anonymous visitor merged into a verified customer (docs/crm.md) goes with
    the customer: its chat, its words and its own id leave no row behind."""
    shop, alice = await _shop(server, "Merge shop")
    r = await shop.api(
        "POST", "/webhooks", json={"url": f"http://127.0.0.1:{_closed_port()}/hook",
                                   "events": ["visitor.identified"]}
    )  # fmt: skip
    assert r.status_code == 201, r.text
    secret = (await shop.api("POST", f"/sites/{shop.site_id}/identity-secret")).json()["secret"]
    user = {
        "id": "cust-7",
        "hash": hmac.new(secret.encode(), b"cust-7", hashlib.sha256).hexdigest(),
    }
    customer = await _session(shop, user, None)  # signed in elsewhere first
    browser = Person(shop, "Bea")
    await _populate(browser, alice)
    merged = await _session(shop, user, browser.token)  # then signs in in this browser
    assert merged["visitor"]["id"] == customer["visitor"]["id"] != browser.visitor_id
    before = await _rows(server.database_url)
    assert _hits(before, browser.visitor_id), "the merge left the old id nowhere: cannot fail"
    assert browser.socket is not None
    await browser.socket.close()

    # Erased by the shop's CRM through an admin API token: the audit log names the token.
    r = await shop.api("POST", "/api-tokens", json={"name": "CRM", "role": "admin"})
    assert r.status_code == 201, r.text
    crm = r.json()
    r = await shop.api("DELETE", f"/visitors/{customer['visitor']['id']}", token=crm["token"])
    assert r.status_code == 200, r.text
    entry = r.json()
    assert entry["counts"]["chats"] == 2
    assert (entry["actor_type"], entry["actor_id"], entry["actor_name"]) == (
        "api_token",
        crm["id"],
        "CRM",
    )
    after = await _rows(server.database_url)
    for needle in [*browser.needles, "cust-7"]:
        assert _hits(after, needle) == [], needle
    assert not _files(server) & set(browser.upload_ids)
    await alice.close()
