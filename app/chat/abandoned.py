"""Abandoned chats end: a visitor gone (no socket, no activity) for ``PARLEY_VISITOR_GONE_S``
has their open chat closed as ``visitor_left``, freeing the agent's slot or the queue place.

When a visitor's socket closes, a durable timer ``visitor_gone:<chat_id>`` is set; a socket of
that visitor opening again cancels it. When it fires, it asks the database (not this process)
when the visitor was last there: another tab or process may still hold a socket, whose
heartbeat keeps the visitor present, and then the timer is simply set again. A periodic sweep
covers sockets whose process died before it could set the timer. Closing the chat frees an
agent's slot, so the timer's handler is routing's (``close_if_gone`` in routing/lifecycle.py).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select

from app.chat.models import OPEN_STATUSES, Chat
from app.chat.schemas import CloseReason
from app.common.types import new_id, utcnow
from app.common.uow import UnitOfWork, UowFactory
from app.jobs import service as jobs
from app.jobs.service import JobHandler
from app.visitors import presence
from app.visitors.models import Visitor, VisitorSocket

log = logging.getLogger(__name__)

VISITOR_GONE_JOB = "visitor_gone"
SWEEP_JOB = "visitor_gone_sweep"
SWEEP_KEY = "visitor_gone:sweep"
REASON: CloseReason = "visitor_left"
# The sweep only catches sockets of a process that died; once a minute is soon enough.
SWEEP_EVERY_S = 60.0


def gone_job_key(chat_id: str) -> str:
    return f"visitor_gone:{chat_id}"


def heartbeat_s(presence_heartbeat_s: float, gone_s: float) -> float:
    """Refresh well within the gone time, so an open socket never looks gone."""
    return max(0.1, min(presence_heartbeat_s, gone_s / 4))


async def socket_opened(uow: UnitOfWork, visitor_id: str) -> str:
    """Record a visitor socket as open, in the unit of work that let it in (one transaction a
    connect: docs/performance.md); returns the socket's id (app/chat/visitor_sockets.py)."""
    socket_id = new_id()
    await presence.opened(uow.session, socket_id, visitor_id)
    for chat_id in await _open_chats(uow, visitor_id):
        await jobs.cancel(uow, gone_job_key(chat_id))
    return socket_id


async def socket_closed(uow: UnitOfWork, socket_id: str, visitor_id: str, gone_s: float) -> None:
    await presence.closed(uow.session, socket_id, visitor_id)
    due = utcnow() + timedelta(seconds=gone_s)
    for chat_id in await _open_chats(uow, visitor_id):
        await jobs.schedule(uow, gone_job_key(chat_id), VISITOR_GONE_JOB, due, {"chat_id": chat_id})


async def sweep(uow: UnitOfWork, gone_s: float) -> int:
    """Set the timer, due now, of every open chat whose visitor has no fresh socket and has not
    been seen for ``gone_s`` (their socket's process died, or the timer was lost)."""
    cutoff = utcnow() - timedelta(seconds=gone_s)
    await presence.prune(uow.session, cutoff)
    stale = (
        await uow.session.execute(
            select(Chat.id)
            .join(Visitor, Visitor.id == Chat.visitor_id)
            .where(
                Chat.status.in_(OPEN_STATUSES),
                Visitor.last_seen_at < cutoff,
                ~exists().where(VisitorSocket.visitor_id == Chat.visitor_id),
            )
            .limit(500)
        )
    ).scalars()
    found = 0
    for chat_id in stale:
        await jobs.schedule(
            uow, gone_job_key(chat_id), VISITOR_GONE_JOB, utcnow(), {"chat_id": chat_id}
        )
        found += 1
    return found


def handlers(gone_s: float) -> dict[str, JobHandler]:
    """The sweep's timer; the ``visitor_gone`` timer ends chats, so routing runs it
    (app/routing/timers.py)."""

    async def visitor_gone_sweep(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        await sweep(uow, gone_s)
        await jobs.schedule(uow, SWEEP_KEY, SWEEP_JOB, _next_sweep(gone_s), {})

    return {SWEEP_JOB: visitor_gone_sweep}


def _next_sweep(gone_s: float) -> datetime:
    return utcnow() + timedelta(seconds=min(SWEEP_EVERY_S, gone_s))


async def heartbeat_loop(
    uow_factory: UowFactory, socket_ids: set[str], interval_s: float, gone_s: float
) -> None:
    """Refresh this process's visitor sockets; make sure the sweep is scheduled."""
    while True:
        try:
            async with uow_factory() as uow:
                await presence.heartbeat(uow.session, set(socket_ids))
                await jobs.ensure(uow, SWEEP_KEY, SWEEP_JOB, _next_sweep(gone_s), {})
        except Exception:
            log.warning("visitor heartbeat failed; retrying", exc_info=True)
        await asyncio.sleep(interval_s)


async def _open_chats(uow: UnitOfWork, visitor_id: str) -> list[str]:
    rows = await uow.session.execute(
        select(Chat.id).where(Chat.visitor_id == visitor_id, Chat.status.in_(OPEN_STATUSES))
    )
    return list(rows.scalars())
