"""Agents come and go: deactivation, password resets and role changes take effect at once, on
every process, for open sockets as for tokens; and no token ever reaches the server's log."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ALICE, BEN, DEMO_SITE_KEY, SAM, running_server
from tests.support import Client, Server, agent, msg_id, visitor

ADMIN = ("admin@demo.parley", "admin-demo")
BROKER = os.environ.get("PARLEY_TEST_BROKER", "")


async def call(server: Server, token: str, method: str, path: str, **kw: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        return await http.request(
            method, f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, **kw
        )


async def login(server: Server, email: str, password: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        return await http.post("/api/v1/auth/login", json={"email": email, "password": password})


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    """Two processes on one database (and on Redis, in the second pass of `make test`)."""
    env = {"PARLEY_BROKER_URL": BROKER} if BROKER else {}
    with running_server(tmp_path, **env) as first:
        second = Server(
            workdir=tmp_path, database_url=first.database_url, env_extra=env, demo=False
        )
        try:
            second.start()
            yield first, second
        finally:
            second.kill()


async def test_a_deactivated_agent_is_out_at_once_everywhere(
    two_processes: tuple[Server, Server],
) -> None:
    first, second = two_processes
    # With Redis the admin acts on the other process than Ben's socket; alone, on the same.
    admin_side = second if BROKER.startswith("redis") else first
    ben, _ = await agent(first, *BEN)
    ben_token = await asyncio.to_thread(first.login, *BEN)
    v, _ = await visitor(first, DEMO_SITE_KEY)
    await v.send({"type": "chat.start", "pre_chat": {"name": "Ulla"}, "message": "Hi"})
    chat_id = (await v.expect("chat.started"))["chat_id"]
    await ben.expect("chat.assigned", chat_id=chat_id)
    admin = await asyncio.to_thread(admin_side.login, *ADMIN)
    me = (await call(first, ben_token, "GET", "/agents/me")).json()

    r = await call(admin_side, admin, "POST", f"/agents/{me['id']}/deactivate")
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False
    assert r.json()["status"] == "offline"
    closed = await ben.expect("session.closed")
    assert closed["reason"] == "deactivated"
    assert await ben.closed() == 4001
    # The customer is not left with nobody: the chat waits for the next agent.
    await v.expect("chat.queued", chat_id=chat_id)

    for srv in (first, second):
        assert (await call(srv, ben_token, "GET", "/agents/me")).status_code == 401
        refused = await Client.connect(f"{srv.ws_base}/ws/agent", ben_token)
        assert await refused.closed() == 4401
        r = await login(srv, *BEN)
        assert r.status_code == 401
        assert "deactivated" in r.json()["error"]["message"]

    r = await call(admin_side, admin, "POST", f"/agents/{me['id']}/reactivate")
    assert r.json()["active"] is True
    assert (await login(second, *BEN)).status_code == 200
    # The old token stays revoked: reactivation does not bring back old sessions.
    assert (await call(second, ben_token, "GET", "/agents/me")).status_code == 401
    # And nobody deactivates themselves by mistake.
    admin_id = (await call(first, admin, "GET", "/agents/me")).json()["id"]
    r = await call(first, admin, "POST", f"/agents/{admin_id}/deactivate")
    assert r.status_code == 409


async def test_password_reset_and_change_revoke_older_tokens(server: Server) -> None:
    admin = await asyncio.to_thread(server.login, *ADMIN)
    old = await asyncio.to_thread(server.login, *ALICE)
    alice_id = (await call(server, old, "GET", "/agents/me")).json()["id"]
    socket, _ = await agent(server, *ALICE)

    r = await call(server, admin, "POST", f"/agents/{alice_id}/password", json={"password": "x"})
    assert r.status_code == 422  # too short: a clear error, nothing changed
    assert (await call(server, old, "GET", "/agents/me")).status_code == 200
    r = await call(
        server, admin, "POST", f"/agents/{alice_id}/password", json={"password": "new-alice-1"}
    )
    assert r.status_code == 200
    assert (await socket.expect("session.closed"))["reason"] == "password_reset"
    assert await socket.closed() == 4001
    assert (await call(server, old, "GET", "/agents/me")).status_code == 401
    assert (await login(server, *ALICE)).status_code == 401
    fresh = (await login(server, ALICE[0], "new-alice-1")).json()["access_token"]

    other_session = await Client.connect(f"{server.ws_base}/ws/agent", fresh)
    await other_session.expect("hello")
    wrong = await call(
        server,
        fresh,
        "POST",
        "/agents/me/password",
        json={"current_password": "not it", "new_password": "newer-alice-2"},
    )
    assert wrong.status_code == 403
    changed = await call(
        server,
        fresh,
        "POST",
        "/agents/me/password",
        json={"current_password": "new-alice-1", "new_password": "newer-alice-2"},
    )
    assert changed.status_code == 200
    assert await other_session.closed() == 4001
    assert (await call(server, fresh, "GET", "/agents/me")).status_code == 401
    newest = changed.json()["access_token"]
    assert (await call(server, newest, "GET", "/agents/me")).status_code == 200


async def test_a_demoted_supervisor_loses_supervision_at_once(server: Server) -> None:
    alice, _ = await agent(server, *ALICE)
    sam, _ = await agent(server, *SAM)
    await sam.send({"type": "presence.set", "status": "away"})
    v, _ = await visitor(server, DEMO_SITE_KEY)
    await v.send({"type": "chat.start", "pre_chat": {"name": "Ida"}, "message": "Hi"})
    chat_id = (await v.expect("chat.started"))["chat_id"]
    await alice.expect("chat.assigned", chat_id=chat_id)
    await sam.send({"type": "chat.monitor", "chat_id": chat_id})
    await sam.expect("chat.monitoring", chat_id=chat_id)

    admin = await asyncio.to_thread(server.login, *ADMIN)
    sam_token = await asyncio.to_thread(server.login, *SAM)
    sam_id = (await call(server, sam_token, "GET", "/agents/me")).json()["id"]
    r = await call(server, admin, "PATCH", f"/agents/{sam_id}", json={"role": "agent"})
    assert r.status_code == 200
    assert (await sam.expect("session.closed"))["reason"] == "role_changed"
    assert await sam.closed() == 4001

    # Back as an agent (same token: the role is read on every connection and request).
    again = await Client.connect(f"{server.ws_base}/ws/agent", sam_token)
    hello = await again.expect("hello")
    assert hello["agent"]["role"] == "agent"
    await again.send({"type": "chat.monitor", "chat_id": chat_id})
    assert (await again.expect("error"))["code"] == "forbidden"
    marker = msg_id()
    await alice.send(
        {"type": "message.send", "chat_id": chat_id, "client_msg_id": marker,
         "body": "between us", "kind": "whisper"}
    )  # fmt: skip
    await alice.expect_message(chat_id, client_msg_id=marker)
    await again.fence()
    assert [f for f in again.frames if f.get("chat_id") == chat_id and f["type"] != "error"] == []
    overview = await call(server, sam_token, "GET", "/supervisor/overview")
    assert overview.status_code == 403


@pytest.fixture
def talkative(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path, PARLEY_LOG_LEVEL="debug") as srv:
        yield srv


async def test_no_token_reaches_the_log(talkative: Server) -> None:
    server = talkative
    alice, _ = await agent(server, *ALICE)
    v, session = await visitor(server, DEMO_SITE_KEY)
    vtoken = session["visitor_token"]
    atoken = await asyncio.to_thread(server.login, *ALICE)
    await v.send({"type": "chat.start", "pre_chat": {"name": "Log"}, "message": "Hello"})
    chat_id = (await v.expect("chat.started"))["chat_id"]
    await alice.expect("chat.assigned", chat_id=chat_id)
    # The contract's older form, with the token in the URL, still works...
    legacy = await Client.connect(f"{server.ws_base}/ws/visitor?token={vtoken}")
    await legacy.expect("hello")
    async with httpx.AsyncClient(base_url=server.base) as http:
        up = await http.post(
            "/api/v1/uploads",
            files={"file": ("note.txt", b"hello\n", "text/plain")},
            headers={"Authorization": f"Bearer {vtoken}"},
        )
        link = await http.post(
            f"/api/v1/uploads/{up.json()['id']}/link",
            headers={"Authorization": f"Bearer {vtoken}"},
        )
        assert (await http.get(link.json()["url"])).status_code == 200
        old_style = await http.get(f"/api/v1/uploads/{up.json()['id']}", params={"token": vtoken})
        assert old_style.status_code == 200
    await alice.send(
        {"type": "message.send", "chat_id": chat_id, "client_msg_id": msg_id(), "body": "Hi"}
    )
    await v.expect_message(chat_id, body="Hi")
    for client in (legacy, v, alice):
        await client.close()

    log = next(server.workdir.glob(f"server-{server.port}.log")).read_text()
    assert "/ws/visitor" in log  # the access log is on, and names the sockets
    sig = link.json()["url"].split("sig=", 1)[1]
    for secret in (vtoken, atoken, sig):
        assert secret not in log
    assert "token=[redacted]" in log
    assert "sig=[redacted]" in log
