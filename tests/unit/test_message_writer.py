"""The message writer stores sends in shared transactions; a batch that fails falls back to
writing each send on its own, so a resend or a refused send never costs the others theirs."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import select

from app.chat.batch import MessageWriter, Send
from app.chat.models import Message
from app.chat.service import Ack
from app.common.actor import Actor
from app.common.errors import DomainError, NotFound
from tests.unit.world import World


async def _chat(world: World) -> tuple[str, Actor]:
    await world.site()
    agent = await world.agent("Ann")
    visitor = await world.visitor()
    chat_id = await world.chat(status="active", agent_id=agent, visitor_id=visitor)
    return chat_id, Actor(side="visitor", id=visitor, site_id=world.site_id)


def _send(actor: Actor, chat_id: str, cid: str) -> Send:
    return Send(actor, chat_id, f"body {cid}", "public", cid)


async def _all(writer: MessageWriter, sends: list[Send]) -> list[Ack | BaseException]:
    """Queued together (before the writer's task first runs), so they share one batch."""
    return await asyncio.gather(*(writer.send(s) for s in sends), return_exceptions=True)


async def _stored(world: World, chat_id: str) -> list[tuple[int, str | None]]:
    async with world.factory() as session:
        rows = await session.execute(
            select(Message.seq, Message.client_msg_id)
            .where(Message.chat_id == chat_id)
            .order_by(Message.seq)
        )
        return [(seq, cid) for seq, cid in rows]


async def test_a_resend_in_a_batch_falls_back_to_one_by_one_and_loses_nothing(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    chat_id, vera = await _chat(world)
    stranger = Actor(side="visitor", id=await world.visitor(), site_id=world.site_id)
    writer = MessageWriter(world.uow)
    first = await writer.send(_send(vera, chat_id, "m1"))

    with caplog.at_level(logging.DEBUG, logger="app.chat.batch"):
        outcomes = await _all(
            writer,
            [
                _send(vera, chat_id, "m2"),
                _send(vera, chat_id, "m1"),  # a client that lost m1's ack sends it again
                _send(stranger, chat_id, "x1"),  # refused: not this visitor's chat
                _send(vera, chat_id, "m3"),
            ],
        )
    assert "writing one by one" in caplog.text  # the shared transaction failed on the resend
    m2, again, refused, m3 = outcomes
    assert again == first
    assert isinstance(m2, Ack)
    assert isinstance(m3, Ack)
    assert (m2.seq, m3.seq) == (2, 3)
    assert isinstance(refused, NotFound)
    assert await _stored(world, chat_id) == [(1, "m1"), (2, "m2"), (3, "m3")]


async def test_the_same_send_twice_in_one_batch_is_stored_once_without_falling_back(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    chat_id, vera = await _chat(world)
    writer = MessageWriter(world.uow)
    with caplog.at_level(logging.DEBUG, logger="app.chat.batch"):
        a, b, c = await _all(
            writer,
            [_send(vera, chat_id, "m1"), _send(vera, chat_id, "m1"), _send(vera, chat_id, "m2")],
        )
    assert "one by one" not in caplog.text
    assert a == b
    assert isinstance(c, Ack)
    assert c.seq == 2
    assert await _stored(world, chat_id) == [(1, "m1"), (2, "m2")]


async def test_a_refused_send_leaves_nothing_behind_in_the_shared_transaction(
    world: World,
) -> None:
    chat_id, vera = await _chat(world)
    writer = MessageWriter(world.uow)
    whisper = Send(vera, chat_id, "secret", "whisper", "w1")  # visitors cannot whisper
    ok, refused = await _all(writer, [_send(vera, chat_id, "m1"), whisper])
    assert isinstance(ok, Ack)
    assert ok.seq == 1
    assert isinstance(refused, DomainError)
    assert await _stored(world, chat_id) == [(1, "m1")]
