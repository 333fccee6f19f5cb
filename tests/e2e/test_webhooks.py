"""Signed webhooks against a real receiver: every event, signatures, retries, crashes, SSRF."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ALICE, BEN, DEMO_SITE_KEY, SAM, make_server, running_server
from tests.databases import drop_database, postgres_base
from tests.e2e.webhook_receiver import Received, Receiver
from tests.support import Client, Server, agent, eventually, msg_id, visitor

ADMIN = ("admin@demo.parley", "admin-demo")
ALL_EVENTS = [
    "chat.started",
    "chat.assigned",
    "chat.transferred",
    "chat.closed",
    "message.created",
    "survey.submitted",
    "visitor.identified",
    "trigger.fired",
]
# Loopback receivers allowed; retries seconds apart instead of minutes.
FAST = {
    "PARLEY_WEBHOOKS_ALLOW_PRIVATE": "true",
    "PARLEY_WEBHOOKS_POLL_S": "0.2",
    "PARLEY_WEBHOOKS_RETRY_BASE_S": "0.3",
    "PARLEY_WEBHOOKS_RETRY_MAX_S": "1",
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    try:
        yield r
    finally:
        r.stop()


@pytest.fixture
def hooks_server(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path, **FAST) as srv:
        yield srv


@pytest.fixture
def give_up_server(tmp_path: Path) -> Iterator[Server]:
    """Deliveries given up (and their endpoint disabled) after failing for 2 s, not a day."""
    with running_server(tmp_path, **FAST, PARLEY_WEBHOOKS_GIVE_UP_S="2") as srv:
        yield srv


@pytest.fixture
def unstarted_server(tmp_path: Path) -> Iterator[Server]:
    """Not started: the test starts, kills and restarts it on its database."""
    srv = make_server(tmp_path, **FAST)
    try:
        yield srv
    finally:
        srv.kill()
        drop_database(srv.database_url)


def api(server: Server, token: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(
        method,
        f"{server.base}/api/v1{path}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=15,
        **kwargs,
    )


def subscribe(server: Server, token: str, url: str, events: list[str]) -> dict[str, Any]:
    r = api(server, token, "POST", "/webhooks", json={"url": url, "events": events})
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


async def start_chat(v: Client, text: str) -> str:
    await v.send(
        {
            "type": "chat.start",
            "pre_chat": {"name": "Maja", "email": "maja@example.com"},
            "message": text,
            "client_msg_id": msg_id(),
        }
    )
    started = await v.expect("chat.started")
    chat_id: str = started["chat_id"]
    return chat_id


async def say(sender: Client, chat_id: str, body: str, kind: str = "public") -> str:
    cid = msg_id()
    frame = {"type": "message.send", "chat_id": chat_id, "client_msg_id": cid, "body": body}
    ack = await sender.answer({**frame, "kind": kind}, "message.ack", client_msg_id=cid)
    message_id: str = ack["message_id"]
    return message_id


def check_envelope(r: Received, secret: str, site_id: str) -> None:
    assert r.signed_with(secret), r.headers
    body = r.body
    assert set(body) == {"event", "delivery_id", "created_at", "site_id", "data"}
    assert body["event"] == r.event
    assert body["delivery_id"] == r.delivery
    assert body["site_id"] == site_id
    assert r.headers["content-type"] == "application/json"


async def test_every_event_arrives_signed_and_never_a_whisper_or_note(
    hooks_server: Server, receiver: Receiver
) -> None:
    server = hooks_server
    admin = server.login(*ADMIN)
    hook = subscribe(server, admin, receiver.url("/all"), ALL_EVENTS)
    assert hook["secret"].startswith("whsec_")
    assert hook["events"] == ALL_EVENTS
    assert "secret" not in api(server, admin, "GET", f"/webhooks/{hook['id']}").json()
    only_closed = subscribe(server, admin, receiver.url("/closed"), ["chat.closed"])

    alice, _ = await agent(server, *ALICE)  # the only one online: the chat is hers
    v, _ = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start_chat(v, "Does the battery fit?")
    await alice.expect("chat.assigned", chat_id=chat_id)
    ben, ben_hello = await agent(server, *BEN)
    sam, _ = await agent(server, *SAM)

    started = await receiver.expect("chat.started", "/all", chat_id=chat_id)
    site_id = started.body["site_id"]
    check_envelope(started, hook["secret"], site_id)
    chat = started.body["data"]["chat"]
    assert (chat["id"], chat["pre_chat"]["email"]) == (chat_id, "maja@example.com")
    assigned = await receiver.expect("chat.assigned", "/all", chat_id=chat_id)
    assert assigned.body["data"]["agent"]["name"] == "Alice Berg"
    first = await receiver.expect("message.created", "/all", body="Does the battery fit?")
    assert first.body["data"]["message"]["author"]["type"] == "visitor"
    assert first.body["data"]["message"]["seq"] == 1

    whisper_id = await say(sam, chat_id, "Offer the 10% discount", kind="whisper")
    note_id = await say(alice, chat_id, "Customer since 2019", kind="note")
    reply_id = await say(alice, chat_id, "Yes, it fits.")
    reply = await receiver.expect("message.created", "/all", id=reply_id)
    assert reply.body["data"]["message"]["seq"] == 2  # as the visitor numbers it

    ben_id = ben_hello["agent"]["id"]
    await alice.send(
        {"type": "chat.transfer", "chat_id": chat_id, "to_agent_id": ben_id, "note": "Over to you"}
    )
    await ben.expect("chat.assigned", chat_id=chat_id)
    moved = await receiver.expect("chat.transferred", "/all", chat_id=chat_id)
    assert moved.body["data"]["agent"]["id"] == ben_id
    assert moved.body["data"]["chat"]["agent_id"] == ben_id
    await v.send({"type": "chat.close", "chat_id": chat_id})
    closed = await receiver.expect("chat.closed", "/all", chat_id=chat_id)
    assert closed.body["data"]["closed_by"] == "visitor"
    assert closed.body["data"]["chat"]["status"] == "closed"
    only = await receiver.expect("chat.closed", "/closed", chat_id=chat_id)
    check_envelope(only, only_closed["secret"], site_id)

    # One endpoint's deliveries arrive in event order, so chat.closed, the last event, is the
    # fence: whatever the whisper and the note would have produced would be here by now.
    everything = receiver.got("/all")
    for r in everything:
        check_envelope(r, hook["secret"], site_id)
    events = [r.event for r in everything if r.event != "message.created"]
    assert events == ["chat.started", "chat.assigned", "chat.transferred", "chat.closed"]
    bodies = [r.body["data"]["message"]["body"] for r in everything if r.event == "message.created"]
    assert bodies == [
        "Does the battery fit?",
        "Yes, it fits.",
        "Ben Okafor is taking over this chat.",
    ]
    assert not receiver.got(id=whisper_id)
    assert not receiver.got(id=note_id)
    assert not receiver.got(body="Over to you")
    assert [r.event for r in receiver.got("/closed")] == ["chat.closed"]
    assert len({r.delivery for r in receiver.got()}) == len(receiver.got())
    times = [r.body["created_at"] for r in everything]
    assert times == sorted(times)
    for client in (alice, ben, sam, v):
        await client.close()


async def test_two_sites_never_see_each_others_events(
    hooks_server: Server, receiver: Receiver
) -> None:
    server = hooks_server
    other = await asyncio.to_thread(server.cli, "create-site", "--name", "Other shop")
    await asyncio.to_thread(
        server.cli, "create-agent", "--site", other["id"], "--email", "olga@other.example",
        "--name", "Olga", "--password", "olga-password-1", "--role", "admin",
    )  # fmt: skip
    demo_admin = server.login(*ADMIN)
    other_admin = server.login("olga@other.example", "olga-password-1")
    demo_hook = subscribe(server, demo_admin, receiver.url("/demo"), ALL_EVENTS)
    other_hook = subscribe(server, other_admin, receiver.url("/other"), ALL_EVENTS)
    # Neither admin can see, change or read the log of the other site's webhook.
    for method, path in [
        ("GET", f"/webhooks/{demo_hook['id']}"),
        ("PATCH", f"/webhooks/{demo_hook['id']}"),
        ("DELETE", f"/webhooks/{demo_hook['id']}"),
        ("GET", f"/webhooks/{demo_hook['id']}/deliveries"),
    ]:
        kwargs: dict[str, Any] = {"json": {"enabled": False}} if method == "PATCH" else {}
        assert api(server, other_admin, method, path, **kwargs).status_code == 404
    listed = api(server, other_admin, "GET", "/webhooks").json()["items"]
    assert [h["id"] for h in listed] == [other_hook["id"]]

    v1, _ = await visitor(server, DEMO_SITE_KEY)
    demo_chat = await start_chat(v1, "Hello from the demo shop")
    v2, _ = await visitor(server, other["site_key"])
    other_chat = await start_chat(v2, "Hello from the other shop")
    await v1.send({"type": "chat.close", "chat_id": demo_chat})
    await v2.send({"type": "chat.close", "chat_id": other_chat})
    # chat.closed is each endpoint's last event: the fence for "nothing else arrived".
    await receiver.expect("chat.closed", "/demo", chat_id=demo_chat)
    await receiver.expect("chat.closed", "/other", chat_id=other_chat)
    assert {r.body["site_id"] for r in receiver.got("/other")} == {other["id"]}
    assert not receiver.got("/other", chat_id=demo_chat)
    assert not receiver.got("/demo", chat_id=other_chat)
    assert not receiver.got("/demo", body="Hello from the other shop")
    assert [r.event for r in receiver.got("/other")] == [
        "chat.started",
        "message.created",
        "chat.closed",
    ]
    for r in receiver.got("/other"):
        assert r.signed_with(other_hook["secret"])
        assert not r.signed_with(demo_hook["secret"])
    await v1.close()
    await v2.close()


async def test_receiver_down_then_back_gets_each_event_once_and_redeliver(
    hooks_server: Server, receiver: Receiver
) -> None:
    server = hooks_server
    admin = server.login(*ADMIN)
    hook = subscribe(server, admin, receiver.url(), ["chat.started", "chat.closed"])
    receiver.stop()
    v, _ = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start_chat(v, "Anyone there?")
    log_path = f"/webhooks/{hook['id']}/deliveries"

    def failed_twice() -> bool:
        items = api(server, admin, "GET", log_path).json()["items"]
        return bool(items) and items[0]["attempts"] >= 2

    await eventually(failed_twice, 15, "two failed attempts")
    [pending] = api(server, admin, "GET", log_path).json()["items"]
    assert pending["status"] == "pending"
    assert pending["event"] == "chat.started"
    assert pending["error"]
    assert pending["response_status"] is None
    assert pending["next_attempt_at"] is not None
    await v.send({"type": "chat.close", "chat_id": chat_id})  # queued behind the first

    receiver.start()
    await receiver.expect("chat.closed", chat_id=chat_id)
    started = receiver.got(chat_id=chat_id)
    assert [r.event for r in started] == ["chat.started", "chat.closed"]  # once each, in order
    items = api(server, admin, "GET", log_path).json()["items"]
    assert [i["event"] for i in items] == ["chat.closed", "chat.started"]  # newest first
    assert all(i["status"] == "delivered" and i["response_status"] == 200 for i in items)
    assert items[1]["attempts"] >= 3
    assert items[1]["response_body"] == "ok"
    assert items[1]["response_time_s"] is not None
    assert items[1]["error"] is None

    # Pages: one at a time, then the end.
    page = api(server, admin, "GET", log_path, params={"limit": 1}).json()
    assert [i["id"] for i in page["items"]] == [items[0]["id"]]
    rest = api(server, admin, "GET", log_path, params={"limit": 1, "cursor": page["next_cursor"]})
    assert [i["id"] for i in rest.json()["items"]] == [items[1]["id"]]

    # Redeliver: the same delivery, byte for byte, signed again.
    first = started[0]
    r = api(server, admin, "POST", f"{log_path}/{first.delivery}/redeliver")
    assert r.status_code == 202
    assert r.json()["status"] == "pending"

    def twice() -> bool:
        return len([x for x in receiver.got() if x.delivery == first.delivery]) == 2

    await eventually(twice, 10, "the redelivery")
    again = [x for x in receiver.got() if x.delivery == first.delivery][1]
    assert again.raw == first.raw
    assert again.signed_with(hook["secret"])
    unknown = api(server, admin, "POST", f"{log_path}/nope/redeliver")
    assert unknown.status_code == 404
    await v.close()


async def test_an_endpoint_failing_for_the_give_up_time_is_disabled(
    give_up_server: Server, receiver: Receiver
) -> None:
    receiver.status = 500
    receiver.answer = b"x" * 5000
    server = give_up_server
    admin = server.login(*ADMIN)
    hook = subscribe(server, admin, receiver.url(), ["chat.started"])
    v, _ = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start_chat(v, "Hi")
    path = f"/webhooks/{hook['id']}"

    def disabled() -> bool:
        return api(server, admin, "GET", path).json()["enabled"] is False

    await eventually(disabled, 15, "the endpoint disabled")
    shown = api(server, admin, "GET", "/webhooks").json()["items"][0]
    assert shown["disabled_at"] is not None
    assert "HTTP 500" in shown["disabled_reason"]
    [given_up] = api(server, admin, "GET", f"{path}/deliveries").json()["items"]
    assert given_up["status"] == "failed"
    assert given_up["response_status"] == 500
    assert given_up["response_body"] == "x" * 1024  # kept to 1 KB
    tries = len(receiver.got(chat_id=chat_id))
    assert tries >= 2

    # Re-enabled and the receiver fixed: a redelivery goes through.
    receiver.status = 200
    back = api(server, admin, "PATCH", path, json={"enabled": True}).json()
    assert back["enabled"] is True
    assert back["disabled_reason"] is None
    r = api(server, admin, "POST", f"{path}/deliveries/{given_up['id']}/redeliver")
    assert r.status_code == 202

    def delivered() -> bool:
        items = api(server, admin, "GET", f"{path}/deliveries").json()["items"]
        return bool(items[0]["status"] == "delivered")

    await eventually(delivered, 10, "delivered after re-enabling")
    await v.close()


async def test_killed_between_commit_and_send_delivers_after_restart(
    unstarted_server: Server, receiver: Receiver
) -> None:
    server = unstarted_server
    # The sender looks once at start, then not for an hour: the event is committed, not sent.
    server.env_extra["PARLEY_WEBHOOKS_POLL_S"] = "3600"
    server.start()
    admin = server.login(*ADMIN)
    hook = subscribe(server, admin, receiver.url(), ["chat.started", "message.created"])
    v, _ = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start_chat(v, "Before the crash")
    await v.expect("message.ack")
    log = api(server, admin, "GET", f"/webhooks/{hook['id']}/deliveries").json()["items"]
    assert {(i["event"], i["status"], i["attempts"]) for i in log} == {
        ("chat.started", "pending", 0),
        ("message.created", "pending", 0),
    }
    server.kill()  # SIGKILL
    await v.close()
    assert receiver.got() == []
    server.env_extra["PARLEY_WEBHOOKS_POLL_S"] = "0.2"
    server.start()
    await receiver.expect("message.created", body="Before the crash")
    assert [r.event for r in receiver.got(chat_id=chat_id)] == [
        "chat.started",
        "message.created",
    ]
    assert all(r.signed_with(hook["secret"]) for r in receiver.got())


async def test_killed_while_sending_is_sent_again_after_the_lease(
    unstarted_server: Server, receiver: Receiver
) -> None:
    """At least once: a process killed while the receiver still works on a delivery leaves
    it pending; once the dead process's hold on the endpoint runs out, it is sent again."""
    server = unstarted_server
    server.env_extra["PARLEY_WEBHOOKS_LEASE_S"] = "11"
    server.start()
    admin = server.login(*ADMIN)
    hook = subscribe(server, admin, receiver.url(), ["chat.started", "chat.closed"])
    receiver.hold()
    v, _ = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start_chat(v, "Hello")
    first = await receiver.expect("chat.started", chat_id=chat_id)  # arrived, not answered
    await v.send({"type": "chat.close", "chat_id": chat_id})
    await v.expect("chat.closed", chat_id=chat_id)
    server.kill()  # SIGKILL while the request is open
    await v.close()
    receiver.release()
    server.start()
    admin = server.login(*ADMIN)
    await receiver.expect("chat.closed", chat_id=chat_id, timeout=30)
    got = receiver.got(chat_id=chat_id)
    assert [r.event for r in got] == ["chat.started", "chat.started", "chat.closed"]
    assert got[1].delivery == first.delivery  # the same delivery, to be deduplicated
    assert got[1].raw == first.raw
    assert got[1].signed_with(hook["secret"])
    log = api(server, admin, "GET", f"/webhooks/{hook['id']}/deliveries").json()["items"]
    assert [(i["event"], i["status"]) for i in log] == [
        ("chat.closed", "delivered"),
        ("chat.started", "delivered"),
    ]


async def test_a_private_target_saved_while_allowed_is_refused_at_send_time(
    unstarted_server: Server, receiver: Receiver
) -> None:
    server = unstarted_server
    server.start()  # private targets allowed: the loopback receiver is saved
    admin = server.login(*ADMIN)
    hook = subscribe(server, admin, receiver.url(), ["chat.started"])
    server.kill()
    server.env_extra["PARLEY_WEBHOOKS_ALLOW_PRIVATE"] = "false"
    server.start()
    admin = server.login(*ADMIN)
    v, _ = await visitor(server, DEMO_SITE_KEY)
    await start_chat(v, "Hello")
    log_path = f"/webhooks/{hook['id']}/deliveries"

    def tried() -> bool:
        items = api(server, admin, "GET", log_path).json()["items"]
        return bool(items) and items[0]["attempts"] >= 1

    await eventually(tried, 15, "an attempt")
    [refused] = api(server, admin, "GET", log_path).json()["items"]
    assert refused["status"] == "pending"
    assert refused["error"].startswith("refused: 127.0.0.1 resolves to a non-public address")
    assert receiver.got() == []  # the attempt above was made: nothing reached the receiver
    await v.close()


async def test_private_targets_are_refused_unless_allowed(server: Server) -> None:
    """The default server: PARLEY_WEBHOOKS_ALLOW_PRIVATE is off."""
    admin = server.login(*ADMIN)
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.0.0.7/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "ftp://example.com/hook",
    ]:
        r = api(server, admin, "POST", "/webhooks", json={"url": url, "events": ["chat.started"]})
        assert r.status_code == 400, (url, r.text)
        assert r.json()["error"]["code"] == "bad_request"
    assert api(server, admin, "GET", "/webhooks").json()["items"] == []
    bad = api(
        server,
        admin,
        "POST",
        "/webhooks",
        json={"url": "https://x.example", "events": ["chat.nope"]},
    )
    assert bad.status_code == 422


async def test_agents_and_supervisors_get_403_on_every_webhook_route(
    hooks_server: Server, receiver: Receiver
) -> None:
    server = hooks_server
    hook = subscribe(server, server.login(*ADMIN), receiver.url(), ["chat.started"])
    base = f"/webhooks/{hook['id']}"
    routes: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/webhooks", {"json": {"url": receiver.url(), "events": ["chat.closed"]}}),
        ("GET", "/webhooks", {}),
        ("GET", base, {}),
        ("PATCH", base, {"json": {"enabled": False}}),
        ("DELETE", base, {}),
        ("GET", f"{base}/deliveries", {}),
        ("POST", f"{base}/deliveries/x/redeliver", {}),
    ]
    for who in (ALICE, SAM):
        token = server.login(*who)
        for method, path, kwargs in routes:
            r = api(server, token, method, path, **kwargs)
            assert r.status_code == 403, (who, method, path, r.text)
    admin = server.login(*ADMIN)
    assert api(server, admin, "GET", base).json()["enabled"] is True  # nothing changed
    assert api(server, admin, "DELETE", base).status_code == 204
    assert api(server, admin, "GET", base).status_code == 404


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[list[Server]]:
    """Two processes on one PostgreSQL and one Redis, both running a sender (rate limits off:
    the visitor sends faster than a person would)."""
    from tests.e2e.test_cluster import BROKER, running_cluster

    if postgres_base() is None or not BROKER.startswith("redis"):
        pytest.skip("needs PostgreSQL and Redis (the second pass of `make test`)")
    with running_cluster(tmp_path, {**FAST, "PARLEY_RATE_LIMITS": "false"}) as servers:
        yield servers[:2]


async def test_two_processes_send_each_event_once_in_order(
    two_processes: list[Server], receiver: Receiver
) -> None:
    a, b = two_processes
    hook = subscribe(a, a.login(*ADMIN), receiver.url(), ["message.created", "chat.closed"])
    alice, _ = await agent(b, *ALICE)  # the chat's agent writes through process B
    v, _ = await visitor(a, DEMO_SITE_KEY)  # its visitor through process A
    chat_id = await start_chat(v, "0")
    await alice.expect("chat.assigned", chat_id=chat_id)
    for n in range(1, 21):
        await say(alice if n % 2 else v, chat_id, str(n))
    await v.send({"type": "chat.close", "chat_id": chat_id})
    await receiver.expect("chat.closed", chat_id=chat_id, timeout=30)
    created = [r for r in receiver.got() if r.event == "message.created"]
    bodies = [r.body["data"]["message"]["body"] for r in created]
    assert bodies == [str(n) for n in range(21)]  # each once, in the chat's order
    assert len({r.delivery for r in receiver.got()}) == len(receiver.got()) == 22
    assert all(r.signed_with(hook["secret"]) for r in receiver.got())
    await alice.close()
    await v.close()
