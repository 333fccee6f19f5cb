"""API tokens for integrations: shown once, stored hashed, scoped, revoked on every process at
once; sending into a chat as the site or as a named agent; listing visitors with filters."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ALICE, BEN, DEMO_SITE_KEY, running_server
from tests.databases import drop_database, fresh_database, postgres_base
from tests.e2e.test_cluster import BROKER, start_cluster
from tests.support import Client, Server, agent, msg_id, visitor

ADMIN = ("admin@demo.parley", "admin-demo")
OLGA = ("olga@other.example", "olga-pass-1")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path, PARLEY_RATE_LIMITS="false") as srv:
        yield srv


async def call(
    server: Server, token: str | None, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        return await http.request(method, f"/api/v1{path}", headers=headers, **kwargs)


async def new_token(server: Server, admin: str, **body: Any) -> dict[str, Any]:
    r = await call(server, admin, "POST", "/api-tokens", json={"name": "CRM", **body})
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


async def start_chat(server: Server, name: str) -> tuple[Client, str, str]:
    """A visitor's chat that routing gives to Alice (the one online with "sales")."""
    v, session = await visitor(server, DEMO_SITE_KEY)
    await v.send(
        {
            "type": "chat.start",
            "pre_chat": {"name": name, "department": "sales"},
            "message": "Hello",
            "client_msg_id": msg_id(),
        }
    )
    chat_id: str = (await v.expect("chat.started"))["chat_id"]
    await v.expect("chat.assigned", chat_id=chat_id)
    return v, chat_id, session["visitor"]["id"]


async def test_a_token_is_shown_once_scoped_and_revoked_at_once(server: Server) -> None:
    admin = await asyncio.to_thread(server.login, *ADMIN)
    alice = await asyncio.to_thread(server.login, *ALICE)
    # Only admins manage tokens.
    r = await call(server, alice, "POST", "/api-tokens", json={"name": "mine"})
    assert r.status_code == 403
    assert (await call(server, None, "GET", "/api-tokens")).status_code == 401

    write = await new_token(server, admin)
    read = await new_token(server, admin, name="Reports", scope="read")
    assert write["token"].startswith("pk_")
    assert write["role"] == "agent"
    assert write["scope"] == "write"
    assert read["scope"] == "read"
    listed = (await call(server, admin, "GET", "/api-tokens")).json()["items"]
    assert {t["id"] for t in listed} == {write["id"], read["id"]}
    assert all("token" not in t and t["last_used_at"] is None for t in listed)
    assert write["token"] not in (await call(server, admin, "GET", "/api-tokens")).text

    # The token reads the site's chats, and its use is noted.
    assert (await call(server, write["token"], "GET", "/chats")).status_code == 200
    listed = (await call(server, admin, "GET", "/api-tokens")).json()["items"]
    used = {t["id"]: t["last_used_at"] for t in listed}
    assert used[write["id"]] is not None
    assert used[read["id"]] is None

    # An agent token is no admin and no person.
    assert (await call(server, write["token"], "GET", "/api-tokens")).status_code == 403
    assert (await call(server, write["token"], "GET", "/webhooks")).status_code == 403
    assert (await call(server, write["token"], "GET", "/agents/me")).status_code == 403
    # An admin token manages.
    boss = await new_token(server, admin, name="Provisioning", role="admin")
    assert (await call(server, boss["token"], "GET", "/api-tokens")).status_code == 200

    # A read token reads and is refused every write.
    visitors = await call(server, read["token"], "GET", "/visitors")
    assert visitors.status_code == 200, visitors.text
    alice_socket, _ = await agent(server, *ALICE)
    v, chat_id, visitor_id = await start_chat(server, "Vera")
    refused = [
        await call(server, read["token"], "POST", f"/chats/{chat_id}/messages", json={"body": "x"}),
        await call(server, read["token"], "PATCH", f"/visitors/{visitor_id}", json={"name": "x"}),
        await call(server, read["token"], "POST", "/skills", json={"name": "crm"}),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert all(r.json()["error"]["code"] == "forbidden" for r in refused)
    ok = await call(server, write["token"], "PATCH", f"/visitors/{visitor_id}", json={"name": "V"})
    assert ok.status_code == 200, ok.text

    # A forged secret for a real id, and garbage, are refused.
    forged = write["token"].rsplit("_", 1)[0] + "_forged"
    assert (await call(server, forged, "GET", "/chats")).status_code == 401
    assert (await call(server, "pk_nothing", "GET", "/chats")).status_code == 401

    # Revoked: refused on the very next request.
    assert (await call(server, admin, "DELETE", f"/api-tokens/{write['id']}")).status_code == 204
    gone = await call(server, write["token"], "GET", "/chats")
    assert gone.status_code == 401
    assert gone.json()["error"]["code"] == "unauthorized"
    assert (await call(server, admin, "DELETE", f"/api-tokens/{write['id']}")).status_code == 404
    await v.close()
    await alice_socket.close()


async def test_another_shops_admin_sees_and_revokes_none_of_ours(server: Server) -> None:
    admin = await asyncio.to_thread(server.login, *ADMIN)
    other = await asyncio.to_thread(server.cli, "create-site", "--name", "Other shop")
    await asyncio.to_thread(
        server.cli, "create-agent", "--email", OLGA[0], "--name", "Olga",
        "--password", OLGA[1], "--role", "admin", "--site", other["id"],
    )  # fmt: skip
    olga = await asyncio.to_thread(server.login, *OLGA)
    ours = await new_token(server, admin)
    theirs = await new_token(server, olga)
    assert ours["id"] not in (await call(server, olga, "GET", "/api-tokens")).text
    assert (await call(server, olga, "DELETE", f"/api-tokens/{ours['id']}")).status_code == 404
    alice_socket, _ = await agent(server, *ALICE)
    v, chat_id, visitor_id = await start_chat(server, "Vera")
    # Their token knows nothing of our chats and visitors.
    r = await call(server, theirs["token"], "GET", f"/chats/{chat_id}/messages")
    assert r.status_code == 404
    r = await call(
        server, theirs["token"], "POST", f"/chats/{chat_id}/messages", json={"body": "x"}
    )
    assert r.status_code == 404
    assert visitor_id not in (await call(server, theirs["token"], "GET", "/visitors")).text
    assert chat_id not in (await call(server, theirs["token"], "GET", "/chats")).text
    await v.close()
    await alice_socket.close()


async def test_posting_as_the_site_or_an_agent_reaches_the_visitor_live(server: Server) -> None:
    admin = await asyncio.to_thread(server.login, *ADMIN)
    token = (await new_token(server, admin))["token"]
    alice_socket, _ = await agent(server, *ALICE)
    ben_socket, _ = await agent(server, *BEN)
    v, chat_id, _ = await start_chat(server, "Vera")
    me = await call(server, admin, "GET", "/agents/me")
    site = (await call(server, admin, "GET", f"/sites/{me.json()['site_id']}")).json()
    agents = (await call(server, admin, "GET", "/agents")).json()["items"]
    ben_id = next(a["id"] for a in agents if a["email"] == BEN[0])
    alice_id = next(a["id"] for a in agents if a["email"] == ALICE[0])

    # As the site.
    r = await call(server, token, "POST", f"/chats/{chat_id}/messages", json={"body": "Shipped"})
    assert r.status_code == 201, r.text
    assert r.json()["author"] == {
        "type": "system", "id": None, "name": site["name"], "avatar_url": None
    }  # fmt: skip
    got = await v.expect_message(chat_id, body="Shipped")
    assert got["message"]["author"]["type"] == "system"
    assert got["message"]["author"]["name"] == site["name"]
    await alice_socket.expect_message(chat_id, body="Shipped")

    # As a named agent of the site.
    r = await call(
        server, token, "POST", f"/chats/{chat_id}/messages",
        json={"body": "Ben here", "as_agent_id": ben_id},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    got = await v.expect_message(chat_id, body="Ben here")
    assert got["message"]["author"]["type"] == "agent"
    assert got["message"]["author"]["id"] == ben_id
    r = await call(
        server, token, "POST", f"/chats/{chat_id}/messages",
        json={"body": "nobody", "as_agent_id": "no-such-agent"},
    )  # fmt: skip
    assert r.status_code == 404

    # A retried POST with the same client_msg_id stores one message.
    cid = msg_id()
    first = await call(
        server,
        token,
        "POST",
        f"/chats/{chat_id}/messages",
        json={"body": "once", "client_msg_id": cid},
    )
    again = await call(
        server,
        token,
        "POST",
        f"/chats/{chat_id}/messages",
        json={"body": "once", "client_msg_id": cid},
    )
    assert first.json()["id"] == again.json()["id"]

    # An agent's own token: as themselves only, and only in their own chat.
    alice = await asyncio.to_thread(server.login, *ALICE)
    r = await call(server, alice, "POST", f"/chats/{chat_id}/messages", json={"body": "Alice"})
    assert r.status_code == 201
    assert r.json()["author"]["id"] == alice_id
    await v.expect_message(chat_id, body="Alice")
    r = await call(
        server, alice, "POST", f"/chats/{chat_id}/messages",
        json={"body": "as Ben", "as_agent_id": ben_id},
    )  # fmt: skip
    assert r.status_code == 403
    ben = await asyncio.to_thread(server.login, *BEN)
    r = await call(server, ben, "POST", f"/chats/{chat_id}/messages", json={"body": "Ben"})
    assert r.status_code == 403

    # The visitor heard each stored message exactly once, and nothing refused.
    await v.fence()
    bodies = [f["message"]["body"] for f in v.all("message.new", chat_id=chat_id)]
    assert bodies == ["Hello", "Shipped", "Ben here", "once", "Alice"]
    for client in (v, alice_socket, ben_socket):
        await client.close()


async def test_visitors_are_listed_with_filters_and_cursor(server: Server) -> None:
    admin = await asyncio.to_thread(server.login, *ADMIN)
    token = (await new_token(server, admin, scope="read"))["token"]
    ids = []
    for _ in range(5):
        session = await asyncio.to_thread(server.widget_session, DEMO_SITE_KEY)
        ids.append(session["visitor"]["id"])
    for n, vid in enumerate(ids):
        body = {"email": f"c{n}@shop.example", "attributes": {"plan": "gold" if n % 2 else "free"}}
        r = await call(server, admin, "PATCH", f"/visitors/{vid}", json=body)
        assert r.status_code == 200, r.text

    r = await call(server, token, "GET", "/visitors", params={"email": "C3@shop.example"})
    assert [v["id"] for v in r.json()["items"]] == [ids[3]]
    r = await call(server, token, "GET", "/visitors", params={"attribute.plan": "gold"})
    assert {v["id"] for v in r.json()["items"]} == {ids[1], ids[3]}
    assert all(v["attributes"]["plan"] == "gold" for v in r.json()["items"])
    r = await call(server, token, "GET", "/visitors", params={"external_id": "nobody"})
    assert r.json() == {"items": [], "next_cursor": None}
    r = await call(server, token, "GET", "/visitors", params={"seen_after": "2999-01-01T00:00:00Z"})
    assert r.json()["items"] == []

    # Pages of two: every visitor once, then no cursor.
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await call(server, token, "GET", "/visitors", params=params)).json()
        seen.extend(v["id"] for v in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[list[Server]]:
    """Two processes on one PostgreSQL and one Redis (skipped on SQLite)."""
    if postgres_base() is None or not BROKER.startswith("redis"):
        pytest.skip("needs PostgreSQL and Redis (the second pass of `make test`)")
    url = fresh_database(tmp_path)
    servers: list[Server] = []
    try:
        servers.extend(start_cluster(tmp_path, url, BROKER, n=2))
        yield servers
    finally:
        for srv in servers:
            srv.kill()
        drop_database(url)


async def test_a_revoked_token_is_refused_by_another_process_at_once(
    two_processes: list[Server],
) -> None:
    a, b = two_processes
    admin = await asyncio.to_thread(a.login, *ADMIN)
    created = await new_token(a, admin)
    # Process B has seen the token work (nothing of it may linger there).
    for _ in range(3):
        assert (await call(b, created["token"], "GET", "/chats")).status_code == 200
    r = await call(a, admin, "DELETE", f"/api-tokens/{created['id']}")
    assert r.status_code == 204
    assert (await call(b, created["token"], "GET", "/chats")).status_code == 401
