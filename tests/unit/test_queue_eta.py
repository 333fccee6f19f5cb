"""What a waiting visitor is told: their place in their skill's queue and the expected wait."""

from __future__ import annotations

from typing import Any

from app.chat.models import Chat
from app.common.events import site_topic, visitor_topic
from app.routing import queue as routing
from tests.unit.world import POLICY, World, heard


async def _announce(world: World) -> None:
    async with world.uow() as uow:
        await routing.announce_queue(uow, world.site_id, POLICY)


async def _waiting(world: World, n: int, skill: str | None = None) -> list[tuple[str, str]]:
    """``n`` queued chats, oldest first, as (visitor id, chat id)."""
    out = []
    for i in range(n):
        visitor = await world.visitor()
        out.append((visitor, await world.chat(skill=skill, visitor_id=visitor, queued_ago_s=n - i)))
    return out


async def _told(world: World, chats: list[tuple[str, str]]) -> list[dict[str, Any]]:
    ears = await world.listen(*(visitor_topic(v) for v, _ in chats))
    await _announce(world)
    frames = heard(ears, "chat.queued")
    order = {chat_id: i for i, (_, chat_id) in enumerate(chats)}
    return sorted(frames, key=lambda f: order[f["chat_id"]])


async def test_without_history_each_round_of_free_slots_takes_the_default_handling_time(
    world: World,
) -> None:
    await world.site()
    await world.agent("Ann", max_chats=3, active_chats=3)
    await world.agent("Bob", max_chats=2, active_chats=2)
    chats = await _waiting(world, 6)
    told = await _told(world, chats)
    assert [f["position"] for f in told] == [1, 2, 3, 4, 5, 6]
    # Five slots in all: the first five wait one handling time, the sixth two.
    d = routing.DEFAULT_HANDLING_S
    assert [f["estimated_wait_s"] for f in told] == [d] * 5 + [2 * d]
    assert all(f["agents_available"] for f in told)
    chat = await world.get(Chat, chats[5][1])
    assert (chat.queue_position, chat.queue_eta_s) == (6, 2 * d)


async def test_the_handling_time_is_learnt_from_closed_chats(world: World) -> None:
    await world.site()
    await world.agent("Ann", max_chats=1, active_chats=1)
    await world.chat(handled_s=60)
    await world.chat(handled_s=120)
    told = await _told(world, await _waiting(world, 2))
    assert [f["estimated_wait_s"] for f in told] == [90, 180]


async def test_each_skill_has_its_own_queue(world: World) -> None:
    await world.site()
    await world.agent("Ann", skills=("billing",), max_chats=1, active_chats=1)
    await world.agent("Bob", skills=("sales",), max_chats=2, active_chats=2)
    billing = await _waiting(world, 2, skill="billing")
    sales = await _waiting(world, 1, skill="sales")
    nobody = await _waiting(world, 1, skill="returns")
    ears = await world.listen(site_topic(world.site_id))
    told = {f["chat_id"]: f for f in await _told(world, [*billing, *sales, *nobody])}
    d = routing.DEFAULT_HANDLING_S
    assert [told[c]["position"] for _, c in billing] == [1, 2]
    assert [told[c]["estimated_wait_s"] for _, c in billing] == [d, 2 * d]
    assert [(told[c]["position"], told[c]["estimated_wait_s"]) for _, c in sales] == [(1, d)]
    # A skill nobody online has: told so, and the estimate counts one slot.
    (returns,) = [told[c] for _, c in nobody]
    assert (returns["position"], returns["agents_available"]) == (1, False)
    (update,) = heard(ears, "queue.update")
    assert update["waiting"] == {"billing": 2, "sales": 1, "returns": 1}
    assert update["total"] == 4


async def test_a_visitor_is_told_again_only_when_place_or_wait_changed(world: World) -> None:
    await world.site()
    await world.agent("Ann", max_chats=1, active_chats=1)
    chats = await _waiting(world, 2)
    assert len(await _told(world, chats)) == 2
    assert await _told(world, chats) == []  # nothing changed: nobody is told twice
    async with world.uow() as uow:  # the first leaves the queue
        chat = await uow.session.get_one(Chat, chats[0][1])
        chat.status = "closed"
    told = await _told(world, chats)
    assert [(f["chat_id"], f["position"]) for f in told] == [(chats[1][1], 1)]
