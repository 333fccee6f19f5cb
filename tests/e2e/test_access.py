"""Who may do what: every socket action and every REST route, tried as every kind of caller.

One table, one cell per (action, caller), each with the exact outcome. The callers: nobody,
the chat's visitor, a visitor of another chat, an admin of another shop, an agent of the shop
who is not in the chat, the chat's agent, a supervisor, an admin, and the shop's API token
(REST only). A route added without a row
here fails the coverage check at the end. After the table, the callers refused everything
about the chat are shown to have received nothing of it (checked after a fence).
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ALICE, BEN, DEMO_SITE_KEY, SAM, running_server
from tests.e2e.test_supervision import png
from tests.support import Client, Frame, Server, agent, msg_id, visitor

ADMIN = ("admin@demo.parley", "admin-demo")
OLGA = ("olga@other.example", "olga-pass-1")
TESS = ("tess@demo.parley", "tess-pass-1")

PERSONAS = (
    "anonymous",
    "visitor",
    "other_visitor",
    "other_site",
    "agent_out",
    "agent_in",
    "supervisor",
    "admin",
    # An API token of the shop (role agent, scope write): REST only, never a socket.
    "api_token",
)
SOCKET_PERSONAS = PERSONAS[1:-1]
# Well under the server's idle timeout for sockets (app/web/sockets.py IDLE_TIMEOUT_S).
KEEPALIVE_S = 20.0


def row(*outcomes: object) -> dict[str, object]:
    assert len(outcomes) == len(PERSONAS)
    return dict(zip(PERSONAS, outcomes, strict=True))


def srow(*outcomes: str) -> dict[str, object]:
    assert len(outcomes) == len(SOCKET_PERSONAS)
    return dict(zip(SOCKET_PERSONAS, outcomes, strict=True))


@dataclass
class World:
    server: Server
    site_id: str
    chat_id: str
    visitor_id: str
    attachment_id: str
    tess_id: str
    shared_reply_id: str
    tokens: dict[str, str | None]
    sockets: dict[str, Client]
    counter: itertools.count[int] = field(default_factory=itertools.count)

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"


async def _api(world: World, persona: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    token = world.tokens[persona]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=world.server.base, timeout=30) as http:
        return await http.request(method, f"/api/v1{path}", headers=headers, **kwargs)


async def _start_chat(server: Server, name: str) -> tuple[Client, str, str]:
    """A visitor with a chat that routing gives to Alice (the only one online with "sales")."""
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
    return v, chat_id, session["visitor_token"]


async def _setup(server: Server) -> World:
    admin_token = await asyncio.to_thread(server.login, *ADMIN)
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        me = (
            await http.get("/api/v1/agents/me", headers={"Authorization": f"Bearer {admin_token}"})
        ).json()
    site_id = me["site_id"]
    other = await asyncio.to_thread(server.cli, "create-site", "--name", "Other shop")
    await asyncio.to_thread(
        server.cli, "create-agent", "--email", OLGA[0], "--name", "Olga",
        "--password", OLGA[1], "--role", "admin", "--site", other["id"],
    )  # fmt: skip
    tess = await asyncio.to_thread(
        server.cli, "create-agent", "--email", TESS[0], "--name", "Tess",
        "--password", TESS[1], "--site", site_id,
    )  # fmt: skip

    sockets: dict[str, Client] = {}
    tokens: dict[str, str | None] = {"anonymous": None}
    for persona, creds in (
        ("agent_in", ALICE),
        ("agent_out", BEN),
        ("supervisor", SAM),
        ("admin", ADMIN),
        ("other_site", OLGA),
    ):
        sockets[persona], _ = await agent(server, *creds)
        tokens[persona] = await asyncio.to_thread(server.login, *creds)
        if persona in ("supervisor", "admin"):
            # Watching, not taking customers: chats of "sales" go to Alice.
            await sockets[persona].send({"type": "presence.set", "status": "away"})
            await sockets[persona].fence()
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        created = await http.post(
            "/api/v1/api-tokens",
            json={"name": "CRM"},
            headers={"Authorization": f"Bearer {admin_token}"},
        )
        assert created.status_code == 201, created.text
        tokens["api_token"] = created.json()["token"]
    v, chat_id, vtoken = await _start_chat(server, "Vera")
    await sockets["agent_in"].expect("chat.assigned", chat_id=chat_id)
    sockets["visitor"], tokens["visitor"] = v, vtoken
    w, wsession = await visitor(server, DEMO_SITE_KEY)
    sockets["other_visitor"], tokens["other_visitor"] = w, wsession["visitor_token"]

    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        up = await http.post(
            "/api/v1/uploads",
            files={"file": ("receipt.png", io.BytesIO(png()), "image/png")},
            headers={"Authorization": f"Bearer {vtoken}"},
        )
        assert up.status_code == 201, up.text
        reply = await http.post(
            "/api/v1/saved-replies",
            json={"shortcut": "hours", "title": "Hours", "body": "9-17", "shared": True},
            headers={"Authorization": f"Bearer {admin_token}"},
        )
        assert reply.status_code == 201, reply.text
    cid = msg_id()
    await v.send(
        {
            "type": "message.send",
            "chat_id": chat_id,
            "client_msg_id": cid,
            "body": "my receipt",
            "attachment_ids": [up.json()["id"]],
        }
    )
    await v.expect("message.ack", client_msg_id=cid)
    visitor_id = (await asyncio.to_thread(server.widget_session, DEMO_SITE_KEY, vtoken))["visitor"][
        "id"
    ]
    return World(
        server=server,
        site_id=site_id,
        chat_id=chat_id,
        visitor_id=visitor_id,
        attachment_id=up.json()["id"],
        tess_id=tess["id"],
        shared_reply_id=reply.json()["id"],
        tokens=tokens,
        sockets=sockets,
    )


# --------------------------------------------------------------------------- sockets


async def _outcome(client: Client, frame: Frame, success: str | None) -> str:
    """``ok`` when the frame took effect, or the code of the error it was answered with.

    Frames without a reply of their own are fenced with a ping: the contract answers ``pong``
    only after every earlier frame of the socket has taken effect.
    """
    ref = frame.get("client_msg_id")
    start = len(client.frames)
    if frame["type"] == "message.send":
        await client.send(frame)
        got = await client.wait_for(
            lambda f: (
                (f.get("client_msg_id") == ref and f.get("type") == "message.ack")
                or (f.get("type") == "error" and f.get("ref") == ref)
            ),
            10,
            f"answer to {frame['type']}",
        )
        return "ok" if got["type"] == "message.ack" else str(got["code"])
    await client.send(frame)
    await client.fence()
    seen = client.frames[start:]
    errors = [f for f in seen if f.get("type") == "error"]
    if errors:
        return str(errors[0]["code"])
    if success is not None:
        await client.expect(success)
    return "ok"


FrameFactory = Callable[[str], Frame]


def _send(kind: str) -> FrameFactory:
    return lambda chat_id: {
        "type": "message.send",
        "chat_id": chat_id,
        "client_msg_id": msg_id(),
        "body": f"{kind} message",
        "kind": kind,
    }


# (name, frame for a chat id, frame answering success or None, needs a chat of its own)
SOCKET_ACTIONS: list[tuple[str, FrameFactory, str | None, bool, dict[str, object]]] = [
    ("ping", lambda c: {"type": "ping"}, None, False,
     srow("ok", "ok", "ok", "ok", "ok", "ok", "ok")),
    ("message.send public", _send("public"), None, False,
     srow("ok", "not_found", "not_found", "forbidden", "ok", "ok", "ok")),
    ("message.send whisper", _send("whisper"), None, False,
     srow("forbidden", "not_found", "not_found", "forbidden", "ok", "ok", "ok")),
    ("typing", lambda c: {"type": "typing", "chat_id": c, "active": True}, None, False,
     srow("ok", "not_found", "not_found", "forbidden", "ok", "ok", "ok")),
    ("resume", lambda c: {"type": "resume", "chat_id": c, "after_seq": 0}, "resume.done", False,
     srow("ok", "not_found", "not_found", "forbidden", "ok", "ok", "ok")),
    ("chat.monitor", lambda c: {"type": "chat.monitor", "chat_id": c}, "chat.monitoring", False,
     srow("bad_request", "bad_request", "not_found", "forbidden", "forbidden", "ok", "ok")),
    ("chat.join", lambda c: {"type": "chat.join", "chat_id": c}, "chat.monitoring", False,
     srow("bad_request", "bad_request", "not_found", "forbidden", "forbidden", "ok", "ok")),
    ("chat.accept", lambda c: {"type": "chat.accept", "chat_id": c}, None, False,
     srow("bad_request", "bad_request", "not_found", "conflict", "ok", "conflict", "conflict")),
    ("page.view", lambda c: {"type": "page.view", "url": "https://shop.example/a"}, None, False,
     srow("ok", "ok", "bad_request", "bad_request", "bad_request", "bad_request", "bad_request")),
    ("visitor.event", lambda c: {"type": "visitor.event", "name": "cart.updated"}, None, False,
     srow("ok", "ok", "bad_request", "bad_request", "bad_request", "bad_request", "bad_request")),
    # A visitor's own name and e-mail, given in the chat: any visitor, for themselves only.
    ("visitor.contact", lambda c: {"type": "visitor.contact", "email": "v@example.com"},
     "visitor.contact.saved", False,
     srow("ok", "ok", "bad_request", "bad_request", "bad_request", "bad_request", "bad_request")),
    ("activity", lambda c: {"type": "activity"}, None, False,
     srow("bad_request", "bad_request", "ok", "ok", "ok", "ok", "ok")),
    ("chat.transfer", None, None, True,  # type: ignore[list-item]
     srow("bad_request", "bad_request", "not_found", "forbidden", "ok", "ok", "ok")),
    ("survey.submit", lambda c: {"type": "survey.submit", "chat_id": c, "rating": 4},
     "survey.saved", False,
     srow("ok", "not_found", "bad_request", "bad_request", "bad_request", "bad_request",
          "bad_request")),
    ("chat.close", lambda c: {"type": "chat.close", "chat_id": c}, None, True,
     srow("ok", "not_found", "not_found", "forbidden", "ok", "ok", "ok")),
    # The live visitors list: every staff socket, of its own site (the other shop's admin
    # watches their own, empty of this shop's visitors).
    ("visitors.watch", lambda c: {"type": "visitors.watch"}, "visitors.snapshot", False,
     srow("bad_request", "bad_request", "ok", "ok", "ok", "ok", "ok")),
    ("visitors.unwatch", lambda c: {"type": "visitors.unwatch"}, None, False,
     srow("bad_request", "bad_request", "ok", "ok", "ok", "ok", "ok")),
    # Say hello to the chat's visitor: staff of the site pass the authorisation and meet the
    # cap (in a chat); the other shop's admin cannot name the visitor.
    ("visitor.invite", None, None, False,  # type: ignore[list-item]
     srow("bad_request", "bad_request", "not_found", "conflict", "conflict", "conflict",
          "conflict")),
]  # fmt: skip


async def _socket_cell(
    world: World, persona: str, name: str, factory: FrameFactory | None, own_chat: bool
) -> tuple[str, str | None]:
    """Run one cell; returns (outcome, the chat id it concerned)."""
    client = world.sockets[persona]
    chat_id = world.chat_id
    fresh: Client | None = None
    if own_chat:
        fresh, chat_id, _ = await _start_chat(world.server, "Fresh")
        await world.sockets["agent_in"].expect("chat.assigned", chat_id=chat_id)
        if persona == "visitor":
            client = fresh
    if name == "chat.transfer":
        ben = (await _api(world, "agent_out", "GET", "/agents/me")).json()["id"]
        frame: Frame = {"type": "chat.transfer", "chat_id": chat_id, "to_agent_id": ben}
    elif name == "visitor.invite":
        frame = {"type": "visitor.invite", "visitor_id": world.visitor_id}
    else:
        assert factory is not None
        frame = factory(chat_id)
    outcome = await _outcome(client, frame, SUCCESS[name])
    if fresh is not None:
        admin = world.sockets["admin"]
        await admin.send({"type": "chat.close", "chat_id": chat_id})
        await admin.fence()
        await fresh.close()
    return outcome, chat_id


SUCCESS = {name: success for name, _, success, _, _ in SOCKET_ACTIONS}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """Limits off: this test opens more sessions and chats from one address than a shop would
    allow, and a 429 would hide the outcome each cell is about."""
    with running_server(tmp_path, PARLEY_RATE_LIMITS="false") as srv:
        yield srv


async def test_every_socket_action_and_rest_route_as_every_caller(server: Server) -> None:
    world = await _setup(server)
    failures: list[str] = []

    for path in ("/ws/visitor", "/ws/agent"):  # nobody: no socket at all
        anonymous = await Client.connect(f"{server.ws_base}{path}")
        assert await anonymous.closed() == 4401

    for name, factory, _success, own_chat, expected in SOCKET_ACTIONS:
        for persona in SOCKET_PERSONAS:
            got, _ = await _socket_cell(world, persona, name, factory, own_chat)
            if got != expected[persona]:
                failures.append(
                    f"socket {name} as {persona}: expected {expected[persona]}, got {got}"
                )

    last_ping = time.monotonic()
    for (method, path), (expected, prepare) in REST_ROUTES.items():
        if time.monotonic() - last_ping > KEEPALIVE_S:
            # The table takes minutes on a busy machine; sockets silent for longer than the
            # server's idle timeout are closed (1001), and the checks below still need them.
            for client in world.sockets.values():
                await client.fence()
            last_ping = time.monotonic()
        for persona in PERSONAS:
            kwargs, concrete = await prepare(world, persona, path)
            r = await _api(world, persona, method, concrete, **kwargs)
            if r.status_code != expected[persona]:
                failures.append(
                    f"{method} {path} as {persona}: expected {expected[persona]}, "
                    f"got {r.status_code} {r.text[:120]}"
                )
            elif r.status_code >= 400:
                assert r.json()["error"]["code"], r.text
    assert not failures, "\n".join(failures)

    # Refused callers received nothing of the chat: Alice's marker went through the chat's
    # topic (she hears it), then each of them answers a ping after it.
    marker = msg_id()
    alice = world.sockets["agent_in"]
    await alice.send(
        {"type": "message.send", "chat_id": world.chat_id, "client_msg_id": marker,
         "body": "marker", "kind": "whisper"}
    )  # fmt: skip
    await alice.expect_message(world.chat_id, client_msg_id=marker)
    for persona in ("other_visitor", "other_site", "agent_out"):
        client = world.sockets[persona]
        await client.fence()
        leaked = [
            f
            for f in client.frames
            if f.get("chat_id") == world.chat_id
            # Errors answered their own refused frames (a chat's visitor.activity, too, goes
            # to the chat's staff only).
            and f.get("type") != "error"
        ]
        assert leaked == [], f"{persona} received frames of a chat it was refused: {leaked}"
    # The other shop's admin watched their own live visitors list: none of this shop's arrived.
    assert world.visitor_id not in json.dumps(world.sockets["other_site"].frames)

    # Every route of the API has a row in the table.
    async with httpx.AsyncClient(base_url=server.base) as http:
        spec = (await http.get("/openapi.json")).json()
    routes = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, ops in spec["paths"].items()
        for method in ops
    }
    assert routes == set(REST_ROUTES), routes ^ set(REST_ROUTES)


# --------------------------------------------------------------------------- REST

Prepared = tuple[dict[str, Any], str]
Prepare = Callable[[World, str, str], Awaitable[Prepared]]


def fill(**body: Any) -> Prepare:
    """The route's path with the world's ids, and a fixed JSON body (or none)."""

    async def prepare(world: World, persona: str, path: str) -> Prepared:
        filled = {k: _concrete(world, v) if isinstance(v, str) else v for k, v in body.items()}
        return ({"json": filled} if body else {}), _concrete(world, path)

    return prepare


def _concrete(world: World, path: str) -> str:
    return path.format(
        chat_id=world.chat_id,
        visitor_id=world.visitor_id,
        attachment_id=world.attachment_id,
        site_id=world.site_id,
        agent_id=world.tess_id,
        reply_id=world.shared_reply_id,
        mail_id="no-such-mail",
        trigger_id="no-such-trigger",
    )


async def _file(world: World, persona: str, path: str) -> Prepared:
    return {"files": {"file": ("photo.png", io.BytesIO(png()), "image/png")}}, path


async def _file_at(world: World, persona: str, path: str) -> Prepared:
    return {"files": {"file": ("logo.png", io.BytesIO(png()), "image/png")}}, _concrete(world, path)


async def _new_agent(world: World, persona: str, path: str) -> Prepared:
    email = f"{world.unique('new')}@demo.parley"
    return {"json": {"email": email, "name": "New", "password": "new-pass-123"}}, path


async def _new_site(world: World, persona: str, path: str) -> Prepared:
    admin = {
        "email": f"{world.unique('owner')}@new.example",
        "name": "Owner",
        "password": "owner-pass-1",
    }
    return {"json": {"name": "New shop", "admin": admin}}, path


async def _new_skill(world: World, persona: str, path: str) -> Prepared:
    return {"json": {"name": world.unique("skill")}}, path


async def _skill_to_delete(world: World, persona: str, path: str) -> Prepared:
    r = await _api(world, "admin", "POST", "/skills", json={"name": world.unique("gone")})
    return {}, path.format(skill_id=r.json()["id"])


async def _personal_reply(world: World, persona: str, path: str) -> Prepared:
    shortcut = world.unique("mine")
    return {"json": {"shortcut": shortcut, "title": "Mine", "body": "text"}}, path


async def _reply_to_delete(world: World, persona: str, path: str) -> Prepared:
    r = await _api(
        world,
        "admin",
        "POST",
        "/saved-replies",
        json={"shortcut": world.unique("old"), "title": "Old", "body": "x", "shared": True},
    )
    return {}, path.format(reply_id=r.json()["id"])


async def _own_name(world: World, persona: str, path: str) -> Prepared:
    return {"json": {"name": f"{persona} renamed"}}, path


# A public address (no DNS needed) and an event nothing emits yet: nothing is ever sent to it.
WEBHOOK = {"url": "https://93.184.215.14/parley", "events": ["trigger.fired"]}
_webhooks: dict[str, str] = {}  # the site's webhook the routes below read, by site id


async def _webhook(world: World, persona: str, path: str) -> Prepared:
    if world.site_id not in _webhooks:
        r = await _api(world, "admin", "POST", "/webhooks", json=WEBHOOK)
        _webhooks[world.site_id] = r.json()["id"]
    concrete = path.format(webhook_id=_webhooks[world.site_id], delivery_id="no-such-delivery")
    return {"json": {"events": ["trigger.fired"]}}, concrete  # the PATCH's; the others ignore it


async def _api_token_to_delete(world: World, persona: str, path: str) -> Prepared:
    r = await _api(world, "admin", "POST", "/api-tokens", json={"name": world.unique("old")})
    return {}, path.format(token_id=r.json()["id"])


async def _visitor_to_erase(world: World, persona: str, path: str) -> Prepared:
    """A visitor of the shop of their own: the admin's erasure must not take the world's."""
    session = await asyncio.to_thread(world.server.widget_session, DEMO_SITE_KEY)
    return {}, path.format(visitor_id=session["visitor"]["id"])


async def _webhook_to_delete(world: World, persona: str, path: str) -> Prepared:
    r = await _api(world, "admin", "POST", "/webhooks", json=WEBHOOK)
    return {}, path.format(webhook_id=r.json()["id"])


NO_AGENT = (401, 401, 401)
REST_ROUTES: dict[tuple[str, str], tuple[dict[str, object], Prepare]] = {
    ("POST", "/auth/login"): (
        row(401, 401, 401, 401, 401, 401, 401, 401, 401),
        fill(email=ALICE[0], password="wrong password"),
    ),
    ("POST", "/widget/session"): (row(*[200] * 9), fill(site_key=DEMO_SITE_KEY)),
    ("GET", "/agents/me"): (row(*NO_AGENT, 200, 200, 200, 200, 200, 403), fill()),
    ("PATCH", "/agents/me"): (row(*NO_AGENT, 200, 200, 200, 200, 200, 403), _own_name),
    ("POST", "/agents/me/avatar"): (row(*NO_AGENT, 200, 200, 200, 200, 200, 403), _file),
    ("POST", "/agents/me/password"): (
        row(*NO_AGENT, 403, 403, 403, 403, 403, 403),
        fill(current_password="not my password", new_password="whatever-123"),
    ),
    ("GET", "/agents"): (row(*NO_AGENT, 200, 200, 200, 200, 200, 200), fill()),
    ("POST", "/agents"): (row(*NO_AGENT, 201, 403, 403, 403, 201, 403), _new_agent),
    ("PATCH", "/agents/{agent_id}"): (
        row(*NO_AGENT, 404, 403, 403, 403, 200, 403),
        fill(max_chats=2),
    ),
    ("POST", "/agents/{agent_id}/deactivate"): (
        row(*NO_AGENT, 404, 403, 403, 403, 200, 403),
        fill(),
    ),
    ("POST", "/agents/{agent_id}/reactivate"): (
        row(*NO_AGENT, 404, 403, 403, 403, 200, 403),
        fill(),
    ),
    ("POST", "/agents/{agent_id}/password"): (
        row(*NO_AGENT, 404, 403, 403, 403, 200, 403),
        fill(password=TESS[1]),
    ),
    ("GET", "/visitors/{visitor_id}"): (row(*NO_AGENT, 404, 200, 200, 200, 200, 200), fill()),
    ("PATCH", "/visitors/{visitor_id}"): (
        row(*NO_AGENT, 404, 200, 200, 200, 200, 200),
        fill(attributes={"plan": "gold"}),
    ),
    ("GET", "/chats"): (row(*NO_AGENT, 200, 200, 200, 200, 200, 200), fill()),
    ("GET", "/chats/{chat_id}/messages"): (row(*NO_AGENT, 404, 403, 200, 200, 200, 200), fill()),
    ("GET", "/chats/{chat_id}/survey"): (row(*NO_AGENT, 404, 403, 200, 200, 200, 200), fill()),
    ("GET", "/chats/export"): (row(*NO_AGENT, 200, 200, 200, 200, 200, 200), fill()),
    ("GET", "/skills"): (row(*NO_AGENT, 200, 200, 200, 200, 200, 200), fill()),
    ("POST", "/skills"): (row(*NO_AGENT, 201, 403, 403, 403, 201, 403), _new_skill),
    ("DELETE", "/skills/{skill_id}"): (
        row(*NO_AGENT, 404, 403, 403, 403, 204, 403),
        _skill_to_delete,
    ),
    ("GET", "/queue"): (row(*NO_AGENT, 200, 200, 200, 200, 200, 200), fill()),
    ("GET", "/sites/{site_id}"): (row(*NO_AGENT, 404, 200, 200, 200, 200, 200), fill()),
    ("PATCH", "/sites/{site_id}"): (
        row(*NO_AGENT, 404, 403, 403, 403, 200, 403),
        fill(greeting="Questions? Ask us."),
    ),
    ("POST", "/uploads"): (row(401, 201, 201, 201, 201, 201, 201, 201, 401), _file),
    ("GET", "/uploads/{attachment_id}"): (row(404, 200, 404, 404, 404, 200, 200, 200, 401), fill()),
    ("POST", "/uploads/{attachment_id}/link"): (
        row(404, 200, 404, 404, 404, 200, 200, 200, 401),
        fill(),
    ),
    ("GET", "/saved-replies"): (row(*NO_AGENT, 200, 200, 200, 200, 200, 200), fill()),
    ("POST", "/saved-replies"): (row(*NO_AGENT, 201, 201, 201, 201, 201, 403), _personal_reply),
    ("PATCH", "/saved-replies/{reply_id}"): (
        row(*NO_AGENT, 404, 403, 403, 200, 200, 200),
        fill(title="Opening hours"),
    ),
    ("DELETE", "/saved-replies/{reply_id}"): (
        row(*NO_AGENT, 404, 403, 403, 204, 204, 204),
        _reply_to_delete,
    ),
    ("POST", "/saved-replies/{reply_id}/use"): (
        row(*NO_AGENT, 404, 200, 200, 200, 200, 403),
        fill(chat_id="{chat_id}"),
    ),
    ("GET", "/supervisor/overview"): (row(*NO_AGENT, 200, 403, 403, 200, 200, 200), fill()),
    ("GET", "/kpis"): (row(*NO_AGENT, 200, 403, 403, 200, 200, 200), fill()),
    ("GET", "/kpis/top-questions"): (row(*NO_AGENT, 200, 403, 403, 200, 200, 200), fill()),
    ("GET", "/triggers"): (row(*NO_AGENT, 200, 403, 403, 403, 200, 403), fill()),
    ("POST", "/triggers"): (
        row(*NO_AGENT, 201, 403, 403, 403, 201, 403),
        fill(
            name="Pricing help",
            message="Questions about our prices?",
            conditions={
                "match": "all",
                "rules": [{"field": "url", "op": "contains", "value": "/p"}],
            },
        ),
    ),
    ("POST", "/triggers/preview"): (
        row(*NO_AGENT, 200, 403, 403, 403, 200, 403),
        fill(
            trigger={
                "name": "Pricing help",
                "message": "Questions about our prices?",
                "conditions": {"rules": [{"field": "url", "op": "contains", "value": "/p"}]},
            },
            visit={"url": "https://shop.example/pricing"},
        ),
    ),
    ("GET", "/triggers/{trigger_id}"): (row(*NO_AGENT, 404, 403, 403, 403, 404, 403), fill()),
    ("PATCH", "/triggers/{trigger_id}"): (
        row(*NO_AGENT, 404, 403, 403, 403, 404, 403),
        fill(enabled=False),
    ),
    ("DELETE", "/triggers/{trigger_id}"): (row(*NO_AGENT, 404, 403, 403, 403, 404, 403), fill()),
    ("GET", "/mail/status"): (row(*NO_AGENT, 200, 200, 200, 200, 200, 200), fill()),
    ("GET", "/mail/outbox"): (row(*NO_AGENT, 200, 403, 403, 403, 200, 403), fill()),
    ("POST", "/mail/outbox/{mail_id}/retry"): (
        row(*NO_AGENT, 404, 403, 403, 403, 404, 403),
        fill(),
    ),
    # Authorised first: only who may read the chat learns that e-mail is off on this server.
    ("POST", "/chats/{chat_id}/transcript"): (
        row(*NO_AGENT, 404, 403, 503, 503, 503, 503),
        fill(email="customer@example.com"),
    ),
    ("POST", "/webhooks"): (row(*NO_AGENT, 201, 403, 403, 403, 201, 403), fill(**WEBHOOK)),
    ("GET", "/webhooks"): (row(*NO_AGENT, 200, 403, 403, 403, 200, 403), fill()),
    ("GET", "/webhooks/{webhook_id}"): (row(*NO_AGENT, 404, 403, 403, 403, 200, 403), _webhook),
    ("PATCH", "/webhooks/{webhook_id}"): (row(*NO_AGENT, 404, 403, 403, 403, 200, 403), _webhook),
    ("DELETE", "/webhooks/{webhook_id}"): (
        row(*NO_AGENT, 404, 403, 403, 403, 204, 403),
        _webhook_to_delete,
    ),
    ("POST", "/webhooks/{webhook_id}/secret"): (
        row(*NO_AGENT, 404, 403, 403, 403, 200, 403),
        _webhook,
    ),
    ("GET", "/webhooks/{webhook_id}/deliveries"): (
        row(*NO_AGENT, 404, 403, 403, 403, 200, 403),
        _webhook,
    ),
    # No event has been sent to it: the admin passes the role check and meets 404.
    ("POST", "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): (
        row(*NO_AGENT, 404, 403, 403, 403, 404, 403),
        _webhook,
    ),
    ("GET", "/visitors"): (row(*NO_AGENT, 200, 200, 200, 200, 200, 200), fill()),
    ("DELETE", "/visitors/{visitor_id}"): (
        row(*NO_AGENT, 404, 403, 403, 403, 200, 403),
        _visitor_to_erase,
    ),
    ("GET", "/visitors/{visitor_id}/export"): (
        row(*NO_AGENT, 404, 403, 403, 403, 200, 403),
        fill(),
    ),
    ("GET", "/audit-log"): (row(*NO_AGENT, 200, 403, 403, 403, 200, 403), fill()),
    ("GET", "/privacy/retention"): (row(*NO_AGENT, 200, 403, 403, 403, 200, 403), fill()),
    ("PUT", "/privacy/retention"): (
        row(*NO_AGENT, 200, 403, 403, 403, 200, 403),
        fill(days=None),
    ),
    # As any REST caller sends: the chat's agent, staff, and an API token (as the site).
    ("POST", "/chats/{chat_id}/messages"): (
        row(*NO_AGENT, 404, 403, 201, 201, 201, 201),
        fill(body="From REST"),
    ),
    ("POST", "/api-tokens"): (row(*NO_AGENT, 201, 403, 403, 403, 201, 403), fill(name="CRM")),
    ("GET", "/api-tokens"): (row(*NO_AGENT, 200, 403, 403, 403, 200, 403), fill()),
    ("DELETE", "/api-tokens/{token_id}"): (
        row(*NO_AGENT, 404, 403, 403, 403, 204, 403),
        _api_token_to_delete,
    ),
    ("POST", "/sites"): (row(*NO_AGENT, 201, 403, 403, 403, 201, 403), _new_site),
    ("POST", "/sites/{site_id}/logo"): (row(*NO_AGENT, 404, 403, 403, 403, 200, 403), _file_at),
    # The install has its admins: the first-run page is refused to everyone, signed in or not.
    ("GET", "/setup"): (row(*[200] * 9), fill()),
    ("POST", "/setup"): (
        row(*[409] * 9),
        fill(email="first@new.example", name="First", password="first-pass-1"),
    ),
    ("POST", "/sites/{site_id}/identity-secret"): (
        row(*NO_AGENT, 404, 403, 403, 403, 200, 403),
        fill(),
    ),
}


async def test_other_shops_lists_never_show_this_shops_chat(server: Server) -> None:
    """Lists are scoped to the caller's site: another shop's admin sees none of ours."""
    world = await _setup(server)
    for path in ("/chats", "/supervisor/overview", "/agents", "/kpis/top-questions"):
        body = (await _api(world, "other_site", "GET", path)).text
        assert world.chat_id not in body, path
        assert world.visitor_id not in body, path
        assert "Alice" not in body, path
