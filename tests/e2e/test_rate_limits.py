"""Rate limits as a client meets them: 429 with Retry-After, `rate_limited` frames, 4429 closes.

Windows are made short through the server's environment, so a test waits seconds, not minutes.
"""

from __future__ import annotations

import asyncio
import io
import os
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ALICE, BEN, DEMO_SITE_KEY, SAM, make_server
from tests.databases import drop_database, fresh_database, postgres_base
from tests.support import Client, Frame, Server, agent, msg_id, visitor

StartServer = Callable[..., Server]


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """Starts a demo server with these PARLEY_ settings; all are stopped after the test."""
    started: list[Server] = []

    def start(**env: str) -> Server:
        workdir = tmp_path / f"s{len(started)}"
        workdir.mkdir()
        srv = make_server(workdir, **env)
        started.append(srv)
        srv.start()
        return srv

    try:
        yield start
    finally:
        for srv in started:
            srv.kill()
            drop_database(srv.database_url)


def login(
    server: Server, email: str, password: str, forwarded_for: str | None = None
) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return httpx.post(
        f"{server.base}/api/v1/auth/login",
        json={"email": email, "password": password},
        headers=headers,
        timeout=10,
    )


def assert_refused(r: httpx.Response) -> int:
    """A refused REST call as the contract has it; returns its Retry-After in seconds."""
    assert r.status_code == 429, r.text
    assert r.json()["error"]["code"] == "rate_limited"
    wait = int(r.headers["Retry-After"])
    assert wait >= 1
    return wait


async def test_failed_logins_lock_the_account_and_the_right_password_works_after_the_wait(
    start_server: StartServer,
) -> None:
    server = await asyncio.to_thread(
        start_server,
        PARLEY_RATE_LIMIT_LOGIN_ACCOUNT="10/6 seconds",
        PARLEY_RATE_LIMIT_LOGIN_ADDRESS="10/6 seconds",
    )
    # All at once: guesses sent side by side are counted like guesses sent one by one.
    answers = await asyncio.gather(
        *(asyncio.to_thread(login, server, ALICE[0], f"wrong-{i}") for i in range(30))
    )
    assert sorted(r.status_code for r in answers) == [401] * 10 + [429] * 20
    waits = [assert_refused(r) for r in answers if r.status_code == 429]
    assert max(waits) <= 6
    # Locked out means locked out: the right password waits too.
    wait = assert_refused(await asyncio.to_thread(login, server, *ALICE))
    await asyncio.sleep(wait)
    ok = await asyncio.to_thread(login, server, *ALICE)
    assert ok.status_code == 200, ok.text
    assert ok.json()["agent"]["email"] == ALICE[0]


def test_repeated_lockouts_last_longer(start_server: StartServer) -> None:
    server = start_server(
        PARLEY_RATE_LIMIT_LOGIN_ACCOUNT="3/2 seconds;6/30 seconds",
        PARLEY_RATE_LIMIT_LOGIN_ADDRESS="",
    )
    assert [login(server, BEN[0], "nope").status_code for _ in range(3)] == [401] * 3
    first = assert_refused(login(server, BEN[0], "nope"))
    assert first <= 2
    time.sleep(first)
    assert [login(server, BEN[0], "nope").status_code for _ in range(3)] == [401] * 3
    second = assert_refused(login(server, BEN[0], "nope"))
    assert second > 10  # the longer limit now holds the account
    # Another account is not held by Ben's lockout.
    assert login(server, *SAM).status_code == 200


def test_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_address_limit(
    start_server: StartServer,
) -> None:
    server = start_server(PARLEY_RATE_LIMIT_LOGIN_ADDRESS="5/minute")
    # Every attempt claims another address and guesses another account: one address to us.
    for i in range(5):
        r = login(server, f"nobody{i}@example.com", "guess", forwarded_for=f"203.0.113.{i}")
        assert r.status_code == 401
    assert_refused(login(server, "someone@example.com", "guess", forwarded_for="203.0.113.99"))
    assert_refused(login(server, *ALICE, forwarded_for="198.51.100.7"))


def test_forwarded_for_from_a_trusted_proxy_names_the_client(start_server: StartServer) -> None:
    server = start_server(
        PARLEY_RATE_LIMIT_LOGIN_ADDRESS="5/minute", PARLEY_TRUSTED_PROXIES="127.0.0.1"
    )
    for i in range(5):
        r = login(server, f"nobody{i}@example.com", "guess", forwarded_for="203.0.113.1")
        assert r.status_code == 401
    assert_refused(login(server, "other@example.com", "guess", forwarded_for="203.0.113.1"))
    # Behind the same proxy, another client is not locked out, and a right password works.
    assert (
        login(server, "other@example.com", "guess", forwarded_for="203.0.113.2").status_code == 401
    )
    assert login(server, *ALICE, forwarded_for="203.0.113.3").status_code == 200
    # The proxy appends the peer it saw; a client's own claim further left is not believed.
    spoofed = login(server, *ALICE, forwarded_for="198.51.100.9, 203.0.113.1")
    assert_refused(spoofed)


async def settle(client: Client, sent: int, timeout: float = 30) -> None:
    """Wait until every one of ``sent`` message.send frames has its ack or its error."""
    deadline = asyncio.get_running_loop().time() + timeout
    while len(client.all("message.ack")) + len(client.all("error")) < sent:
        assert asyncio.get_running_loop().time() < deadline, "not every frame was answered"
        await asyncio.sleep(0.05)


async def open_chat(server: Server) -> tuple[Client, Client, str]:
    a, _ = await agent(server, *ALICE)
    v, _ = await visitor(server, DEMO_SITE_KEY)
    await v.send({"type": "chat.start", "pre_chat": {"name": "Flo"}, "client_msg_id": msg_id()})
    chat_id: str = (await v.expect("chat.started"))["chat_id"]
    await a.expect("chat.assigned", chat_id=chat_id)
    await v.expect("chat.assigned", chat_id=chat_id)
    return a, v, chat_id


def send(chat_id: str, body: str) -> dict[str, str]:
    return {"type": "message.send", "chat_id": chat_id, "client_msg_id": msg_id(), "body": body}


async def test_a_message_flood_is_refused_and_the_socket_stays_usable(
    start_server: StartServer,
) -> None:
    server = await asyncio.to_thread(start_server)  # the defaults a shop runs with
    a, v, chat_id = await open_chat(server)
    flood = [send(chat_id, f"spam {i}") for i in range(500)]
    for frame in flood:
        await v.send(frame)
    await settle(v, 500)
    acked = {f["client_msg_id"] for f in v.all("message.ack")}
    refused = v.all("error")
    assert all(e["code"] == "rate_limited" for e in refused)
    assert 5 <= len(acked) <= 60, len(acked)
    assert len(refused) == 500 - len(acked)
    assert {e["ref"] for e in refused} == {f["client_msg_id"] for f in flood} - acked
    assert all(e["chat_id"] == chat_id and e["retry_after_s"] >= 1 for e in refused)

    await asyncio.sleep(max(e["retry_after_s"] for e in refused))
    last = send(chat_id, "Sorry, my cat sat on the keyboard")
    await v.send(last)
    await v.expect("message.ack", client_msg_id=last["client_msg_id"])
    # The agent got exactly the stored messages: the last one is the fence.
    await a.expect_message(chat_id, body=last["body"])
    got = {
        f["message"]["client_msg_id"]
        for f in a.all("message.new", chat_id=chat_id)
        if f["message"]["author"]["type"] == "visitor"
    }
    assert got == acked | {last["client_msg_id"]}
    # The agent answers at its own speed.
    replies = [send(chat_id, f"Answer {i}") for i in range(30)]
    for frame in replies:
        await a.send(frame)
    for frame in replies:
        await a.expect("message.ack", client_msg_id=frame["client_msg_id"])
    assert not a.all("error")


async def test_limits_switched_off_let_a_flood_through(start_server: StartServer) -> None:
    server = await asyncio.to_thread(start_server, PARLEY_RATE_LIMITS="false")
    _a, v, chat_id = await open_chat(server)
    for i in range(100):
        await v.send(send(chat_id, f"load {i}"))
    await settle(v, 100)
    assert len(v.all("message.ack")) == 100
    assert not v.all("error")


async def test_widget_sessions_and_chat_starts_per_address(start_server: StartServer) -> None:
    server = await asyncio.to_thread(
        start_server,
        PARLEY_RATE_LIMIT_WIDGET_SESSION="4/minute",
        PARLEY_RATE_LIMIT_CHAT_START="3/minute",
    )
    visitors = [(await visitor(server, DEMO_SITE_KEY))[0] for _ in range(4)]
    async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
        refused = await http.post("/api/v1/widget/session", json={"site_key": DEMO_SITE_KEY})
    assert 50 <= assert_refused(refused) <= 60
    for v in visitors[:3]:
        await v.send({"type": "chat.start", "client_msg_id": msg_id()})
        await v.expect("chat.started")
    last = visitors[3]
    ref = msg_id()
    await last.send({"type": "chat.start", "client_msg_id": ref})
    error = await last.expect("error", ref=ref)
    assert error["code"] == "rate_limited"
    assert 50 <= error["retry_after_s"] <= 60
    await last.send({"type": "ping"})
    await last.expect("pong")
    assert not last.all("chat.started")


async def test_chat_starts_behind_a_trusted_proxy_count_per_forwarded_client(
    start_server: StartServer,
) -> None:
    """Sockets reach their endpoint around the HTTP middleware (app/web/socket_lane.py); the
    forwarded address must still name the client there, as it does for HTTP."""
    server = await asyncio.to_thread(
        start_server, PARLEY_RATE_LIMIT_CHAT_START="1/minute", PARLEY_TRUSTED_PROXIES="127.0.0.1"
    )

    async def start_chat(forwarded_for: str) -> Frame:
        session = await asyncio.to_thread(server.widget_session, DEMO_SITE_KEY)
        v = await Client.connect(
            f"{server.ws_base}/ws/visitor",
            session["visitor_token"],
            headers={"X-Forwarded-For": forwarded_for},
        )
        await v.expect("hello")
        ref = msg_id()
        await v.send({"type": "chat.start", "client_msg_id": ref})
        answer = await v.wait_for(
            lambda f: f.get("type") == "chat.started" or f.get("ref") == ref, 10, "an answer"
        )
        await v.close()
        return answer

    assert (await start_chat("203.0.113.1"))["type"] == "chat.started"
    assert (await start_chat("203.0.113.2"))["type"] == "chat.started"  # another shopper
    again = await start_chat("203.0.113.1")
    assert again["type"] == "error"
    assert again["code"] == "rate_limited"


async def test_visitor_sockets_and_uploads_per_visitor(start_server: StartServer) -> None:
    server = await asyncio.to_thread(
        start_server, PARLEY_MAX_VISITOR_SOCKETS="2", PARLEY_RATE_LIMIT_VISITOR_UPLOAD="2/minute"
    )
    first, session = await visitor(server, DEMO_SITE_KEY)
    token = session["visitor_token"]
    second, _ = await visitor(server, DEMO_SITE_KEY, token)
    third = await Client.connect(f"{server.ws_base}/ws/visitor?token={token}")
    assert await third.closed() == 4429
    assert third.all("error", code="rate_limited")
    await first.close()
    again, _ = await visitor(server, DEMO_SITE_KEY, token)  # a slot is free again
    await again.send({"type": "ping"})
    await again.expect("pong")
    await second.close()
    await again.close()

    async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
        auth = {"Authorization": f"Bearer {token}"}
        codes = []
        for i in range(3):
            files = {"file": (f"note{i}.txt", io.BytesIO(b"hello"), "text/plain")}
            r = await http.post("/api/v1/uploads", files=files, headers=auth)
            codes.append(r.status_code)
        assert codes[:2] == [201, 201]
        assert_refused(r)
        # An agent's uploads are not a visitor's.
        agent_token = await asyncio.to_thread(server.login, *ALICE)
        files = {"file": ("a.txt", io.BytesIO(b"hi"), "text/plain")}
        r = await http.post(
            "/api/v1/uploads", files=files, headers={"Authorization": f"Bearer {agent_token}"}
        )
        assert r.status_code == 201, r.text


async def test_pre_chat_is_bounded(server: Server) -> None:
    v, _ = await visitor(server, DEMO_SITE_KEY)
    cases = {
        "fields": {f"question{i}": "yes" for i in range(21)},
        "64 characters": {"q" * 65: "yes"},
        "500 characters": {"order": "x" * 501},
        "text, a number or true/false": {"order": {"id": 1}},
    }
    for expected, pre_chat in cases.items():
        ref = msg_id()
        await v.send({"type": "chat.start", "pre_chat": pre_chat, "client_msg_id": ref})
        error = await v.expect("error", ref=ref)
        assert error["code"] == "bad_request"
        assert expected in error["message"], error["message"]
    fine = {"name": "Ada", "order": "A-1001", "items": 3, "gift": True}
    await v.send({"type": "chat.start", "pre_chat": fine, "client_msg_id": msg_id()})
    started = await v.expect("chat.started")
    assert started["chat_id"]


REDIS = os.environ.get("PARLEY_TEST_REDIS", "")


@pytest.mark.skipif(
    postgres_base() is None or not REDIS, reason="needs PostgreSQL and Redis (PARLEY_TEST_REDIS)"
)
def test_failed_logins_are_counted_across_processes(tmp_path: Path) -> None:
    url = fresh_database(tmp_path)
    env = {
        "PARLEY_BROKER_URL": REDIS,
        # Counters of their own on a shared Redis: other runs are not locked out by this one.
        "PARLEY_RATE_LIMIT_PREFIX": f"test-{secrets.token_hex(4)}",
        "PARLEY_RATE_LIMIT_LOGIN_ACCOUNT": "6/minute",
    }
    servers = []
    try:
        for i in range(2):
            workdir = tmp_path / f"p{i}"
            workdir.mkdir()
            srv = Server(workdir=workdir, database_url=url, demo=(i == 0), env_extra=env)
            srv.start()
            servers.append(srv)
        codes = [login(servers[i % 2], BEN[0], "wrong").status_code for i in range(6)]
        assert codes == [401] * 6
        for srv in servers:
            assert_refused(login(srv, *BEN))
        assert login(servers[1], *ALICE).status_code == 200
    finally:
        for srv in servers:
            srv.kill()
        drop_database(url)


async def test_a_shop_sets_its_own_limits_for_its_visitors(server: Server) -> None:
    """A site's own rule replaces the process's for that site's visitors, at once on the
    process that stored it; a rule that does not parse is refused with the field named."""
    admin = await asyncio.to_thread(server.login, "admin@demo.parley", "admin-demo")
    auth = {"Authorization": f"Bearer {admin}"}
    async with httpx.AsyncClient(base_url=server.base, headers=auth, timeout=10) as http:
        site_id = (await http.get("/api/v1/agents/me")).json()["site_id"]
        bad = await http.patch(
            f"/api/v1/sites/{site_id}", json={"rate_limits": {"visitor_message": "lots"}}
        )
        assert bad.status_code == 422
        assert "visitor_message" in bad.json()["error"]["message"]
        ok = await http.patch(
            f"/api/v1/sites/{site_id}", json={"rate_limits": {"visitor_message": "3/minute"}}
        )
        assert ok.status_code == 200, ok.text
        assert ok.json()["rate_limits"]["visitor_message"] == "3/minute"
    _a, v, chat_id = await open_chat(server)
    frames = [send(chat_id, f"question {i}") for i in range(5)]
    for frame in frames:
        await v.send(frame)
    await settle(v, 5)
    assert len(v.all("message.ack")) == 3  # the default would allow 5 a second
    refused = v.all("error")
    assert [e["code"] for e in refused] == ["rate_limited", "rate_limited"]
    assert all(e["retry_after_s"] > 5 for e in refused)  # a minute's window, not a second's
