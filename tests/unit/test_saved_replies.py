"""Saved replies fill their placeholders from the chat they are used in."""

from __future__ import annotations

import pytest

from app.agents.models import Agent
from app.common.errors import NotFound
from app.replies import service as replies
from app.replies.models import SavedReply
from tests.unit.world import World


async def _reply(world: World, body: str, owner_id: str | None = None) -> str:
    async with world.uow() as uow:
        reply = SavedReply(
            site_id=world.site_id, owner_id=owner_id, shortcut="hi", title="Hi", body=body
        )
        uow.session.add(reply)
        await uow.session.flush()
        return reply.id


async def _use(world: World, agent_id: str, reply_id: str, chat_id: str | None) -> str:
    async with world.uow() as uow:
        agent = await uow.session.get_one(Agent, agent_id)
        return await replies.use(uow, agent, reply_id, chat_id)


BODY = "Hi {visitor.name} ({visitor.email}), {agent.name} of {site.name} here. {unknown} {x}"


async def test_placeholders_are_filled_from_the_chat_and_counted(world: World) -> None:
    await world.site()
    ann = await world.agent("Ann")
    visitor = await world.visitor(name="Vera", email="vera@example.com")
    chat_id = await world.chat(status="active", agent_id=ann, visitor_id=visitor)
    reply_id = await _reply(world, BODY)
    text = await _use(world, ann, reply_id, chat_id)
    # Unknown placeholders stay as written: they may be the shop's own braces.
    assert text == "Hi Vera (vera@example.com), Ann of Unit shop here. {unknown} {x}"
    await _use(world, ann, reply_id, chat_id)
    assert (await world.get(SavedReply, reply_id)).usage_count == 2


async def test_a_visitor_without_a_name_is_there_and_without_a_chat_nobody(world: World) -> None:
    await world.site()
    ann = await world.agent("Ann")
    anonymous = await world.visitor(name=None)
    chat_id = await world.chat(status="active", agent_id=ann, visitor_id=anonymous)
    reply_id = await _reply(world, "Hi {visitor.name}{visitor.email}, {agent.name}")
    assert await _use(world, ann, reply_id, chat_id) == "Hi there, Ann"
    assert await _use(world, ann, reply_id, None) == "Hi , Ann"


async def test_a_chat_of_another_site_fills_nothing_of_its_visitor(world: World) -> None:
    await world.site()
    other_visitor_chat = await world.chat(status="queued")  # made on the first site
    first_site = world.site_id
    await world.site()
    ann = await world.agent("Ann")
    reply_id = await _reply(world, "Hi {visitor.name}")
    assert world.site_id != first_site
    assert await _use(world, ann, reply_id, other_visitor_chat) == "Hi "


async def test_another_agents_own_reply_is_not_found(world: World) -> None:
    await world.site()
    ann = await world.agent("Ann")
    bob = await world.agent("Bob")
    mine = await _reply(world, "Ann's own", owner_id=ann)
    with pytest.raises(NotFound):
        await _use(world, bob, mine, None)
    shared = await _reply(world, "For all")
    assert await _use(world, bob, shared, None) == "For all"
