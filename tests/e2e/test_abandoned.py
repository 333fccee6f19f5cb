"""Abandoned chats end, and uploads nobody sent are deleted, on small clocks (settings)."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import running_server
from tests.databases import drop_database, fresh_database, postgres_base
from tests.e2e.routing_support import Shop, start
from tests.support import Client, Server, msg_id

GONE_S = 3.0
FAST = {
    "PARLEY_VISITOR_GONE_S": str(GONE_S),
    "PARLEY_UNATTACHED_UPLOAD_TTL_S": "2",
    "PARLEY_PRESENCE_HEARTBEAT_S": "0.3",
    "PARLEY_JOB_POLL_S": "0.2",
}
# Long enough for the gone time, a job poll and a sweep, on a busy machine.
WITHIN = GONE_S * 3 + 5


@pytest.fixture
def fast_server(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path, **FAST) as srv:
        yield srv


async def visitor_with_token(shop: Shop) -> tuple[Client, str]:
    session = await asyncio.to_thread(shop.server.widget_session, shop.site_key)
    token: str = session["visitor_token"]
    return await connect_visitor(shop.server, token), token


async def connect_visitor(server: Server, token: str) -> Client:
    client = await Client.connect(f"{server.ws_base}/ws/visitor?token={token}")
    await client.expect("hello")
    return client


async def test_an_abandoned_chat_frees_the_agents_slot(fast_server: Server) -> None:
    shop = await Shop.create(fast_server)
    await shop.add_agent("Ann", max_chats=1)
    ann = await shop.connect_agent("Ann")
    v1, _ = await visitor_with_token(shop)
    first = await start(v1, text="Are you there?")
    await ann.expect("chat.assigned", chat_id=first)
    await ann.expect("presence.update", active_chats=1)
    v2, _ = await visitor_with_token(shop)
    second = await start(v2)
    await v2.expect("chat.queued", chat_id=second, position=1)  # Ann is full

    await v1.close()  # the visitor closes the tab and never comes back
    closed = await ann.expect("chat.closed", chat_id=first, timeout=WITHIN)
    assert (closed["closed_by"], closed["reason"]) == ("system", "visitor_left")
    left = await ann.expect_message(first, body="Visitor left.")
    assert left["message"]["author"]["type"] == "system"
    await ann.expect("presence.update", active_chats=0)
    # The freed slot (capacity 1) goes to the visitor who was waiting.
    await ann.expect("chat.assigned", chat_id=second)
    await v2.expect("chat.assigned", chat_id=second)
    chats = (await shop.api("GET", "/chats", params={"status": "closed"})).json()["items"]
    assert [c["id"] for c in chats] == [first]
    await ann.close()
    await v2.close()


async def test_a_queued_chat_whose_visitor_left_leaves_the_queue(fast_server: Server) -> None:
    shop = await Shop.create(fast_server)
    await shop.add_agent("Ann")
    watcher = await shop.connect_agent("Ann")
    await watcher.send({"type": "presence.set", "status": "busy"})
    await watcher.expect("presence.update", status="busy")
    v1, _ = await visitor_with_token(shop)
    first = await start(v1)
    await v1.expect("chat.queued", chat_id=first, position=1)
    v2, _ = await visitor_with_token(shop)
    second = await start(v2)
    await v2.expect("chat.queued", chat_id=second, position=2)

    await v1.close()
    moved = await v2.expect("chat.queued", chat_id=second, position=1, timeout=WITHIN)
    assert moved["position"] == 1
    queue = (await shop.api("GET", "/queue")).json()
    assert queue["total"] == 1
    await watcher.close()
    await v2.close()


async def test_a_visitor_who_comes_back_in_time_keeps_the_chat(fast_server: Server) -> None:
    shop = await Shop.create(fast_server)
    await shop.add_agent("Ann")
    ann = await shop.connect_agent("Ann")
    tab_a, token = await visitor_with_token(shop)
    chat_id = await start(tab_a)
    await ann.expect("chat.assigned", chat_id=chat_id)
    tab_b = await connect_visitor(fast_server, token)  # a second tab of the same visitor

    # One tab closes while the other stays open; then the network drops the other for a moment.
    await tab_b.close()
    await tab_a.drop()
    tab_a = await connect_visitor(fast_server, token)
    assert tab_a.all("hello")[0]["active_chat"]["id"] == chat_id
    await asyncio.sleep(GONE_S * 2 + 1)  # well past the gone time, with the visitor present

    cid = msg_id()
    await tab_a.send(
        {"type": "message.send", "chat_id": chat_id, "client_msg_id": cid, "body": "Still here"}
    )
    await tab_a.expect("message.ack", client_msg_id=cid)
    await ann.expect_message(chat_id, body="Still here")
    assert not ann.all("chat.closed")
    chat = await chat_status(shop, chat_id)
    assert chat == "active"
    await ann.close()
    await tab_a.close()


async def test_a_chat_whose_process_died_still_ends(fast_server: Server) -> None:
    """The visitor's socket is never closed cleanly: the process is killed; after a restart
    the chat still ends once the visitor has been gone long enough."""
    shop = await Shop.create(fast_server)
    await shop.add_agent("Ann")
    ann = await shop.connect_agent("Ann")
    v, _ = await visitor_with_token(shop)
    chat_id = await start(v)
    await ann.expect("chat.assigned", chat_id=chat_id)
    fast_server.kill()
    await v.closed()
    await ann.closed()
    await asyncio.to_thread(fast_server.start)
    # The restarted process may close it before anyone reconnects (the visitor has been gone
    # since the kill): wait for the chat's state, not for a frame someone may not be there for.
    async with asyncio.timeout(WITHIN):
        while await chat_status(shop, chat_id) != "closed":  # noqa: ASYNC110 (state over HTTP)
            await asyncio.sleep(0.2)
    history = (await shop.api("GET", f"/chats/{chat_id}/messages")).json()["items"]
    assert history[-1]["author"]["type"] == "system"
    assert history[-1]["body"].endswith("left.")


async def test_visitor_uploads_never_sent_are_deleted(fast_server: Server) -> None:
    shop = await Shop.create(fast_server)
    await shop.add_agent("Ann")
    ann = await shop.connect_agent("Ann")
    v, token = await visitor_with_token(shop)
    chat_id = await start(v)
    await ann.expect("chat.assigned", chat_id=chat_id)
    unsent_bytes = b"never sent: my draft invoice\n" * 10
    sent_bytes = b"sent: the order confirmation\n" * 10
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=fast_server.base, timeout=30) as http:

        async def upload(name: str, data: bytes) -> dict[str, Any]:
            r = await http.post(
                "/api/v1/uploads", headers=auth, files={"file": (name, io.BytesIO(data))}
            )
            assert r.status_code == 201, r.text
            body: dict[str, Any] = r.json()
            return body

        unsent = await upload("draft.txt", unsent_bytes)
        sent = await upload("order.txt", sent_bytes)
        cid = msg_id()
        await v.send(
            {
                "type": "message.send",
                "chat_id": chat_id,
                "client_msg_id": cid,
                "body": "Here it is",
                "attachment_ids": [sent["id"]],
            }
        )
        await v.expect("message.ack", client_msg_id=cid)

        deadline = asyncio.get_running_loop().time() + 20
        while (await http.get(f"/api/v1/uploads/{unsent['id']}", headers=auth)).status_code != 404:
            assert asyncio.get_running_loop().time() < deadline, "the unsent upload is still there"
            await asyncio.sleep(0.3)
        kept = await http.get(f"/api/v1/uploads/{sent['id']}", headers=auth)
        assert kept.status_code == 200
        assert kept.content == sent_bytes
    stored = [p.read_bytes() for p in (fast_server.workdir / "uploads").rglob("*") if p.is_file()]
    assert unsent_bytes not in stored
    assert sent_bytes in stored
    await ann.close()
    await v.close()


async def chat_status(shop: Shop, chat_id: str) -> str:
    items = (await shop.api("GET", "/chats")).json()["items"]
    return str(next(c["status"] for c in items if c["id"] == chat_id))


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[list[Server]]:
    """Two servers on one PostgreSQL and one Redis (the second pass of `make test`)."""
    broker = os.environ.get("PARLEY_TEST_BROKER", "")
    if postgres_base() is None or not broker.startswith("redis"):
        pytest.skip("needs PostgreSQL and Redis")
    url = fresh_database(tmp_path)
    servers: list[Server] = []
    try:
        for i in range(2):
            workdir = tmp_path / f"p{i}"
            workdir.mkdir()
            srv = Server(workdir, url, {"PARLEY_BROKER_URL": broker, **FAST}, demo=(i == 0))
            srv.start()
            servers.append(srv)
        yield servers
    finally:
        for srv in servers:
            srv.kill()
        drop_database(url)


async def test_with_tabs_on_two_processes_the_chat_ends_after_the_last_tab(
    two_processes: list[Server],
) -> None:
    one, two = two_processes
    shop = await Shop.create(one)
    await shop.add_agent("Ann")
    ann = await shop.connect_agent("Ann")
    tab_one, token = await visitor_with_token(shop)
    chat_id = await start(tab_one)
    await ann.expect("chat.assigned", chat_id=chat_id)
    tab_two = await connect_visitor(two, token)

    await tab_one.close()  # the tab on process one goes; the one on process two stays
    await asyncio.sleep(GONE_S * 2 + 1)
    cid = msg_id()
    await tab_two.send(
        {"type": "message.send", "chat_id": chat_id, "client_msg_id": cid, "body": "Still here"}
    )
    await tab_two.expect("message.ack", client_msg_id=cid)
    await ann.expect_message(chat_id, body="Still here")  # a fence: the chat's topic
    assert not ann.all("chat.closed")

    await tab_two.close()  # now the visitor is gone everywhere
    closed = await ann.expect("chat.closed", chat_id=chat_id, timeout=WITHIN)
    assert closed["reason"] == "visitor_left"
    await ann.close()
