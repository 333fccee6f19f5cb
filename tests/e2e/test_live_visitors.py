"""The live visitors list over the agent socket: a snapshot, then batched deltas of the
watcher's own site only; and "say hello" by hand, with the caps of triggers."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.e2e.routing_support import Shop, start
from tests.support import Client, Frame, Server


async def _watch(c: Client) -> list[dict[str, Any]]:
    snapshot = await c.answer({"type": "visitors.watch"}, "visitors.snapshot")
    rows: list[dict[str, Any]] = snapshot["visitors"]
    return rows


async def _visitor(shop: Shop) -> tuple[Client, str]:
    v = await shop.visitor()
    return v, v.all("hello")[0]["visitor"]["id"]


async def _row(c: Client, visitor_id: str, timeout: float = 10.0, **match: Any) -> Frame:
    """The next delta carrying this visitor's row with these fields."""
    found = await c.wait_for(
        lambda f: (
            f.get("type") == "visitors.delta"
            and any(
                r["id"] == visitor_id and all(r.get(k) == v for k, v in match.items())
                for r in f["updated"]
            )
        ),
        timeout,
        f"row {visitor_id} {match}",
    )
    row: Frame = next(r for r in found["updated"] if r["id"] == visitor_id)
    return row


async def _page(v: Client, url: str, title: str = "Page", referrer: str | None = None) -> None:
    frame: dict[str, Any] = {"type": "page.view", "url": url, "title": title}
    if referrer:
        frame["referrer"] = referrer
    await v.send(frame)
    await v.fence()


async def test_snapshot_then_batched_deltas_of_the_own_site_only(unlimited_server: Server) -> None:
    server = unlimited_server  # a burst of page views faster than a shopper's
    shop, other = await Shop.create(server, "Shop A"), await Shop.create(server, "Shop B")
    await shop.add_agent("Ann")
    await other.add_agent("Bob")
    maja, maja_id = await _visitor(shop)
    await _page(maja, "https://a.example/pricing", "Pricing", referrer="https://search.example/")
    await maja.send({"type": "visitor.event", "name": "cart.updated", "data": {"value": 129.5}})
    await maja.fence()

    ann = await shop.connect_agent("Ann")
    bob = await other.connect_agent("Bob")
    rows = await _watch(ann)
    assert [r["id"] for r in rows] == [maja_id]
    first = rows[0]
    assert first["url"] == "https://a.example/pricing"
    assert first["title"] == "Pricing"
    assert first["referrer"] == "https://search.example/"
    assert first["cart_value"] == 129.5
    assert first["page_views"] == 1
    assert first["returning"] is False
    assert first["page_started_at"]
    assert first["visit_started_at"]
    assert first["invitation"] is None
    assert first["chat"] is None
    assert await _watch(bob) == []

    # Deltas: a new visitor, a page change, a visitor of the other site (to Bob only).
    ola, ola_id = await _visitor(shop)
    await _page(ola, "https://a.example/", "Home")
    await _row(ann, ola_id, url="https://a.example/", title="Home")
    wim, wim_id = await _visitor(other)
    await _page(wim, "https://b.example/secret", "B only")
    await _row(bob, wim_id, url="https://b.example/secret")
    await _page(maja, "https://a.example/cart", "Cart")
    assert (await _row(ann, maja_id, url="https://a.example/cart"))["page_views"] == 2

    # Coalesced: 30 page views in a burst reach the watcher as a few frames, the last one last.
    deltas_before = len(ann.all("visitors.delta"))
    for i in range(30):
        await ola.send({"type": "page.view", "url": f"https://a.example/p/{i}", "title": f"P{i}"})
    await ola.fence()
    await _row(ann, ola_id, url="https://a.example/p/29", page_views=31)
    assert len(ann.all("visitors.delta")) - deltas_before <= 5

    # A chat shows with its agent.
    chat_id = await start(ola)
    row = await _row(ann, ola_id, timeout=10)
    while row["chat"] is None or row["chat"]["agent_name"] is None:
        row = await _row(ann, ola_id)
    assert row["chat"] == {"id": chat_id, "status": "active", "agent_id": row["chat"]["agent_id"],
                           "agent_name": "Ann"}  # fmt: skip

    # Leaving: the row goes.
    await maja.close()
    await ann.wait_for(
        lambda f: f.get("type") == "visitors.delta" and maja_id in f["left"], 10, "maja left"
    )
    # Fence: a change on site A after everything of site B; then nothing of B was at Ann's.
    await _page(wim, "https://b.example/again", "B again")
    await _row(bob, wim_id, url="https://b.example/again")
    await _page(ola, "https://a.example/marker", "Marker")
    await _row(ann, ola_id, url="https://a.example/marker")
    assert wim_id not in json.dumps(ann.frames)
    assert "b.example" not in json.dumps(ann.frames)
    assert ola_id not in json.dumps(bob.frames)
    assert maja_id not in json.dumps(bob.frames)

    # Unwatched: no more deltas (fenced by a ping after the unwatch and a change).
    await ann.send({"type": "visitors.unwatch"})
    await ann.fence()
    count = len(ann.all("visitors.delta"))
    await _page(ola, "https://a.example/after", "After")
    t0 = time.monotonic()
    await bob.answer({"type": "ping"}, "pong")
    while time.monotonic() - t0 < 1.5:  # longer than one batch
        await ann.fence()
    assert len(ann.all("visitors.delta")) == count
    for c in (ann, bob, ola, wim):
        await c.close()


async def test_say_hello_invites_as_the_agent_within_the_caps(server: Server) -> None:
    shop, other = await Shop.create(server, "Hello shop"), await Shop.create(server, "Other")
    await shop.add_agent("Ann")
    await shop.add_agent("Cid")
    await other.add_agent("Bob")
    ann, cid, bob = (
        await shop.connect_agent("Ann"),
        await shop.connect_agent("Cid"),
        await other.connect_agent("Bob"),
    )
    ann_id = ann.all("hello")[0]["agent"]["id"]
    # Ann is busier than Cid: routing alone would give the next chat to Cid.
    busy, _ = await _visitor(shop)
    await _page(busy, "https://a.example/")
    busy_chat = await start(busy)
    holder = ann if ann.all("chat.assigned", chat_id=busy_chat) else cid
    if holder is cid:  # make Ann the busy one
        await cid.send({"type": "chat.transfer", "chat_id": busy_chat, "to_agent_id": ann_id})
        await ann.expect("chat.assigned", chat_id=busy_chat)

    maja, maja_id = await _visitor(shop)
    ola, ola_id = await _visitor(shop)
    await _page(maja, "https://a.example/pricing")
    await _page(ola, "https://a.example/shoes")
    await _watch(ann)

    # Another shop's agent cannot name this visitor; a bad id is not found either.
    error = await bob.answer({"type": "visitor.invite", "visitor_id": maja_id}, "error")
    assert error["code"] == "not_found"
    error = await ann.answer({"type": "visitor.invite", "visitor_id": "nobody"}, "error")
    assert error["code"] == "not_found"

    invited = await ann.answer(
        {"type": "visitor.invite", "visitor_id": maja_id, "message": "Hej! Need help?"},
        "visitor.invited",
    )
    invitation = await maja.expect("invitation")
    assert invitation["invitation_id"] == invited["invitation_id"]
    assert invitation["trigger_id"] is None
    assert invitation["message"] == "Hej! Need help?"
    assert invitation["agent"]["name"] == "Ann"
    assert invitation["agent"]["id"] == ann_id
    row = await _row(ann, maja_id)
    while row["invitation"] is None:
        row = await _row(ann, maja_id)
    assert row["invitation"]["by_hand"] is True
    assert row["invitation"]["agent_name"] == "Ann"
    await ola.fence()
    assert ola.all("invitation") == []  # only the visitor said hello to

    # One open invitation: neither Ann nor Cid can say hello again.
    error = await cid.answer({"type": "visitor.invite", "visitor_id": maja_id}, "error")
    assert error["code"] == "conflict"

    # Dismissed: the cool-down holds.
    second = await cid.answer({"type": "visitor.invite", "visitor_id": ola_id}, "visitor.invited")
    got = await ola.expect("invitation")
    assert got["agent"]["name"] == "Cid"
    await ola.send({"type": "invitation.dismiss", "invitation_id": second["invitation_id"]})
    await ola.expect("invitation.dismissed")
    error = await ann.answer({"type": "visitor.invite", "visitor_id": ola_id}, "error")
    assert error["code"] == "conflict"
    assert "cool-down" in error["message"]

    # Accepted: the chat goes to Ann (who said hello), not to the less busy Cid.
    await maja.send(
        {"type": "chat.start", "pre_chat": {"name": "Maja"}, "message": "Yes please",
         "invitation_id": invited["invitation_id"]}
    )  # fmt: skip
    chat_id = (await maja.expect("chat.started"))["chat_id"]
    assigned = await maja.expect("chat.assigned", chat_id=chat_id)
    assert assigned["agent"]["name"] == "Ann"
    await ann.expect("chat.assigned", chat_id=chat_id)
    # In a chat: no hello.
    error = await cid.answer({"type": "visitor.invite", "visitor_id": maja_id}, "error")
    assert error["code"] == "conflict"
    assert "chat" in error["message"]

    # The KPIs count both, as by hand.
    r = await shop.api("GET", "/kpis")
    assert r.status_code == 200, r.text
    counts = r.json()["totals"]["invitations"]
    assert counts == {
        "fired": 2,
        "shown": 0,
        "accepted": 1,
        "dismissed": 1,
        "chats": 1,
        "by_hand": 2,
    }
    r = await other.api("GET", "/kpis")
    assert r.json()["totals"]["invitations"]["by_hand"] == 0
    for c in (ann, cid, bob, busy, maja, ola):
        await c.close()
