"""Whether a visitor is still there: their open sockets, as rows any process can read.

Each process inserts a row when a visitor socket opens, refreshes the rows of its own sockets
on a heartbeat, and deletes a row when its socket closes (stamping the visitor's
``last_seen_at``). A visitor was last there at the newest of their ``last_seen_at`` (also set
by every widget session) and their rows' heartbeats.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.common.types import utcnow
from app.visitors.models import Visitor, VisitorSocket


async def opened(session: AsyncSession, socket_id: str, visitor_id: str) -> None:
    now = utcnow()
    session.add(VisitorSocket(id=socket_id, visitor_id=visitor_id, seen_at=now))
    await session.execute(update(Visitor).where(Visitor.id == visitor_id).values(last_seen_at=now))


async def closed(session: AsyncSession, socket_id: str, visitor_id: str) -> None:
    await session.execute(delete(VisitorSocket).where(VisitorSocket.id == socket_id))
    await session.execute(
        update(Visitor).where(Visitor.id == visitor_id).values(last_seen_at=utcnow())
    )


# Ids per UPDATE: well below every database's limit on bound parameters.
_CHUNK = 500


async def heartbeat(session: AsyncSession, socket_ids: Collection[str]) -> None:
    """This process's sockets are still open."""
    ids, now = list(socket_ids), utcnow()
    for start in range(0, len(ids), _CHUNK):
        await session.execute(
            update(VisitorSocket)
            .where(VisitorSocket.id.in_(ids[start : start + _CHUNK]))
            .values(seen_at=now)
        )


async def last_there(session: AsyncSession, visitor_id: str) -> datetime | None:
    """When the visitor was last seen: a socket's heartbeat, or their last request."""
    seen = await session.scalar(select(Visitor.last_seen_at).where(Visitor.id == visitor_id))
    beat = await session.scalar(
        select(func.max(VisitorSocket.seen_at)).where(VisitorSocket.visitor_id == visitor_id)
    )
    return max((t for t in (seen, beat) if t is not None), default=None)


async def prune(session: AsyncSession, before: datetime) -> None:
    """Forget rows no process has refreshed since ``before`` (their process died)."""
    await session.execute(delete(VisitorSocket).where(VisitorSocket.seen_at < before))
