"""Abandoned chats end: a visitor gone (no socket, no activity) for ``PARLEY_VISITOR_GONE_S``
has their open chat closed as ``visitor_left``, freeing the agent's slot or the queue place.

When a visitor's socket closes, a durable timer ``visitor_gone:<chat_id>`` is set; a socket of
that visitor opening again cancels it. When it fires, it asks the database (not this process)
when the visitor was last there: another tab or process may still hold a socket, whose
heartbeat keeps the visitor present, and then the timer is simply set again. A periodic sweep
covers sockets whose process died before it could set the timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select

from app.chat import messages, service
from app.chat.messages import SYSTEM
from app.chat.models import OPEN_STATUSES, Chat
from app.common.types import new_id, utcnow
from app.common.uow import UnitOfWork
from app.jobs import service as jobs
from app.jobs.service import JobHandler
from app.routing import service as routing
from app.routing.policy import RoutingPolicy
from app.state import AppState
from app.visitors import presence
from app.visitors.models import Visitor, VisitorSocket

log = logging.getLogger(__name__)

VISITOR_GONE_JOB = "visitor_gone"
SWEEP_JOB = "visitor_gone_sweep"
SWEEP_KEY = "visitor_gone:sweep"
REASON = "visitor_left"
# The sweep only catches sockets of a process that died; once a minute is soon enough.
SWEEP_EVERY_S = 60.0


def gone_job_key(chat_id: str) -> str:
    return f"visitor_gone:{chat_id}"


def heartbeat_s(state: AppState) -> float:
    """Refresh well within the gone time, so an open socket never looks gone."""
    s = state.settings
    return max(0.1, min(s.presence_heartbeat_s, s.visitor_gone_s / 4))


@contextlib.asynccontextmanager
async def visitor_present(state: AppState, visitor_id: str) -> AsyncIterator[None]:
    """Around a visitor socket's life: recorded while open; on close the timer is set."""
    socket_id = new_id()
    try:
        async with state.uow() as uow:
            await socket_opened(uow, socket_id, visitor_id)
        state.visitor_socket_ids.add(socket_id)
    except Exception:  # bookkeeping never costs the visitor their socket; the sweep catches up
        log.warning("could not record visitor socket %s", visitor_id, exc_info=True)
    try:
        yield
    finally:
        state.visitor_socket_ids.discard(socket_id)
        try:
            async with state.uow() as uow:
                await socket_closed(uow, socket_id, visitor_id, state.settings.visitor_gone_s)
        except Exception:
            log.warning("could not record visitor %s leaving", visitor_id, exc_info=True)


async def socket_opened(uow: UnitOfWork, socket_id: str, visitor_id: str) -> None:
    await presence.opened(uow.session, socket_id, visitor_id)
    for chat_id in await _open_chats(uow, visitor_id):
        await jobs.cancel(uow, gone_job_key(chat_id))


async def socket_closed(uow: UnitOfWork, socket_id: str, visitor_id: str, gone_s: float) -> None:
    await presence.closed(uow.session, socket_id, visitor_id)
    due = utcnow() + timedelta(seconds=gone_s)
    for chat_id in await _open_chats(uow, visitor_id):
        await jobs.schedule(uow, gone_job_key(chat_id), VISITOR_GONE_JOB, due, {"chat_id": chat_id})


async def close_if_gone(
    uow: UnitOfWork, chat_id: str, gone_s: float, policy: RoutingPolicy
) -> bool:
    """Close the chat if its visitor has not been there for ``gone_s``; else look again when
    they would have been gone that long. Returns whether it closed."""
    site_id = await uow.session.scalar(select(Chat.site_id).where(Chat.id == chat_id))
    if site_id is None:
        return False
    await routing.lock_site(uow, site_id)
    chat = await routing.lock_chat(uow, chat_id)
    if chat is None or chat.status not in OPEN_STATUSES:
        return False
    last = await presence.last_there(uow.session, chat.visitor_id)
    if last is not None and utcnow() - last < timedelta(seconds=gone_s):
        await jobs.schedule(
            uow,
            gone_job_key(chat.id),
            VISITOR_GONE_JOB,
            last + timedelta(seconds=gone_s),
            {"chat_id": chat.id},
        )
        return False
    visitor = await uow.session.get_one(Visitor, chat.visitor_id)
    if chat.status == "active":  # the agent reads why the chat ended
        await messages.append(uow, chat.id, SYSTEM, f"{visitor.name or 'The visitor'} left.")
    await service.end_chat(uow, chat, "system", policy, reason=REASON)
    return True


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


def handlers(policy: RoutingPolicy, gone_s: float) -> dict[str, JobHandler]:
    async def visitor_gone(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        chat_id = payload.get("chat_id")
        if isinstance(chat_id, str):
            await close_if_gone(uow, chat_id, gone_s, policy)

    async def visitor_gone_sweep(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        await sweep(uow, gone_s)
        await jobs.schedule(uow, SWEEP_KEY, SWEEP_JOB, _next_sweep(gone_s), {})

    return {VISITOR_GONE_JOB: visitor_gone, SWEEP_JOB: visitor_gone_sweep}


def _next_sweep(gone_s: float) -> datetime:
    return utcnow() + timedelta(seconds=min(SWEEP_EVERY_S, gone_s))


async def heartbeat_loop(state: AppState) -> None:
    """Refresh this process's visitor sockets; make sure the sweep is scheduled."""
    interval = heartbeat_s(state)
    gone_s = state.settings.visitor_gone_s
    while True:
        try:
            async with state.uow() as uow:
                await presence.heartbeat(uow.session, set(state.visitor_socket_ids))
                await jobs.ensure(uow, SWEEP_KEY, SWEEP_JOB, _next_sweep(gone_s), {})
        except Exception:
            log.warning("visitor heartbeat failed; retrying", exc_info=True)
        await asyncio.sleep(interval)


async def _open_chats(uow: UnitOfWork, visitor_id: str) -> list[str]:
    rows = await uow.session.execute(
        select(Chat.id).where(Chat.visitor_id == visitor_id, Chat.status.in_(OPEN_STATUSES))
    )
    return list(rows.scalars())
