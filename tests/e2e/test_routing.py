"""Routing by skill and capacity, the queue, presence and hand-overs, over the public contract."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import running_server
from tests.e2e.routing_support import Shop, start
from tests.support import (
    Client,
    Server,
    eventually,
    msg_id,
    presence_fence,
    typing_fence,
)

FAST = {
    "PARLEY_PRESENCE_GRACE_S": "2",
    "PARLEY_PRESENCE_HEARTBEAT_S": "0.3",
    "PARLEY_JOB_POLL_S": "0.2",
}


@pytest.fixture
def fast_server(tmp_path: Path) -> Iterator[Server]:
    """A server whose presence grace and timers run in seconds, not minutes."""
    with running_server(tmp_path, **FAST) as srv:
        yield srv


async def presence_fences(agents: list[Client]) -> None:
    """Every agent has heard everything published to it before now (see presence_fence)."""
    for a in agents:
        await presence_fence(a, "online")


def last_queued(v: Client, chat_id: str) -> int | None:
    frames = v.all("chat.queued", chat_id=chat_id)
    return frames[-1]["position"] if frames else None


async def test_fifty_simultaneous_chats_never_overload_five_agents(
    unlimited_server: Server,  # fifty visitors on one address
) -> None:
    shop = await Shop.create(unlimited_server)
    names = [f"Agent{i}" for i in range(5)]
    for name in names:
        await shop.add_agent(name, max_chats=3)
    agents = [await shop.connect_agent(n) for n in names]
    visitors = [await shop.visitor() for _ in range(50)]

    chat_ids = await asyncio.gather(*(start(v) for v in visitors))
    assert len(set(chat_ids)) == 50

    def settled() -> bool:  # 15 chats assigned, the others told places 1..35
        waiting = [i for i, v in enumerate(visitors) if not v.all("chat.assigned")]
        told = sorted(last_queued(visitors[i], chat_ids[i]) or 0 for i in waiting)
        return len(waiting) == 35 and told == list(range(1, 36))

    await eventually(settled, 20, "15 chats assigned and the other 35 told places 1..35")
    await presence_fences(agents)

    assigned = [i for i, v in enumerate(visitors) if v.all("chat.assigned")]
    queued = [i for i in range(50) if i not in assigned]
    assert len(assigned) == 15
    positions = sorted(last_queued(visitors[i], chat_ids[i]) or 0 for i in queued)
    assert positions == list(range(1, 36))
    load = await shop.agents()
    assert sorted(load[n]["active_chats"] for n in names) == [3, 3, 3, 3, 3]
    per_agent = [len(a.all("chat.assigned")) for a in agents]
    assert per_agent == [3, 3, 3, 3, 3]
    taken = [f["chat_id"] for a in agents for f in a.all("chat.assigned")]
    assert len(set(taken)) == 15  # no chat went to two agents

    # Agents close chats; the queue drains in arrival order and the others move up.
    by_position = sorted(queued, key=lambda i: last_queued(visitors[i], chat_ids[i]) or 0)
    for round_ in range(5):
        agent = agents[round_]
        done = agent.all("chat.assigned")[0]["chat_id"]
        await agent.send({"type": "chat.close", "chat_id": done})
        lucky = by_position[round_]
        await visitors[lucky].expect("chat.assigned", chat_id=chat_ids[lucky])
        nxt = by_position[round_ + 1]
        await visitors[nxt].expect("chat.queued", chat_id=chat_ids[nxt], position=1)
    await eventually(
        lambda: (
            sorted(last_queued(visitors[i], chat_ids[i]) or 0 for i in by_position[5:])
            == list(range(1, 31))
        ),
        10,
        "the 30 still waiting told places 1..30",
    )
    load = await shop.agents()
    assert all(load[n]["active_chats"] <= 3 for n in names)
    still = by_position[5:]
    assert sorted(last_queued(visitors[i], chat_ids[i]) or 0 for i in still) == list(range(1, 31))
    for c in [*agents, *visitors]:
        await c.close()


async def test_a_billing_chat_waits_for_a_billing_agent(server: Server) -> None:
    shop = await Shop.create(server)
    await shop.add_agent("Generalist", skills=["sales"])
    await shop.add_agent("Biller", skills=["billing"])
    general = await shop.connect_agent("Generalist")
    v = await shop.visitor()
    chat_id = await start(v, department="billing")
    queued = await v.expect("chat.queued", chat_id=chat_id)
    assert queued["position"] == 1
    assert queued["agents_available"] is False
    await presence_fence(general, "online")
    assert not general.all("chat.assigned")

    biller = await shop.connect_agent("Biller")
    got = await biller.expect("chat.assigned", chat_id=chat_id)
    assert got["chat"]["skill"] == "billing"
    assigned = await v.expect("chat.assigned", chat_id=chat_id)
    assert assigned["agent"]["name"] == "Biller"
    assert not general.all("chat.assigned")

    # A chat without a department may go to anyone.
    other = await shop.visitor()
    other_id = await start(other)
    await general.expect("chat.assigned", chat_id=other_id)
    for c in (general, biller, v, other):
        await c.close()


async def test_a_chat_falls_back_to_any_agent_when_the_site_allows(server: Server) -> None:
    shop = await Shop.create(server)
    await shop.add_agent("Generalist", skills=["sales"])
    await shop.add_agent("Biller", skills=["billing"])
    general = await shop.connect_agent("Generalist")
    v = await shop.visitor()
    chat_id = await start(v, department="billing")
    await v.expect("chat.queued", chat_id=chat_id)
    await shop.routing(skill_fallback=True)
    await general.expect("chat.assigned", chat_id=chat_id)
    await v.expect("chat.assigned", chat_id=chat_id)


async def test_busy_and_away_agents_get_no_new_chats(server: Server) -> None:
    shop = await Shop.create(server)
    await shop.add_agent("Ann")
    ann = await shop.connect_agent("Ann")
    for status in ("busy", "away"):
        await ann.send({"type": "presence.set", "status": status})
        await ann.expect("presence.update", status=status)
        v = await shop.visitor()
        chat_id = await start(v)
        await v.expect("chat.queued", chat_id=chat_id)
        await presence_fence(ann, status)
        assert not ann.all("chat.assigned", chat_id=chat_id)
        await v.send({"type": "chat.close", "chat_id": chat_id})
        await v.close()

    v = await shop.visitor()
    chat_id = await start(v)
    await v.expect("chat.queued", chat_id=chat_id)
    await ann.send({"type": "presence.set", "status": "online"})
    await ann.expect("chat.assigned", chat_id=chat_id)
    await v.expect("chat.assigned", chat_id=chat_id)


async def test_a_dropped_agents_chats_go_to_the_front_and_to_another_agent(
    fast_server: Server,
) -> None:
    shop = await Shop.create(fast_server)
    await shop.add_agent("Ann", max_chats=1)
    await shop.add_agent("Bob", max_chats=1)
    ann = await shop.connect_agent("Ann")
    v1 = await shop.visitor()
    first = await start(v1)
    await ann.expect("chat.assigned", chat_id=first)
    # A second visitor waits: Ann is full and Bob is not here yet.
    v2 = await shop.visitor()
    second = await start(v2)
    await v2.expect("chat.queued", chat_id=second)

    await ann.drop()
    note = await v1.expect_message(
        first,
        timeout=15,
        kind="public",
        author={"type": "system", "id": None, "name": None, "avatar_url": None},
    )
    assert "Ann" in note["message"]["body"]
    queued = await v1.expect("chat.queued", chat_id=first)
    assert queued["position"] == 1  # ahead of the visitor who arrived later
    assert (await v2.expect("chat.queued", chat_id=second, position=2))["position"] == 2

    bob = await shop.connect_agent("Bob")
    await bob.expect("chat.assigned", chat_id=first)
    await v1.expect("chat.assigned", chat_id=first)
    load = await shop.agents()
    assert load["Ann"]["status"] == "offline"
    assert load["Ann"]["active_chats"] == 0
    await bob.close()


async def test_an_unanswered_offer_moves_to_the_next_agent(fast_server: Server) -> None:
    shop = await Shop.create(fast_server)
    await shop.routing(auto_accept=False, offer_timeout_s=1)
    await shop.add_agent("Ann")
    await shop.add_agent("Bob")
    ann = await shop.connect_agent("Ann")
    bob = await shop.connect_agent("Bob")
    v = await shop.visitor()
    chat_id = await start(v)
    first = await asyncio.wait_for(_first_offer(ann, bob, chat_id), 10)
    second = bob if first is ann else ann
    await first.expect("chat.offer_expired", chat_id=chat_id, timeout=10)
    await second.expect("chat.offered", chat_id=chat_id, timeout=10)
    await second.send({"type": "chat.accept", "chat_id": chat_id})
    await second.expect("chat.assigned", chat_id=chat_id)
    assigned = await v.expect("chat.assigned", chat_id=chat_id)
    assert assigned["agent"]["id"] != (await _agent_id(first))
    # The agent who let it lapse can no longer accept it.
    await first.send({"type": "chat.accept", "chat_id": chat_id})
    assert (await first.expect("error"))["code"] == "conflict"


async def _first_offer(a: Client, b: Client, chat_id: str) -> Client:
    await eventually(lambda: any(c.all("chat.offered", chat_id=chat_id) for c in (a, b)))
    return next(c for c in (a, b) if c.all("chat.offered", chat_id=chat_id))


async def _agent_id(c: Client) -> str:
    hello = c.all("hello")[0]
    agent_id: str = hello["agent"]["id"]
    return agent_id


async def test_transfer_to_an_agent_and_to_a_skill(server: Server) -> None:
    shop = await Shop.create(server)
    ann_id = await shop.add_agent("Ann", skills=["sales"])
    bob_id = await shop.add_agent("Bob", skills=["sales"], max_chats=1)
    await shop.add_agent("Cat", skills=["billing"])
    ann = await shop.connect_agent("Ann")
    v = await shop.visitor()
    chat_id = await start(v, text="I want to change my invoice address")
    await ann.expect("chat.assigned", chat_id=chat_id)
    bob = await shop.connect_agent("Bob")

    await ann.send(
        {
            "type": "chat.transfer",
            "chat_id": chat_id,
            "to_agent_id": bob_id,
            "note": "Customer asked about invoices",
        }
    )
    handed = await bob.expect("chat.assigned", chat_id=chat_id)
    assert handed["chat"]["agent_id"] == bob_id
    note = await bob.expect_message(chat_id, kind="note")
    assert note["message"]["body"] == "Customer asked about invoices"
    moved = await v.expect("chat.transferred", chat_id=chat_id)
    assert (moved["from_agent_id"], moved["to_agent_id"]) == (ann_id, bob_id)
    assert moved["agent"]["name"] == "Bob"
    await v.expect_message(chat_id, body="Bob is taking over this chat.")
    # The visitor never sees the note, and Ann's slot is free again.
    await typing_fence(bob, chat_id, [v])
    assert not [f for f in v.all("message.new") if "invoices" in f["message"]["body"]]
    assert (await shop.agents())["Ann"]["active_chats"] == 0

    # Bob (max 1) is full: a second chat cannot be transferred to him.
    v2 = await shop.visitor()
    chat2 = await start(v2)
    await ann.expect("chat.assigned", chat_id=chat2)
    await ann.send({"type": "chat.transfer", "chat_id": chat2, "to_agent_id": bob_id})
    refused = await ann.expect("error")
    assert refused["code"] == "conflict"
    assert "Bob" in refused["message"]
    cid = msg_id()
    await ann.send(
        {"type": "message.send", "chat_id": chat2, "client_msg_id": cid, "body": "Still with me"}
    )
    await ann.expect("message.ack", client_msg_id=cid)  # the chat stayed with Ann

    # To a skill nobody online has: refused. Once Cat is online: she gets it.
    await ann.send({"type": "chat.transfer", "chat_id": chat2, "to_skill": "billing"})
    assert (await ann.expect("error"))["code"] == "conflict"
    cat = await shop.connect_agent("Cat")
    await ann.send({"type": "chat.transfer", "chat_id": chat2, "to_skill": "billing"})
    got = await cat.expect("chat.assigned", chat_id=chat2)
    assert got["chat"]["skill"] == "billing"
    assert (await v2.expect("chat.transferred", chat_id=chat2))["agent"]["name"] == "Cat"
    for c in (ann, bob, cat, v, v2):
        await c.close()


async def test_least_busy_and_round_robin_choose_differently(server: Server) -> None:
    async def third_chat_goes_to(policy: str) -> str:
        shop = await Shop.create(server, f"Shop {policy}")
        await shop.routing(assignment=policy)
        await shop.add_agent("Ann")
        ann = await shop.connect_agent("Ann")
        v1 = await shop.visitor()
        first = await start(v1)
        await ann.expect("chat.assigned", chat_id=first)  # Ann: 1 chat
        await shop.add_agent("Bob")
        bob = await shop.connect_agent("Bob")
        v2 = await shop.visitor()
        second = await start(v2)
        await bob.expect("chat.assigned", chat_id=second)  # Bob was assigned last
        await bob.send({"type": "chat.close", "chat_id": second})  # Bob: 0 chats
        await bob.expect("chat.closed", chat_id=second)
        v3 = await shop.visitor()
        third = await start(v3)
        got = await v3.expect("chat.assigned", chat_id=third)
        name: str = got["agent"]["name"]
        for c in (ann, bob, v1, v2, v3):
            await c.close()
        return name

    # Least busy: Bob has fewer chats. Round robin: Ann's turn, whatever her load.
    assert await third_chat_goes_to("least_busy") == "Bob"
    assert await third_chat_goes_to("round_robin") == "Ann"


@pytest.fixture
def idle_server(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path, PARLEY_AGENT_IDLE_AWAY_S="1.5", **FAST) as srv:
        yield srv


async def test_an_idle_agent_turns_away_and_is_told(idle_server: Server) -> None:
    shop = await Shop.create(idle_server)
    await shop.add_agent("Idle")
    await shop.add_agent("Busy")
    idle = await shop.connect_agent("Idle")
    working = await shop.connect_agent("Busy")
    idle_id = idle.all("hello")[0]["agent"]["id"]
    working_id = working.all("hello")[0]["agent"]["id"]

    async def keep_working() -> None:
        for _ in range(20):
            await working.send({"type": "activity"})
            await asyncio.sleep(0.2)

    activity = asyncio.create_task(keep_working())
    told = await idle.expect("presence.update", agent_id=idle_id, status="away", timeout=10)
    assert told["reason"] == "idle"
    await activity
    await presence_fence(working, "online")
    assert not working.all("presence.update", agent_id=working_id, status="away")
    # Away agents get no chats: the next one goes to the agent who is working.
    v = await shop.visitor()
    chat_id = await start(v)
    await working.expect("chat.assigned", chat_id=chat_id)
