"""A visitor socket's opening and closing: the SQLite batches (one hand-off to the database's
thread for many) answer and write what the unit-of-work path does, for every kind of visitor."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.chat import abandoned
from app.chat.visitor_sockets import (
    Opening,
    OpeningRequest,
    VisitorSockets,
    close_on_sqlite,
    open_in,
    open_on_sqlite,
)
from app.common.enums import ChatStatus
from app.common.types import utcnow
from app.jobs import service as jobs
from app.jobs.models import Job
from app.sites.models import Site
from app.visitors.models import Visitor, VisitorSocket
from tests.unit.world import World

SHOP = "https://shop.example"


@dataclasses.dataclass
class Visitors:
    in_chat: str  # an open chat, and a newer offline message
    offline_only: str  # two offline messages: the newer is shown
    new: str  # no chat at all
    open_chat: str
    newer_offline: str


async def _visitors(world: World) -> Visitors:
    await world.site()
    async with world.uow() as uow:
        await uow.session.execute(
            update(Site).where(Site.id == world.site_id).values(allowed_origins=[SHOP])
        )
    in_chat, offline_only, new = [await world.visitor(n) for n in ("Ina", "Olle", None)]
    open_chat = await world.chat(status="active", visitor_id=in_chat)
    await world.chat(status="offline", visitor_id=offline_only)
    await asyncio.sleep(0.01)  # created later: the open chat is shown all the same
    await world.chat(status="offline", visitor_id=in_chat)
    newer = await world.chat(status="offline", visitor_id=offline_only)
    await world.chat(status="closed", visitor_id=new, handled_s=60)
    return Visitors(in_chat, offline_only, new, open_chat, newer)


async def _gone_timer(world: World, chat_id: str) -> None:
    """The 'visitor gone' timer a socket's close set; an opening cancels it."""
    async with world.uow() as uow:
        due = utcnow() + timedelta(seconds=60)
        key = abandoned.gone_job_key(chat_id)
        await jobs.schedule(uow, key, abandoned.VISITOR_GONE_JOB, due, {"chat_id": chat_id})


async def _timers(world: World) -> set[str]:
    async with world.factory() as session:
        return set((await session.execute(select(Job.key))).scalars())


def _requests(world: World, v: Visitors) -> list[OpeningRequest]:
    site = world.site_id
    return [
        OpeningRequest(v.in_chat, site, SHOP),
        OpeningRequest(v.offline_only, site, SHOP + "/"),
        OpeningRequest(v.new, site, None),  # not from a browser: any origin rule admits it
        OpeningRequest(v.in_chat, site, "https://evil.example"),
        OpeningRequest("no-such-visitor", site, SHOP),
        OpeningRequest(v.new, "no-such-site", SHOP),
    ]


def _expected(world: World, v: Visitors) -> list[tuple[object, ...] | None]:
    site = world.site_id
    return [
        (v.in_chat, "Ina", site, v.open_chat, ChatStatus.ACTIVE),
        (v.offline_only, "Olle", site, v.newer_offline, ChatStatus.OFFLINE),
        (v.new, None, site, None, None),
        None,
        None,
        None,
    ]


def _seen(answer: Opening | None) -> tuple[object, ...] | None:
    """An answer without its socket id (new each time)."""
    if answer is None:
        return None
    return dataclasses.astuple(answer)[:-1]


def _engine(world: World) -> AsyncEngine:
    engine = world.factory.kw["bind"]
    assert isinstance(engine, AsyncEngine)
    return engine


async def _sockets(world: World) -> dict[str, str]:
    async with world.factory() as session:
        rows = await session.execute(select(VisitorSocket.id, VisitorSocket.visitor_id))
        return {str(socket_id): str(visitor_id) for socket_id, visitor_id in rows}


async def test_the_sqlite_batch_answers_and_writes_what_the_unit_of_work_does(
    world: World,
) -> None:
    v = await _visitors(world)
    requests, expected = _requests(world, v), _expected(world, v)

    await _gone_timer(world, v.open_chat)
    by_uow = []
    for request in requests:
        async with world.uow() as uow:
            by_uow.append(await open_in(uow, request))
    assert [_seen(a) for a in by_uow] == expected
    assert abandoned.gone_job_key(v.open_chat) not in await _timers(world)

    await _gone_timer(world, v.open_chat)
    async with world.factory() as session:
        await session.execute(update(Visitor).values(last_seen_at=utcnow() - timedelta(days=1)))
        await session.commit()
    before = utcnow() - timedelta(seconds=1)
    by_batch = await open_on_sqlite(_engine(world), requests)
    assert [_seen(a) for a in by_batch] == expected
    assert abandoned.gone_job_key(v.open_chat) not in await _timers(world)

    sockets = await _sockets(world)
    for answer in [*by_uow, *by_batch]:
        if answer is not None:
            assert sockets.pop(answer.socket_id) == answer.visitor_id
    assert sockets == {}  # a refused opening records nothing
    for visitor_id in (v.in_chat, v.offline_only, v.new):
        visitor = await world.get(Visitor, visitor_id)
        assert visitor.last_seen_at >= before  # as the ORM reads the batch's time


async def test_openings_at_once_share_a_batch_and_a_caller_gone_meanwhile_is_closed(
    world: World,
) -> None:
    v = await _visitors(world)
    openings = VisitorSockets(world.factory, world.hub, gone_s=30)
    gone = asyncio.create_task(openings.open(OpeningRequest(v.in_chat, world.site_id, SHOP)))
    await asyncio.sleep(0)  # queued, and the batch's writer started
    gone.cancel()
    answers = await asyncio.gather(
        openings.open(OpeningRequest(v.offline_only, world.site_id, SHOP)),
        openings.open(OpeningRequest(v.in_chat, world.site_id, "https://evil.example")),
    )
    assert [_seen(a) for a in answers] == [
        (v.offline_only, "Olle", world.site_id, v.newer_offline, ChatStatus.OFFLINE),
        None,
    ]
    with pytest.raises(asyncio.CancelledError):
        await gone
    # The cancelled caller's socket was recorded and then closed, with the visitor's timer
    # set again, before the batch's other callers were answered.
    assert list((await _sockets(world)).values()) == [v.offline_only]
    assert abandoned.gone_job_key(v.open_chat) in await _timers(world)


async def _timer_rows(world: World) -> dict[str, tuple[str, dict[str, object], float]]:
    """Each timer's kind, payload and due time in seconds from now."""
    async with world.factory() as session:
        jobs_ = (await session.execute(select(Job))).scalars()
        now = utcnow()
        return {j.key: (j.kind, j.payload, (j.run_at - now).total_seconds()) for j in jobs_}


async def test_closing_on_sqlite_writes_what_the_unit_of_work_writes(world: World) -> None:
    # A socket closes: its row goes, the visitor was last seen now, and the "visitor gone"
    # timer of their open chat is set gone_s from now (replacing an earlier one). One visitor
    # closes through each path.
    v = await _visitors(world)
    other = await world.visitor("Otto")
    other_chat = await world.chat(status="queued", visitor_id=other)
    await _gone_timer(world, other_chat)  # set before: the close replaces it
    requests = [
        OpeningRequest(v.in_chat, world.site_id, SHOP),
        OpeningRequest(other, world.site_id, SHOP),
    ]
    by_batch = await open_on_sqlite(_engine(world), requests)
    ina, otto = by_batch
    assert ina is not None
    assert otto is not None
    async with world.factory() as session:
        await session.execute(update(Visitor).values(last_seen_at=utcnow() - timedelta(days=1)))
        await session.commit()
    before = utcnow() - timedelta(seconds=1)

    async with world.uow() as uow:
        await abandoned.socket_closed(uow, ina.socket_id, ina.visitor_id, 45)
    await close_on_sqlite(_engine(world), [otto], 45)

    assert await _sockets(world) == {}
    timers = await _timer_rows(world)
    for chat_id in (v.open_chat, other_chat):
        kind, payload, due_in = timers.pop(abandoned.gone_job_key(chat_id))
        assert (kind, payload) == (abandoned.VISITOR_GONE_JOB, {"chat_id": chat_id})
        assert 40 < due_in <= 45
    assert timers == {}  # none for offline or closed chats
    for visitor_id in (v.in_chat, other):
        assert (await world.get(Visitor, visitor_id)).last_seen_at >= before
