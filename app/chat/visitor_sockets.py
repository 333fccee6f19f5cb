"""A visitor's socket opening and closing: who it is, which chat the widget shows, and the socket
recorded as open while it is, for the abandoned-chat timers (app/chat/abandoned.py).

On SQLite the openings that arrive together share one transaction on the database's thread, in
plain ``sqlite3``, and so do the closings: a connect used to hold the pool's only connection for
five to seven statements, each a round trip to aiosqlite's thread that then waited for a busy
event loop to come round, so under a reconnect storm connects (and the drops before them) queued
behind each other's waiting (docs/performance.md, issue 17's sixth step). The unit-of-work path
(``open_in``, ``abandoned.socket_closed``) serves every other database and a batch that fails;
tests/unit/test_visitor_sockets.py holds the two to the same rows and answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.chat import abandoned, queries
from app.chat.models import OPEN_STATUSES
from app.common.batches import Batches
from app.common.enums import ChatStatus
from app.common.events import Publisher
from app.common.types import new_id, utcnow
from app.common.uow import UnitOfWork
from app.db import in_sqlite_transaction, sqlite_engine
from app.jobs.models import Job
from app.sites.models import Site
from app.sites.service import origin_in
from app.visitors.models import Visitor, VisitorSocket

log = logging.getLogger(__name__)

# Enough to amortise a transaction, small enough that one batch never holds the lock for long.
MAX_BATCH = 200


@dataclass(frozen=True, slots=True)
class OpeningRequest:
    """What a visitor's signed token and the socket's request say."""

    visitor_id: str
    site_id: str
    origin: str | None


@dataclass(frozen=True, slots=True)
class Opening:
    """A visitor let in, with their socket recorded as open: a few strings, not ORM rows (a
    socket keeps this for its life)."""

    visitor_id: str
    name: str | None
    site_id: str
    chat_id: str | None  # the chat the widget shows: the open one, else a waiting offline one
    chat_status: ChatStatus | None
    socket_id: str  # its row in visitor_sockets


async def open_in(uow: UnitOfWork, request: OpeningRequest) -> Opening | None:
    """The opening in the caller's unit of work, or None when the visitor or the site is gone
    or the origin is not the site's; nothing is written then."""
    visitor = await uow.session.get(Visitor, request.visitor_id)
    site = await uow.session.get(Site, request.site_id)
    if visitor is None or site is None or not origin_in(site.allowed_origins, request.origin):
        return None
    chat = await queries.current_chat_of(uow, visitor.id)
    # Abandoned chats end: the visitor counts as present while this socket is open.
    socket_id = await abandoned.socket_opened(uow, visitor.id)
    status = ChatStatus(chat.status) if chat is not None else None
    return Opening(visitor.id, visitor.name, site.id, chat.id if chat else None, status, socket_id)


class VisitorSockets:
    """Records visitor sockets as they open and close; on SQLite, in batches."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], publisher: Publisher, gone_s: float
    ) -> None:
        self._sessions = sessions
        self._publisher = publisher
        self._gone_s = gone_s  # a visitor's grace after their last socket (abandoned.py)
        self._sqlite = sqlite_engine(sessions)
        self._openings: Batches[OpeningRequest, Opening | None] = Batches(self._open, MAX_BATCH)
        self._closings: Batches[Opening, None] = Batches(self._close, MAX_BATCH)

    async def open(self, request: OpeningRequest) -> Opening | None:
        """The visitor let in with the socket recorded as open, or None (nothing written)."""
        if self._sqlite is None:
            return await self._open_one(request)
        return await self._openings.submit(request)

    @contextlib.asynccontextmanager
    async def present(self, opening: Opening, socket_ids: set[str]) -> AsyncIterator[None]:
        """Around the life of an opened socket: its id is in ``socket_ids`` (the process's open
        visitor sockets, which the heartbeat refreshes) while it is open; on close its row goes
        and the visitor's timers are set."""
        socket_ids.add(opening.socket_id)
        try:
            yield
        finally:
            socket_ids.discard(opening.socket_id)
            await self.close(opening)

    async def close(self, opening: Opening) -> None:
        """Never fails a socket's end: the sweep catches up (app/chat/abandoned.py)."""
        try:
            if self._sqlite is None:
                await self._close_one(opening)
            else:
                await self._closings.submit(opening)
        except Exception:
            log.warning("could not record visitor %s leaving", opening.visitor_id, exc_info=True)

    async def _open_one(self, request: OpeningRequest) -> Opening | None:
        async with UnitOfWork(self._sessions, self._publisher) as uow:
            return await open_in(uow, request)

    async def _close_one(self, opening: Opening) -> None:
        async with UnitOfWork(self._sessions, self._publisher) as uow:
            await abandoned.socket_closed(uow, opening.socket_id, opening.visitor_id, self._gone_s)

    async def _open(
        self, batch: list[tuple[OpeningRequest, asyncio.Future[Opening | None]]]
    ) -> None:
        assert self._sqlite is not None
        try:
            answers = await open_on_sqlite(self._sqlite, [request for request, _ in batch])
        except Exception as exc:
            # A database error: each on its own path, so each hears its own outcome.
            log.debug("%d socket openings failed together (%s); one by one", len(batch), exc)
            for request, future in batch:
                try:
                    await self._answer(future, await self._open_one(request))
                except Exception as one_exc:
                    if not future.done():
                        future.set_exception(one_exc)
            return
        for (_, future), answer in zip(batch, answers, strict=True):
            await self._answer(future, answer)

    async def _answer(self, future: asyncio.Future[Opening | None], answer: Opening | None) -> None:
        if not future.done():
            future.set_result(answer)
        elif answer is not None:
            # The socket went away while its opening was written: record it as closed, as
            # ``present`` would have (never failing the batch's other openings).
            await self.close(answer)

    async def _close(self, batch: list[tuple[Opening, asyncio.Future[None]]]) -> None:
        assert self._sqlite is not None
        try:
            await close_on_sqlite(self._sqlite, [opening for opening, _ in batch], self._gone_s)
        except Exception as exc:
            log.debug("%d socket closings failed together (%s); one by one", len(batch), exc)
            for opening, future in batch:
                try:
                    await self._close_one(opening)
                except Exception as one_exc:
                    if not future.done():
                        future.set_exception(one_exc)
                    continue
                if not future.done():
                    future.set_result(None)
            return
        for _, future in batch:
            if not future.done():
                future.set_result(None)


# ---------------------------------------------------------------- SQLite, on its thread

_VISITOR = "SELECT name FROM visitors WHERE id = ?"
_SITE = "SELECT allowed_origins FROM sites WHERE id = ?"
_CHATS = (
    "SELECT id, status FROM chats WHERE visitor_id = ? AND status IN ({marks})"
    " ORDER BY created_at DESC"
)
_SOCKET = "INSERT INTO visitor_sockets (id, visitor_id, seen_at) VALUES (?, ?, ?)"
_SEEN = "UPDATE visitors SET last_seen_at = ? WHERE id = ?"
_CANCEL = "DELETE FROM jobs WHERE key = ?"
_OPEN_CHATS = "SELECT id FROM chats WHERE visitor_id = ? AND status IN ({marks})"
_CLOSED = "DELETE FROM visitor_sockets WHERE id = ?"
# jobs.schedule's upsert: the timer replaces an earlier one of the same key.
_SCHEDULE = (
    "INSERT INTO jobs (id, key, kind, run_at, payload, attempts, created_at)"
    " VALUES (?, ?, ?, ?, ?, 0, ?) ON CONFLICT (key) DO UPDATE SET kind = excluded.kind,"
    " run_at = excluded.run_at, payload = excluded.payload, attempts = 0"
)

_OPEN = tuple(str(s) for s in OPEN_STATUSES)
_SHOWN = (*_OPEN, str(ChatStatus.OFFLINE))
_CHATS_SHOWN = _CHATS.format(marks=", ".join("?" * len(_SHOWN)))
_CHATS_OPEN = _OPEN_CHATS.format(marks=", ".join("?" * len(_OPEN)))


@dataclass(frozen=True, slots=True)
class _Columns:
    """The columns' own SQLAlchemy processors for this dialect: a row written here is the row
    the ORM would write, and a value read is the value the ORM would read."""

    time: Callable[[Any], Any]
    origins: Callable[[Any], Any]
    payload: Callable[[Any], Any]


_COLUMNS: dict[str, _Columns] = {}


def _columns(dialect: Dialect) -> _Columns:
    """Made once per dialect, not per batch (as sqlite_batch's binds)."""
    known = _COLUMNS.get(dialect.name)
    if known is None:
        seen_at = VisitorSocket.__table__.c.seen_at.type
        origins = Site.__table__.c.allowed_origins.type.dialect_impl(dialect)
        payload = Job.__table__.c.payload.type
        known = _COLUMNS[dialect.name] = _Columns(
            seen_at.bind_processor(dialect) or (lambda v: v),
            origins.result_processor(dialect, None) or (lambda v: v),
            payload.bind_processor(dialect) or (lambda v: v),
        )
    return known


async def open_on_sqlite(
    engine: AsyncEngine, requests: list[OpeningRequest]
) -> list[Opening | None]:
    """``open_in`` for each request, committed together before it returns."""
    columns = _columns(engine.dialect)

    def write(db: sqlite3.Connection) -> list[Opening | None]:
        return [_open(db, request, columns) for request in requests]

    answers = await in_sqlite_transaction(engine, write)
    assert answers is not None
    return answers


def _open(db: sqlite3.Connection, request: OpeningRequest, columns: _Columns) -> Opening | None:
    visitor = db.execute(_VISITOR, (request.visitor_id,)).fetchone()
    site = db.execute(_SITE, (request.site_id,)).fetchone()
    if visitor is None or site is None:
        return None
    if not origin_in(columns.origins(site[0]) or [], request.origin):
        return None
    chats = db.execute(_CHATS_SHOWN, (request.visitor_id, *_SHOWN)).fetchall()
    open_ids = [chat_id for chat_id, status in chats if status in _OPEN]
    shown = next(((i, s) for i, s in chats if s in _OPEN), None) or next(iter(chats), None)
    socket_id = new_id()
    now = columns.time(utcnow())
    db.execute(_SOCKET, (socket_id, request.visitor_id, now))
    db.execute(_SEEN, (now, request.visitor_id))
    for chat_id in open_ids:
        db.execute(_CANCEL, (abandoned.gone_job_key(chat_id),))
    chat_id, status = shown if shown is not None else (None, None)
    return Opening(
        request.visitor_id,
        visitor[0],
        request.site_id,
        chat_id,
        ChatStatus(status) if status is not None else None,
        socket_id,
    )


async def close_on_sqlite(engine: AsyncEngine, openings: list[Opening], gone_s: float) -> None:
    """``abandoned.socket_closed`` for each socket, committed together before it returns."""
    columns = _columns(engine.dialect)

    def write(db: sqlite3.Connection) -> bool:
        for opening in openings:
            _close(db, opening, gone_s, columns)
        return True

    await in_sqlite_transaction(engine, write)


def _close(db: sqlite3.Connection, opening: Opening, gone_s: float, columns: _Columns) -> None:
    now = utcnow()
    db.execute(_CLOSED, (opening.socket_id,))
    db.execute(_SEEN, (columns.time(now), opening.visitor_id))
    due = columns.time(now + timedelta(seconds=gone_s))
    for (chat_id,) in db.execute(_CHATS_OPEN, (opening.visitor_id, *_OPEN)).fetchall():
        payload = columns.payload({"chat_id": chat_id})
        key = abandoned.gone_job_key(chat_id)
        db.execute(
            _SCHEDULE, (new_id(), key, abandoned.VISITOR_GONE_JOB, due, payload, columns.time(now))
        )
