"""Several ``parley serve`` processes on one PostgreSQL and one Redis act as one system."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import ALICE, BEN, DEMO_SITE_KEY, SAM
from tests.databases import drop_database, fresh_database, postgres_base
from tests.e2e.private_services import PrivatePostgres, PrivateRedis
from tests.e2e.routing_support import Shop, start
from tests.support import Client, Server, eventually, msg_id, presence_fence, typing_fence

BROKER = os.environ.get("PARLEY_TEST_BROKER", "")
pytestmark = pytest.mark.skipif(
    postgres_base() is None or not BROKER.startswith("redis"),
    reason="needs PostgreSQL and Redis (the second pass of `make test`)",
)
# Presence that expires in seconds, for the test about a killed process only. Elsewhere the
# defaults hold: with a 2 s grace, a process starved of CPU or disk for 2 s on a busy machine
# misses its heartbeats, and the others take its agents offline and re-queue their chats (what
# made test_three_processes_behave_as_one fail in a full `make test` on a loaded machine).
FAST = {
    "PARLEY_PRESENCE_GRACE_S": "2",
    "PARLEY_PRESENCE_HEARTBEAT_S": "0.3",
    "PARLEY_JOB_POLL_S": "0.2",
}


def start_cluster(
    tmp: Path,
    database_url: str,
    broker_url: str,
    n: int = 3,
    env: dict[str, str] | None = None,
) -> list[Server]:
    servers = []
    for i in range(n):
        workdir = tmp / f"p{i}"
        workdir.mkdir(exist_ok=True)
        srv = Server(
            workdir=workdir,
            database_url=database_url,
            demo=(i == 0),
            env_extra={"PARLEY_BROKER_URL": broker_url, **(env or {})},
        )
        srv.start()  # one after another: the first one migrates and seeds the demo
        servers.append(srv)
    return servers


@contextmanager
def running_cluster(tmp: Path, env: dict[str, str] | None = None) -> Iterator[list[Server]]:
    url = fresh_database(tmp)
    servers: list[Server] = []
    try:
        servers.extend(start_cluster(tmp, url, BROKER, env=env))
        yield servers
    finally:
        for srv in servers:
            srv.kill()
        drop_database(url)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[list[Server]]:
    """Three processes with the default presence timing: nothing here waits for an expiry."""
    with running_cluster(tmp_path) as servers:
        yield servers


@pytest.fixture
def fast_cluster(tmp_path: Path) -> Iterator[list[Server]]:
    """Three processes whose agents go offline two seconds after their process dies."""
    with running_cluster(tmp_path, FAST) as servers:
        yield servers


async def login_ws(server: Server, email: str, password: str) -> Client:
    token = await asyncio.to_thread(server.login, email, password)
    client = await Client.connect(f"{server.ws_base}/ws/agent?token={token}")
    await client.expect("hello")
    return client


async def visitor_on(server: Server, token: str | None = None) -> tuple[Client, dict[str, str]]:
    session = await asyncio.to_thread(server.widget_session, DEMO_SITE_KEY, token)
    client = await Client.connect(f"{server.ws_base}/ws/visitor?token={session['visitor_token']}")
    await client.expect("hello")
    return client, {"token": session["visitor_token"]}


async def test_three_processes_behave_as_one(cluster: list[Server]) -> None:
    a, b, c = cluster
    alice = await login_ws(b, *ALICE)
    ben = await login_ws(c, *BEN)
    sam = await login_ws(c, *SAM)
    await sam.send({"type": "presence.set", "status": "away"})
    await ben.send({"type": "presence.set", "status": "busy"})
    # Presence set on C reaches B.
    await alice.expect("presence.update", status="busy", agent_id=_id(ben))
    await alice.expect("presence.update", status="away", agent_id=_id(sam))

    v, _ = await visitor_on(a)
    chat_id = await start(v, text="Hi from process A")
    assert (await v.expect("chat.assigned", chat_id=chat_id))["agent"]["name"] == "Alice Berg"
    await alice.expect("chat.assigned", chat_id=chat_id)
    # As the console does: a chat that arrives is loaded with resume (subscribe, then load).
    await alice.send({"type": "resume", "chat_id": chat_id, "after_seq": 0})
    await alice.expect_message(chat_id, body="Hi from process A")

    await v.send({"type": "typing", "chat_id": chat_id, "active": True})
    await alice.expect("typing", chat_id=chat_id, active=True)
    await alice.send({"type": "typing", "chat_id": chat_id, "active": True})
    await v.expect("typing", chat_id=chat_id, active=True)

    cid = msg_id()
    await alice.send(
        {"type": "message.send", "chat_id": chat_id, "client_msg_id": cid, "body": "Hello from B"}
    )
    assert (await alice.expect("message.ack", client_msg_id=cid))["seq"] == 2
    assert (await v.expect_message(chat_id, body="Hello from B"))["message"]["seq"] == 2
    for kind in ("whisper", "note"):
        cid = msg_id()
        await alice.send(
            {
                "type": "message.send",
                "chat_id": chat_id,
                "client_msg_id": cid,
                "body": f"secret {kind}",
                "kind": kind,
            }
        )
        await alice.expect("message.ack", client_msg_id=cid)

    # A second visitor on C waits in the queue (Alice has room for 3; make her busy).
    await alice.send({"type": "presence.set", "status": "busy"})
    await ben.expect("presence.update", status="busy", agent_id=_id(alice))
    v2, _ = await visitor_on(c)
    chat2 = await start(v2)
    assert (await v2.expect("chat.queued", chat_id=chat2))["position"] == 1

    # Transfer from Alice (B) to Ben (C), who comes online on C.
    await ben.send({"type": "presence.set", "status": "online"})
    await ben.expect("chat.assigned", chat_id=chat2)  # the queue drained to him
    await alice.send(
        {
            "type": "chat.transfer",
            "chat_id": chat_id,
            "to_agent_id": _id(ben),
            "note": "VIP customer",
        }
    )
    await ben.expect("chat.assigned", chat_id=chat_id)
    await ben.send({"type": "resume", "chat_id": chat_id, "after_seq": 0})
    await ben.expect_message(chat_id, kind="note", body="VIP customer")
    moved = await v.expect("chat.transferred", chat_id=chat_id)
    assert moved["agent"]["name"] == "Ben Okafor"
    await v.expect_message(chat_id, body="Ben Okafor is taking over this chat.")

    # No whisper or note ever reached a visitor socket, on any process.
    await typing_fence(ben, chat_id, [v])
    await typing_fence(ben, chat2, [v2])
    for visitor in (v, v2):
        bodies = [f["message"]["body"] for f in visitor.all("message.new")]
        assert not [b for b in bodies if "secret" in b or "VIP" in b]
        seqs = [f["message"]["seq"] for f in visitor.all("message.new")]
        assert seqs == sorted(set(seqs))
    for client in (alice, ben, sam, v, v2):
        await client.close()


def _id(client: Client) -> str:
    agent_id: str = client.all("hello")[0]["agent"]["id"]
    return agent_id


@pytest.fixture
def unlimited_cluster(tmp_path: Path) -> Iterator[list[Server]]:
    """Rate limits off: fifty visitors share 127.0.0.1 here, fifty addresses in a shop."""
    with running_cluster(tmp_path, {"PARLEY_RATE_LIMITS": "false"}) as servers:
        yield servers


async def test_fifty_chats_over_three_processes_never_overload(
    unlimited_cluster: list[Server],
) -> None:
    cluster = unlimited_cluster
    shop = await Shop.create(cluster[0], "Cluster shop")
    names = [f"Agent{i}" for i in range(5)]
    for name in names:
        await shop.add_agent(name)
    agents = []
    for i, name in enumerate(names):
        shop.server = cluster[i % 3]
        agents.append(await shop.connect_agent(name))
    visitors = []
    for i in range(50):
        shop.server = cluster[i % 3]
        visitors.append(await shop.visitor())
    chat_ids = await asyncio.gather(*(start(v) for v in visitors))

    def settled() -> bool:  # 15 chats assigned, the others told places 1..35
        waiting = [i for i, v in enumerate(visitors) if not v.all("chat.assigned")]
        told = [visitors[i].all("chat.queued", chat_id=chat_ids[i]) for i in waiting]
        places = sorted(t[-1]["position"] for t in told if t)
        return len(waiting) == 35 and places == list(range(1, 36))

    await eventually(settled, 30, "15 chats assigned and the other 35 told places 1..35")
    for a in agents:  # and nothing more is on its way to the agents
        await presence_fence(a, "online")
    assigned = [i for i, v in enumerate(visitors) if v.all("chat.assigned")]
    assert len(assigned) == 15
    taken = [f["chat_id"] for a in agents for f in a.all("chat.assigned")]
    assert len(taken) == len(set(taken)) == 15
    assert [len(a.all("chat.assigned")) for a in agents] == [3] * 5
    queued = [i for i in range(50) if i not in assigned]
    positions = sorted(
        visitors[i].all("chat.queued", chat_id=chat_ids[i])[-1]["position"] for i in queued
    )
    assert positions == list(range(1, 36))
    for client in (*agents, *visitors):
        await client.close()


async def test_kill_9_loses_nothing_acknowledged(fast_cluster: list[Server]) -> None:
    a, b, _c = fast_cluster
    ben = await login_ws(a, *BEN)  # Ben's console is on the process that will die
    alice = await login_ws(b, *ALICE)
    await alice.send({"type": "presence.set", "status": "busy"})
    await alice.expect("presence.update", status="busy", agent_id=_id(alice))
    v, session = await visitor_on(a)
    chat_id = await start(v, text="Message 0")
    await ben.expect("chat.assigned", chat_id=chat_id)
    acked = ["Message 0"]
    for i in range(1, 7):
        sender = v if i % 2 else ben
        cid = msg_id()
        await sender.send(
            {
                "type": "message.send",
                "chat_id": chat_id,
                "client_msg_id": cid,
                "body": f"Message {i}",
            }
        )
        await sender.expect("message.ack", client_msg_id=cid)
        acked.append(f"Message {i}")
    await alice.send({"type": "presence.set", "status": "online"})

    a.kill()  # SIGKILL mid-conversation

    # The visitor's client reconnects to B and resumes: everything acknowledged is there, once.
    v2, _ = await visitor_on(b, session["token"])
    await v2.send({"type": "resume", "chat_id": chat_id, "after_seq": 0})
    await v2.expect("resume.done", chat_id=chat_id)
    got = [f["message"]["body"] for f in v2.all("message.new", chat_id=chat_id)]
    assert got[: len(acked)] == acked
    assert len(got) == len(set(got))
    # Ben was on A: offline after the grace, and his chat goes to Alice.
    await alice.expect("chat.assigned", chat_id=chat_id, timeout=20)
    await v2.expect("chat.assigned", chat_id=chat_id, timeout=10)
    notice = await v2.expect_message(
        chat_id,
        timeout=10,
        body="Ben lost their connection. We're finding you someone else; you're first in line.",
    )
    assert notice["message"]["author"]["type"] == "system"
    await alice.expect("presence.update", agent_id=_id(ben), status="offline")
    await v2.close()
    await alice.close()


@pytest.fixture
def own_redis_cluster(tmp_path: Path) -> Iterator[tuple[list[Server], PrivateRedis]]:
    redis = PrivateRedis()
    redis.start()
    url = fresh_database(tmp_path)
    servers = start_cluster(tmp_path, url, redis.url, n=2)
    try:
        yield servers, redis
    finally:
        for srv in servers:
            srv.kill()
        redis.stop()
        drop_database(url)


async def test_messages_sent_while_redis_restarts_arrive_later_in_order_once(
    own_redis_cluster: tuple[list[Server], PrivateRedis],
) -> None:
    (a, b), redis = own_redis_cluster
    alice = await login_ws(b, *ALICE)
    v, _ = await visitor_on(a)
    chat_id = await start(v)
    await alice.expect("chat.assigned", chat_id=chat_id)

    redis.stop()
    sent = ["While Redis was away 1", "While Redis was away 2", "While Redis was away 3"]
    for body in sent:
        cid = msg_id()
        await alice.send(
            {"type": "message.send", "chat_id": chat_id, "client_msg_id": cid, "body": body}
        )
        await alice.expect("message.ack", client_msg_id=cid, timeout=15)  # persisted
    redis.start()

    # Redis is back: the visitor's process tells it to resync; it resumes from its last seq.
    await v.expect("resync", timeout=20)
    # The last seq the client knows, from what it received and from its own acks.
    seen = [f["message"]["seq"] for f in v.all("message.new", chat_id=chat_id)]
    last = max(seen + [f["seq"] for f in v.all("message.ack", chat_id=chat_id)])
    await v.send({"type": "resume", "chat_id": chat_id, "after_seq": last})
    await v.expect("resume.done", chat_id=chat_id)
    bodies = [f["message"]["body"] for f in v.all("message.new", chat_id=chat_id)]
    assert [b for b in bodies if b.startswith("While")] == sent
    # And live delivery works again.
    cid = msg_id()
    await alice.send(
        {"type": "message.send", "chat_id": chat_id, "client_msg_id": cid, "body": "Back to normal"}
    )
    await v.expect_message(chat_id, body="Back to normal")


async def test_readyz_and_clear_errors_while_postgres_is_down(tmp_path: Path) -> None:
    pg = PrivatePostgres()
    pg.init()
    pg.start()
    srv = Server(
        workdir=tmp_path, database_url=pg.url, env_extra={"PARLEY_BROKER_URL": BROKER, **FAST}
    )
    try:
        srv.start()
        alice = await login_ws(srv, *ALICE)
        v, _ = await visitor_on(srv)
        chat_id = await start(v)
        await alice.expect("chat.assigned", chat_id=chat_id)

        pg.stop()
        async with httpx.AsyncClient(base_url=srv.base) as http:
            assert (await http.get("/readyz")).status_code == 503
            assert (await http.get("/healthz")).status_code == 200
        cid = msg_id()
        frame = {
            "type": "message.send",
            "chat_id": chat_id,
            "client_msg_id": cid,
            "body": "Sent while the database is down",
        }
        await v.send(frame)
        error = await v.expect("error", timeout=30)
        assert (error["code"], error["ref"]) == ("unavailable", cid)

        pg.start()
        async with httpx.AsyncClient(base_url=srv.base) as http:
            for _ in range(50):
                if (await http.get("/readyz")).status_code == 200:
                    break
                await asyncio.sleep(0.2)
            assert (await http.get("/readyz")).status_code == 200
        await v.send(frame)  # the client retries with the same id: stored once
        ack = await v.expect("message.ack", client_msg_id=cid, timeout=15)
        await alice.expect_message(chat_id, body="Sent while the database is down")
        await v.send({"type": "resume", "chat_id": chat_id, "after_seq": 0})
        await v.expect("resume.done", chat_id=chat_id)
        bodies = [f["message"]["body"] for f in v.all("message.new")]
        assert bodies.count("Sent while the database is down") >= 1
        assert ack["seq"] == 2
    finally:
        srv.kill()
        pg.remove()


async def test_monitoring_misses_nothing_committed_after_its_snapshot(
    unlimited_cluster: list[Server],
) -> None:
    """A supervisor on another process starts monitoring while the visitor writes: every
    message after the snapshot's ``last_seq`` arrives live (the socket subscribes, confirmed by
    Redis, before the snapshot is read). Limits off: the visitor writes faster than a person."""
    a, b, c = unlimited_cluster
    alice = await login_ws(b, *ALICE)
    sam = await login_ws(c, *SAM)
    await sam.send({"type": "presence.set", "status": "away"})
    await sam.fence()
    for attempt in range(5):
        v, _ = await visitor_on(a)
        chat_id = await start(v, text=f"attempt {attempt}")
        await alice.expect("chat.assigned", chat_id=chat_id)
        sent: list[str] = []

        async def write(v: Client = v, chat_id: str = chat_id, sent: list[str] = sent) -> None:
            for i in range(40):
                cid = msg_id()
                sent.append(cid)
                await v.send(
                    {"type": "message.send", "chat_id": chat_id, "client_msg_id": cid,
                     "body": f"m{i}"}
                )  # fmt: skip
                await asyncio.sleep(0.005)

        writer = asyncio.create_task(write())

        # Monitoring starts while the visitor writes: once the first message is stored.
        def first_stored(v: Client = v, sent: list[str] = sent) -> bool:
            return bool(sent and v.all("message.ack", client_msg_id=sent[0]))

        await eventually(first_stored)
        await sam.send({"type": "chat.monitor", "chat_id": chat_id})
        snapshot = (await sam.expect("chat.monitoring", chat_id=chat_id))["chat"]["last_seq"]
        await writer
        for cid in sent:
            await v.expect("message.ack", client_msg_id=cid)
        # The last message reached Sam: everything before it has been delivered too.
        last = (await sam.expect_message(chat_id, client_msg_id=sent[-1]))["message"]["seq"]
        live = sorted(
            f["message"]["seq"]
            for f in sam.frames
            if f.get("type") == "message.new" and f.get("chat_id") == chat_id
        )
        # Some may overlap the snapshot (published after the subscription, committed before the
        # read): the client drops those by seq. None after it may be missing, none twice.
        assert len(live) == len(set(live)), live
        assert set(range(snapshot + 1, last + 1)) <= set(live), (attempt, snapshot, live)
        await sam.send({"type": "chat.close", "chat_id": chat_id})
        await v.expect("chat.closed", chat_id=chat_id)
        await v.close()
