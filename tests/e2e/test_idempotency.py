"""``Idempotency-Key`` on the creating POSTs, against real server processes sharing a database:
a retry answers the first answer and creates nothing, on another process too; the same key with
another body is refused; two callers' keys are independent; a failed request keeps no key."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ALICE, DEMO_SITE_KEY, running_server
from tests.support import Server, msg_id, visitor

ADMIN = ("admin@demo.parley", "admin-demo")
HOOK = {"url": "https://93.184.215.14/crm", "events": ["chat.closed"]}


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    """Two processes on one database: a retry may reach either."""
    with running_server(tmp_path) as first:
        workdir = tmp_path / "second"
        workdir.mkdir()
        second = Server(workdir=workdir, database_url=first.database_url, demo=False)
        second.start()
        try:
            yield first, second
        finally:
            second.kill()


def call(server: Server, token: str, method: str, path: str, key: str | None = None,
         **kw: Any) -> httpx.Response:  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return httpx.request(method, f"{server.base}/api/v1{path}", headers=headers, timeout=30, **kw)


async def test_a_retry_answers_the_first_answer_and_creates_nothing(
    servers: tuple[Server, Server],
) -> None:
    one, two = servers
    admin = await asyncio.to_thread(one.login, *ADMIN)

    first = call(one, admin, "POST", "/skills", "key-1", json={"name": "billing"})
    assert first.status_code == 201, first.text
    assert "idempotency-replayed" not in first.headers
    again = call(two, admin, "POST", "/skills", "key-1", json={"name": "billing"})
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["idempotency-replayed"] == "true"
    names = [s["name"] for s in call(one, admin, "GET", "/skills").json()["items"]]
    assert names.count("billing") == 1
    # Without the key the same body is a new request (here refused: the name is taken).
    assert call(one, admin, "POST", "/skills", json={"name": "billing"}).status_code == 409

    # The same key with another body: refused, nothing created.
    other = call(two, admin, "POST", "/skills", "key-1", json={"name": "returns"})
    assert other.status_code == 422, other.text
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    names = [s["name"] for s in call(one, admin, "GET", "/skills").json()["items"]]
    assert "returns" not in names
    # ... and on another path.
    elsewhere = call(one, admin, "POST", "/webhooks", "key-1", json=HOOK)
    assert elsewhere.status_code == 422
    assert call(one, admin, "GET", "/webhooks").json()["items"] == []

    # Agents (a route on a request-scoped database session): one agent.
    new = {"email": "nora@demo.parley", "name": "Nora", "password": "nora-pass-123"}
    agent = call(one, admin, "POST", "/agents", "agent-1", json=new)
    assert agent.status_code == 201, agent.text
    assert call(two, admin, "POST", "/agents", "agent-1", json=new).json() == agent.json()
    emails = [a["email"] for a in call(one, admin, "GET", "/agents").json()["items"]]
    assert emails.count("nora@demo.parley") == 1

    # Webhooks: the secret of the first answer comes back, one endpoint exists.
    hook = call(one, admin, "POST", "/webhooks", "hook-1", json=HOOK)
    assert hook.status_code == 201, hook.text
    retried = call(two, admin, "POST", "/webhooks", "hook-1", json=HOOK)
    assert retried.json() == hook.json()
    assert [h["id"] for h in call(two, admin, "GET", "/webhooks").json()["items"]] == [
        hook.json()["id"]
    ]

    # API tokens: the same token (the only answer that shows it) and one row.
    made = call(one, admin, "POST", "/api-tokens", "tok-1", json={"name": "CRM", "role": "admin"})
    assert made.status_code == 201, made.text
    remade = call(two, admin, "POST", "/api-tokens", "tok-1", json={"name": "CRM", "role": "admin"})
    assert remade.json()["token"] == made.json()["token"]
    tokens = call(one, admin, "GET", "/api-tokens").json()["items"]
    assert [t["id"] for t in tokens] == [made.json()["id"]]
    api_token = made.json()["token"]

    # Two callers, one key, the same body: independent (two webhooks).
    theirs = call(two, api_token, "POST", "/webhooks", "hook-1", json=HOOK)
    assert theirs.status_code == 201, theirs.text
    assert theirs.json()["id"] != hook.json()["id"]
    assert "idempotency-replayed" not in theirs.headers
    assert len(call(one, admin, "GET", "/webhooks").json()["items"]) == 2
    # And each caller's retry answers its own first answer.
    mine = call(one, admin, "POST", "/webhooks", "hook-1", json=HOOK)
    assert mine.json()["id"] == hook.json()["id"]
    again_theirs = call(one, api_token, "POST", "/webhooks", "hook-1", json=HOOK)
    assert again_theirs.json()["id"] == theirs.json()["id"]


async def test_a_message_retried_with_its_key_is_stored_once(
    servers: tuple[Server, Server],
) -> None:
    one, two = servers
    admin = await asyncio.to_thread(one.login, *ADMIN)
    v, _ = await visitor(one, DEMO_SITE_KEY)
    await v.send(
        {"type": "chat.start", "pre_chat": {"name": "Vera"}, "message": "Hello",
         "client_msg_id": msg_id()}
    )  # fmt: skip
    chat_id = (await v.expect("chat.started"))["chat_id"]
    sent = call(one, admin, "POST", f"/chats/{chat_id}/messages", "msg-1", json={"body": "Shipped"})
    assert sent.status_code == 201, sent.text
    await v.expect_message(chat_id, body="Shipped")
    retry = call(
        two, admin, "POST", f"/chats/{chat_id}/messages", "msg-1", json={"body": "Shipped"}
    )
    assert retry.status_code == 201
    assert retry.json() == sent.json()
    messages = call(one, admin, "GET", f"/chats/{chat_id}/messages").json()["items"]
    assert [m["body"] for m in messages].count("Shipped") == 1
    await v.fence()  # the visitor heard it once
    heard = [f["message"]["body"] for f in v.all("message.new", chat_id=chat_id)]
    assert heard.count("Shipped") == 1
    # Another chat with the same key is another request: refused.
    assert (
        call(one, admin, "POST", "/chats/no-such-chat/messages", "msg-1", json={"body": "Shipped"})
    ).status_code == 422
    await v.close()


async def test_a_failed_request_keeps_no_key_and_concurrent_retries_create_once(
    servers: tuple[Server, Server],
) -> None:
    one, two = servers
    alice = await asyncio.to_thread(one.login, *ALICE)
    admin = await asyncio.to_thread(one.login, *ADMIN)
    # Refused (Alice is no admin): the key stays free for a request that can succeed.
    refused = call(one, alice, "POST", "/skills", "k", json={"name": "vip"})
    assert refused.status_code == 403
    invalid = call(one, admin, "POST", "/skills", "k", json={"name": ""})
    assert invalid.status_code == 422
    assert invalid.json()["error"]["code"] == "bad_request"
    made = call(one, admin, "POST", "/skills", "k", json={"name": "vip"})
    assert made.status_code == 201, made.text
    # Alice's key "k" is her own: her saved reply is created under it.
    reply = {"shortcut": "hi", "title": "Hi", "body": "Hello!"}
    assert call(one, alice, "POST", "/saved-replies", "k", json=reply).status_code == 201

    # Eight at once, over both processes: one trigger is created; every answer is its
    # answer, or 409 while it is still being made.
    trigger = {
        "name": "Pricing help",
        "message": "Questions about our prices?",
        "conditions": {
            "match": "all",
            "rules": [{"field": "url", "op": "contains", "value": "/p"}],
        },
    }
    answers = await asyncio.gather(
        *(
            asyncio.to_thread(
                call, (one, two)[i % 2], admin, "POST", "/triggers", "trig", json=trigger
            )
            for i in range(8)
        )
    )
    created = {r.json()["id"] for r in answers if r.status_code == 201}
    assert len(created) == 1, [r.text for r in answers]
    assert all(r.status_code in (201, 409) for r in answers), [r.text for r in answers]
    listed = call(one, admin, "GET", "/triggers").json()["items"]
    assert [t["id"] for t in listed] == list(created)

    # A key that is not printable ASCII, or too long, is refused.
    assert call(one, admin, "POST", "/skills", "x" * 256, json={"name": "a"}).status_code == 422
