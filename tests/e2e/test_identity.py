"""Verified customer identity: the shop signs ``user.id``; Parley refuses forged or (when the
shop requires it) missing signatures, and a verified customer is one visitor in every browser
(Chatwoot issue 9493 is the hole this must not repeat)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ALICE, DEMO_SITE_KEY, running_server
from tests.e2e.webhook_receiver import Receiver
from tests.support import Client, Server, agent, msg_id

ADMIN = ("admin@demo.parley", "admin-demo")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    env = {
        "PARLEY_RATE_LIMITS": "false",
        "PARLEY_WEBHOOKS_ALLOW_PRIVATE": "true",
        "PARLEY_WEBHOOKS_POLL_S": "0.2",
    }
    with running_server(tmp_path, **env) as srv:
        yield srv


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    try:
        yield r
    finally:
        r.stop()


def sign(secret: str, user_id: str) -> str:
    """What the shop's back end does (docs/crm.md)."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


async def session(
    server: Server, user: dict[str, Any] | None = None, token: str | None = None
) -> httpx.Response:
    body: dict[str, Any] = {"site_key": DEMO_SITE_KEY, "visitor_token": token}
    if user is not None:
        body["user"] = user
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        return await http.post("/api/v1/widget/session", json=body)


async def admin_call(server: Server, admin: str, method: str, path: str, **kw: Any) -> Any:
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        r = await http.request(
            method, f"/api/v1{path}", headers={"Authorization": f"Bearer {admin}"}, **kw
        )
    assert r.status_code < 300, r.text
    return r.json() if r.content else None


async def setup(server: Server) -> tuple[str, str, str]:
    """The admin's token, the site's id, and a fresh identity secret."""
    admin = await asyncio.to_thread(server.login, *ADMIN)
    site_id = (await admin_call(server, admin, "GET", "/agents/me"))["site_id"]
    secret = (await admin_call(server, admin, "POST", f"/sites/{site_id}/identity-secret"))[
        "secret"
    ]
    return admin, site_id, secret


async def chat_in(server: Server, visitor_token: str, text: str) -> str:
    v = await Client.connect(f"{server.ws_base}/ws/visitor", visitor_token)
    await v.expect("hello")
    await v.send(
        {
            "type": "chat.start",
            "pre_chat": {"department": "sales"},
            "message": text,
            "client_msg_id": msg_id(),
        }
    )
    chat_id: str = (await v.expect("chat.started"))["chat_id"]
    await v.send({"type": "page.view", "url": f"https://shop.example/{text}"})
    await v.send({"type": "visitor.event", "name": "cart.updated", "data": {"value": 10}})
    await v.fence()
    await v.close()
    return chat_id


async def test_forged_or_missing_hash_is_refused_and_the_right_one_accepted(
    server: Server,
) -> None:
    admin, site_id, secret = await setup(server)
    user = {"id": "cust-42", "email": "ann@shop.example", "name": "Ann"}

    # A hash that does not match the id is refused whether or not identity is required.
    forged = await session(server, {**user, "hash": sign(secret, "cust-43")})
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "forbidden"
    assert (await session(server, {**user, "hash": sign("guess", "cust-42")})).status_code == 403

    # Unsigned while not required: an anonymous visitor, never the customer.
    unsigned = await session(server, user)
    assert unsigned.status_code == 200
    ids = await admin_call(server, admin, "GET", "/visitors", params={"external_id": "cust-42"})
    assert ids["items"] == []

    await admin_call(server, admin, "PATCH", f"/sites/{site_id}", json={"identity_required": True})
    assert (await session(server, user)).status_code == 403
    assert (await session(server, {**user, "hash": ""})).status_code == 403
    assert (await session(server, {**user, "hash": sign(secret, "cust-43")})).status_code == 403
    # Anonymous visitors (no user at all) stay welcome.
    assert (await session(server)).status_code == 200

    signed = await session(server, {**user, "hash": sign(secret, "cust-42")})
    assert signed.status_code == 200, signed.text
    visitor = signed.json()["visitor"]
    assert visitor["email"] == "ann@shop.example"
    found = await admin_call(server, admin, "GET", "/visitors", params={"external_id": "cust-42"})
    assert [v["id"] for v in found["items"]] == [visitor["id"]]

    # A new secret: hashes made with the old one are refused from now on.
    newer = (await admin_call(server, admin, "POST", f"/sites/{site_id}/identity-secret"))["secret"]
    assert newer != secret
    assert (await session(server, {**user, "hash": sign(secret, "cust-42")})).status_code == 403
    again = await session(server, {**user, "hash": sign(newer, "cust-42")})
    assert again.json()["visitor"]["id"] == visitor["id"]


async def test_the_same_customer_from_two_browsers_is_one_visitor_with_both_chats(
    server: Server, receiver: Receiver
) -> None:
    admin, _site_id, secret = await setup(server)
    alice, _ = await agent(server, *ALICE)
    hook = await admin_call(
        server, admin, "POST", "/webhooks",
        json={"url": receiver.url(), "events": ["visitor.identified"]},
    )  # fmt: skip
    user = {"id": "cust-7", "name": "Carl", "hash": sign(secret, "cust-7")}

    # Browser one: anonymous first, a chat, then the customer signs in.
    one = (await session(server)).json()
    first_chat = await chat_in(server, one["visitor_token"], "laptop")
    signed_one = (await session(server, user, one["visitor_token"])).json()
    customer = signed_one["visitor"]["id"]
    assert customer == one["visitor"]["id"]  # the anonymous visitor became the customer
    identified = await receiver.expect("visitor.identified")
    assert identified.signed_with(hook["secret"])
    assert identified.body["data"]["visitor"]["id"] == customer
    assert identified.body["data"]["visitor"]["external_id"] == "cust-7"

    # Browser two: another anonymous visitor with a chat, then the same customer signs in.
    two = (await session(server)).json()
    assert two["visitor"]["id"] != customer
    second_chat = await chat_in(server, two["visitor_token"], "phone")
    signed_two = (await session(server, user, two["visitor_token"])).json()
    assert signed_two["visitor"]["id"] == customer
    assert signed_two["visitor"]["returning"] is True
    merged = await receiver.expect("visitor.identified", merged_visitor_id=two["visitor"]["id"])
    assert merged.body["data"]["visitor"]["id"] == customer

    profile = await admin_call(server, admin, "GET", f"/visitors/{customer}")
    assert profile["external_id"] == "cust-7"
    assert profile["name"] == "Carl"
    assert {c["id"] for c in profile["chats"]} == {first_chat, second_chat}
    urls = {p["url"] for p in profile["pages"]}
    assert urls == {"https://shop.example/laptop", "https://shop.example/phone"}
    assert len(profile["events"]) == 2
    # Browser two's anonymous visitor is gone into the customer; one visitor for the id.
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        gone = await http.get(
            f"/api/v1/visitors/{two['visitor']['id']}",
            headers={"Authorization": f"Bearer {admin}"},
        )
    assert gone.status_code == 404
    listed = await admin_call(server, admin, "GET", "/visitors", params={"external_id": "cust-7"})
    assert [v["id"] for v in listed["items"]] == [customer]

    # Both browsers' tokens now open the customer's socket; the chats' messages are theirs.
    v = await Client.connect(f"{server.ws_base}/ws/visitor", signed_two["visitor_token"])
    hello = await v.expect("hello")
    assert hello["visitor"]["id"] == customer
    await v.send({"type": "resume", "chat_id": second_chat, "after_seq": 0})
    await v.expect_message(second_chat, body="phone")
    await v.send({"type": "resume", "chat_id": first_chat, "after_seq": 0})
    await v.expect_message(first_chat, body="laptop")
    # A third, fresh browser signing in is the same customer too (no anonymous visit to merge).
    three = (await session(server, user)).json()
    assert three["visitor"]["id"] == customer
    await v.close()
    await alice.close()


async def test_another_customer_on_a_shared_browser_is_not_merged(server: Server) -> None:
    """Ann signed in, then Bob on the same browser: Bob gets his own visitor, Ann keeps hers."""
    admin, _, secret = await setup(server)
    ann = {"id": "ann", "hash": sign(secret, "ann")}
    bob = {"id": "bob", "hash": sign(secret, "bob")}
    first = (await session(server, ann)).json()
    second = (await session(server, bob, first["visitor_token"])).json()
    assert second["visitor"]["id"] != first["visitor"]["id"]
    listed = await admin_call(server, admin, "GET", "/visitors", params={"external_id": "ann"})
    assert [v["id"] for v in listed["items"]] == [first["visitor"]["id"]]


async def test_a_verified_customer_cannot_rename_themselves_from_the_widget(
    server: Server,
) -> None:
    """The shop vouches for a verified customer's name and e-mail (a CRM trusts them): a
    hand-sent ``visitor.contact`` is refused and changes nothing."""
    admin, _site_id, secret = await setup(server)
    user = {"id": "cust-9", "name": "Vera", "email": "vera@shop.example"}
    signed = await session(server, {**user, "hash": sign(secret, "cust-9")})
    assert signed.status_code == 200, signed.text
    v = await Client.connect(f"{server.ws_base}/ws/visitor", signed.json()["visitor_token"])
    await v.expect("hello")
    forged = {"type": "visitor.contact", "name": "Mallory", "email": "mallory@evil.example"}
    await v.send(forged)
    refused = await v.expect("error")
    assert refused["code"] == "conflict"
    assert "verified" in refused["message"]
    await v.close()
    visitor_id = signed.json()["visitor"]["id"]
    stored = await admin_call(server, admin, "GET", f"/visitors/{visitor_id}")
    assert (stored["name"], stored["email"]) == ("Vera", "vera@shop.example")
