"""visitor.event on the visitor socket: validated, stored per visitor, shown to agents."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.conftest import ALICE, BEN, DEMO_SITE_KEY
from tests.e2e.routing_support import start
from tests.support import Server, agent, presence_fence, typing_fence, visitor


def _visitor_view(server: Server, token: str, visitor_id: str) -> dict[str, Any]:
    r = httpx.get(
        f"{server.base}/api/v1/visitors/{visitor_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    r.raise_for_status()
    data: dict[str, Any] = r.json()
    return data


async def test_events_are_stored_per_visitor_and_reach_the_agents_of_their_chat(
    server: Server,
) -> None:
    """Maja chats with Alice: Alice's chat view follows Maja's pages and events live. Ola is in
    no chat, and Ben is in none of theirs: neither trail goes to anyone's socket (the live
    visitors list learns of changes through its own notices, ``visitors.delta``)."""
    alice, _ = await agent(server, *ALICE)
    maja, maja_session = await visitor(server, DEMO_SITE_KEY)
    ola, ola_session = await visitor(server, DEMO_SITE_KEY)
    maja_id = maja_session["visitor"]["id"]
    ola_id = ola_session["visitor"]["id"]
    chat_id = await start(maja)
    await alice.expect("chat.assigned", chat_id=chat_id)
    ben, _ = await agent(server, *BEN)

    await maja.send({"type": "page.view", "url": "https://shop.example/cart", "title": "Cart"})
    await maja.send({"type": "visitor.event", "name": "cart.updated", "data": {"value": 129.5}})
    await maja.send({"type": "visitor.event", "name": "cart.updated", "data": {"value": 649}})
    await ola.send({"type": "page.view", "url": "https://shop.example/trial", "title": "Trial"})
    await ola.send({"type": "visitor.event", "name": "trial_started"})
    await maja.fence()
    await ola.fence()

    page = await alice.expect(
        "visitor.activity", visitor_id=maja_id, url="https://shop.example/cart"
    )
    assert (page["title"], page["chat_id"], page.get("event")) == ("Cart", chat_id, None)
    seen = [
        f["event"]["data"]["value"]
        for f in alice.all("visitor.activity", visitor_id=maja_id)
        if f.get("event")
    ]
    assert seen == [129.5, 649]
    # Fences on the chat's topic (Alice) and the site's staff topic (Ben): whatever was
    # published before them has arrived.
    await typing_fence(maja, chat_id, [alice])
    await presence_fence(alice, "online", [ben])
    assert alice.all("visitor.activity", visitor_id=ola_id) == []
    assert ben.all("visitor.activity") == []
    assert maja.all("visitor.activity") == []
    assert ola.all("visitor.activity") == []

    token = await asyncio.to_thread(server.login, *ALICE)
    mine = await asyncio.to_thread(_visitor_view, server, token, maja_id)
    events = mine["events"]
    assert isinstance(events, list)
    assert [(e["name"], e["data"], e["url"]) for e in events] == [
        ("cart.updated", {"value": 649}, "https://shop.example/cart"),
        ("cart.updated", {"value": 129.5}, "https://shop.example/cart"),
    ]
    theirs = await asyncio.to_thread(_visitor_view, server, token, ola_id)
    assert [e["name"] for e in theirs["events"]] == ["trial_started"]
    for c in (alice, ben, maja, ola):
        await c.close()


async def test_bad_events_are_refused_and_nothing_is_stored(module_server: Server) -> None:
    server = module_server
    v, session = await visitor(server, DEMO_SITE_KEY)
    bad: list[dict[str, Any]] = [
        {"type": "visitor.event", "name": "", "data": {}},
        {"type": "visitor.event", "name": "x" * 65, "data": {}},
        {"type": "visitor.event", "name": "nested", "data": {"a": {"b": 1}}},
        {"type": "visitor.event", "name": "list", "data": {"a": [1, 2]}},
        {"type": "visitor.event", "name": "wide", "data": {f"k{i}": i for i in range(21)}},
        {"type": "visitor.event", "name": "long", "data": {"k": "x" * 501}},
        {"type": "visitor.event", "name": "key", "data": {"k" * 65: 1}},
        {"type": "visitor.event", "name": "cart.updated", "data": {"value": "129"}},
        {"type": "visitor.event", "name": "order.completed", "data": {"value": True}},
        {"type": "visitor.event", "name": "no-data", "data": "text"},
    ]
    for frame in bad:
        error = await v.answer(frame, "error")
        assert error["code"] == "bad_request", frame
    # The socket still works, and an order with its id and value is taken.
    ok = {"order_id": "A-1001", "value": 649.0, "currency": "EUR", "gift": False, "note": None}
    await v.send({"type": "visitor.event", "name": "order.completed", "data": ok})
    await v.fence()
    token = await asyncio.to_thread(server.login, *ALICE)
    view = await asyncio.to_thread(_visitor_view, server, token, session["visitor"]["id"])
    assert [(e["name"], e["data"]) for e in view["events"]] == [("order.completed", ok)]
    await v.close()


async def test_agents_cannot_send_visitor_events(module_server: Server) -> None:
    alice, _ = await agent(module_server, *ALICE)
    error = await alice.answer({"type": "visitor.event", "name": "x", "data": {}}, "error")
    assert error["code"] == "bad_request"
    await alice.close()
