"""The message writer stores sends in shared transactions; a batch that fails falls back to
writing each send on its own, so a resend or a refused send never costs the others theirs."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.chat import sqlite_batch
from app.chat.batch import MessageWriter, Send, store_sends
from app.chat.models import Chat, Message
from app.chat.schemas import MessageOut
from app.chat.service import Ack
from app.common.actor import Actor
from app.common.enums import Role
from app.common.errors import DomainError, NotFound
from app.common.events import chat_topic
from app.common.uow import publish_committed
from app.realtime.visibility import message_for
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.unit.world import World, heard


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
    writer = MessageWriter(world.factory, world.hub)
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
    writer = MessageWriter(world.factory, world.hub)
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
    writer = MessageWriter(world.factory, world.hub)
    whisper = Send(vera, chat_id, "secret", "whisper", "w1")  # visitors cannot whisper
    ok, refused = await _all(writer, [_send(vera, chat_id, "m1"), whisper])
    assert isinstance(ok, Ack)
    assert ok.seq == 1
    assert isinstance(refused, DomainError)
    assert await _stored(world, chat_id) == [(1, "m1")]


async def test_sqlite_batch_writes_what_the_orm_path_writes(world: World) -> None:
    """The one-hand-off batch on SQLite (app/chat/sqlite_batch.py) against the ORM path: the
    same rows, the same counters and stamps, and ``message.new`` frames equal to
    ``MessageOut.of(row).dump()`` of the rows as stored."""
    await world.site()
    ann = await world.agent("Ann")
    agent = Actor(side="agent", id=ann, site_id=world.site_id, role=Role.AGENT)
    async with world.uow() as uow:
        hook = WebhookEndpoint(
            site_id=world.site_id, url="https://x.example/h", events=["message.created"], secret="s"
        )
        uow.session.add(hook)
    results = {}
    for path in ("sqlite", "orm"):
        visitor = await world.visitor()
        chat_id = await world.chat(status="active", agent_id=ann, visitor_id=visitor)
        vera = Actor(side="visitor", id=visitor, site_id=world.site_id)
        listener = await world.listen(chat_topic(chat_id))
        sends = [
            _send(vera, chat_id, "v1"),
            Send(agent, chat_id, "psst", "whisper", "a1"),
            _send(agent, chat_id, "a2"),
            _send(vera, chat_id, "v2"),
        ]
        if path == "sqlite":
            plain = await sqlite_batch.store_sends(_engine(world), sends)
            assert plain is not None
            await publish_committed(world.hub, plain.events)
            outcomes = plain.outcomes
        else:
            async with world.uow() as uow:
                outcomes = await store_sends(uow, sends)
        # agents ack in the chat's numbering, visitors in the public one
        assert [o.seq for o in outcomes if isinstance(o, Ack)] == [1, 2, 3, 3]
        async with world.factory() as session:
            rows = (
                await session.execute(
                    select(Message).where(Message.chat_id == chat_id).order_by(Message.seq)
                )
            ).scalars()
            dumped = [MessageOut.of(m).dump() for m in rows]
            chat = await session.get_one(Chat, chat_id)
            sent = (
                await session.execute(select(WebhookDelivery).order_by(WebhookDelivery.position))
            ).scalars()
            bodies = [
                json.loads(d.body)["data"]["message"] | {"at": (d.position, d.status)}
                for d in sent
                if json.loads(d.body)["data"]["message"]["chat_id"] == chat_id
            ]
        assert [b["body"] for b in bodies] == ["body v1", "body a2", "body v2"]
        assert [b["seq"] for b in bodies] == [1, 2, 3]
        frames = [f["message"] for f in heard(listener, "message.new")]
        assert frames == [message_for("agent", m) for m in dumped]
        assert chat.first_response_at == chat.last_agent_message_at == _created(dumped[2])
        assert chat.first_visitor_message_at == _created(dumped[0])
        assert chat.last_visitor_message_at == _created(dumped[3])
        results[path] = (
            [{k: v for k, v in m.items() if k not in ("id", "chat_id", "created_at")} | {
                "author": {**m["author"], "id": m["author"]["type"]}} for m in dumped],
            (chat.last_seq, chat.last_public_seq),
            [{k: v for k, v in b.items() if k not in ("id", "chat_id", "created_at")}
             | {"author": b["author"]["type"]} for b in bodies],
        )  # fmt: skip
    assert results["sqlite"] == results["orm"]
    assert results["sqlite"][1] == (4, 3)


def _engine(world: World) -> AsyncEngine:
    engine = world.factory.kw["bind"]
    assert isinstance(engine, AsyncEngine)
    return engine


def _created(message: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(message["created_at"].replace("Z", "+00:00"))


async def test_a_batch_with_an_offline_chat_is_left_to_the_orm_path(world: World) -> None:
    """Its messages set mail timers, which the ORM path writes; the plain path writes nothing."""
    await world.site()
    visitor = await world.visitor()
    chat_id = await world.chat(status="offline", visitor_id=visitor)
    vera = Actor(side="visitor", id=visitor, site_id=world.site_id)
    assert await sqlite_batch.store_sends(_engine(world), [_send(vera, chat_id, "m1")]) is None
    assert await _stored(world, chat_id) == []
    ack = await MessageWriter(world.factory, world.hub).send(_send(vera, chat_id, "m1"))
    assert ack.seq == 1
    assert await _stored(world, chat_id) == [(1, "m1")]
