"""A visitor socket's opening: the SQLite batch (one hand-off to the database's thread for many
openings) answers and writes what the unit-of-work path does, for every kind of visitor."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.chat import abandoned
from app.chat.openings import Opening, OpeningRequest, SocketOpenings, open_in, open_on_sqlite
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
    openings = SocketOpenings(world.factory, world.hub, gone_s=30)
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
