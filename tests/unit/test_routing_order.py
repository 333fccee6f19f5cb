"""Who gets a queued chat: least busy or round robin, skills, fallback, lapsed offers, room."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app.agents.models import Agent
from app.chat.models import Chat
from app.common.events import agent_topic, visitor_topic
from app.common.types import utcnow
from app.routing import assignment as routing
from tests.unit.world import POLICY, World, heard


async def _route(world: World, chat_id: str) -> str | None:
    async with world.uow() as uow:
        agent = await routing.route(uow, chat_id, POLICY)
        return agent.id if agent else None


async def _busy_ann_and_idle_bob(world: World, assignment: str) -> tuple[str, str]:
    """Ann has a chat but waited longest for one; Bob has none but got one most recently."""
    await world.site(routing={"assignment": assignment})
    long_ago = utcnow() - timedelta(minutes=10)
    ann = await world.agent("Ann", active_chats=1, last_assigned_at=long_ago)
    bob = await world.agent("Bob", active_chats=0, last_assigned_at=utcnow())
    return ann, bob


async def test_least_busy_gives_the_chat_to_the_agent_with_fewest_chats(world: World) -> None:
    _ann, bob = await _busy_ann_and_idle_bob(world, "least_busy")
    assert await _route(world, await world.chat()) == bob


async def test_round_robin_gives_the_chat_to_whoever_waited_longest(world: World) -> None:
    ann, _bob = await _busy_ann_and_idle_bob(world, "round_robin")
    assert await _route(world, await world.chat()) == ann


async def test_an_agent_never_assigned_comes_before_one_who_was(world: World) -> None:
    await world.site(routing={"assignment": "round_robin"})
    await world.agent("Old", last_assigned_at=utcnow() - timedelta(hours=1))
    new = await world.agent("New")
    assert await _route(world, await world.chat()) == new


async def test_assignment_takes_a_slot_and_tells_agent_and_visitor_after_commit(
    world: World,
) -> None:
    await world.site()
    ann = await world.agent("Ann", max_chats=1)
    visitor = await world.visitor()
    chat_id = await world.chat(visitor_id=visitor)
    ears = await world.listen(agent_topic(ann), visitor_topic(visitor))
    assert await _route(world, chat_id) == ann
    chat = await world.get(Chat, chat_id)
    assert (chat.status, chat.agent_id) == ("active", ann)
    assert (await world.get(Agent, ann)).active_chats == 1
    assigned = heard(ears, "chat.assigned")
    assert [f["chat_id"] for f in assigned] == [chat_id, chat_id]  # the agent's and the visitor's
    # Full now: the next chat waits.
    assert await _route(world, await world.chat()) is None


async def test_a_skilled_chat_waits_for_an_agent_with_the_skill(world: World) -> None:
    await world.site()
    await world.agent("Generalist", skills=("sales",))
    chat_id = await world.chat(skill="billing")
    assert await _route(world, chat_id) is None
    assert (await world.get(Chat, chat_id)).status == "queued"
    # Busier than the generalist, but the only one who can take it.
    biller = await world.agent("Biller", skills=("billing",), active_chats=2)
    assert await _route(world, chat_id) == biller


async def test_skill_fallback_gives_it_to_anyone_when_nobody_has_the_skill(world: World) -> None:
    await world.site(routing={"skill_fallback": True})
    general = await world.agent("Generalist", skills=("sales",))
    assert await _route(world, await world.chat(skill="billing")) == general


async def test_fallback_does_not_apply_while_someone_with_the_skill_is_online(
    world: World,
) -> None:
    await world.site(routing={"skill_fallback": True})
    await world.agent("Generalist", skills=("sales",))
    await world.agent("Biller", skills=("billing",), max_chats=1, active_chats=1)  # full
    assert await _route(world, await world.chat(skill="billing")) is None


async def test_an_agent_who_let_the_offer_lapse_is_passed_over_while_others_can(
    world: World,
) -> None:
    await world.site()
    ann = await world.agent("Ann")
    bob = await world.agent("Bob", active_chats=2)  # busier: least_busy would pick Ann
    assert await _route(world, await world.chat(passed_over=[ann])) == bob
    # With nobody else left, she gets it again.
    async with world.uow() as uow:
        await uow.session.execute(update(Agent).where(Agent.id == bob).values(status="away"))
    assert await _route(world, await world.chat(passed_over=[ann])) == ann


async def test_offline_away_full_and_silent_agents_get_nothing(world: World) -> None:
    await world.site()
    await world.agent("Away", status="away")
    await world.agent("Offline", status="offline")
    await world.agent("Full", max_chats=2, active_chats=2)
    silent = await world.agent("Silent")
    async with world.uow() as uow:  # no heartbeat for longer than the grace
        stale = utcnow() - timedelta(seconds=POLICY.presence_grace_s + 1)
        await uow.session.execute(
            update(Agent).where(Agent.id == silent).values(last_seen_at=stale)
        )
    assert await _route(world, await world.chat()) is None


async def test_without_auto_accept_the_chat_is_offered_with_a_timer(world: World) -> None:
    await world.site(routing={"auto_accept": False, "offer_timeout_s": 7})
    ann = await world.agent("Ann")
    ears = await world.listen(agent_topic(ann))
    chat_id = await world.chat()
    assert await _route(world, chat_id) == ann
    assert (await world.get(Chat, chat_id)).status == "offered"
    (offer,) = heard(ears, "chat.offered")
    assert offer["expires_in_s"] == 7
    # Lapsed: back in the queue, Ann passed over, the next agent offered it.
    bob = await world.agent("Bob")
    async with world.uow() as uow:
        await routing.offer_expired(uow, chat_id, ann, POLICY)
    chat = await world.get(Chat, chat_id)
    assert (chat.status, chat.agent_id, chat.passed_over) == ("offered", bob, [ann])
    assert heard(ears, "chat.offer_expired") == [{"type": "chat.offer_expired", "chat_id": chat_id}]
    assert (await world.get(Agent, ann)).active_chats == 0
