"""Idempotency keys: the first request with a key reserves it; its answer is stored with it, so
a retry with the same key (from any process) gets that answer instead of doing the work again.

Kept per caller and key for 24 hours. Only successful (2xx) answers are kept: a request that
failed leaves nothing behind, so a retry after fixing the cause runs again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.common.errors import Conflict, IdempotencyKeyReused
from app.common.types import utcnow
from app.idempotency.models import IdempotencyKey

KEEP = timedelta(hours=24)
# A reservation without an answer this old belongs to a request that died (its process was
# killed); a retry takes it over. No request of the API takes anywhere near this long.
ABANDONED = timedelta(seconds=60)
# status_code of a reservation whose request is still running.
RUNNING = 0


@dataclass(frozen=True, slots=True)
class Stored:
    """The answer a key's first request got."""

    status_code: int
    body: str


async def reserve(
    sessions: async_sessionmaker[AsyncSession], principal: str, key: str, fingerprint: str
) -> Stored | None:
    """None: the key is now ours, run the request. Stored: answer this instead.

    Raises ``IdempotencyKeyReused`` when the key came with another request, ``Conflict``
    while the key's first request is still running. The unique (principal, key) row decides
    between two processes that reserve at the same moment.
    """
    for _ in range(3):
        try:
            async with sessions() as session, session.begin():
                now = utcnow()
                row = await session.scalar(
                    select(IdempotencyKey).where(
                        IdempotencyKey.principal == principal, IdempotencyKey.key == key
                    )
                )
                if row is not None and (
                    row.created_at < now - KEEP
                    or (row.status_code == RUNNING and row.created_at < now - ABANDONED)
                ):
                    await session.delete(row)
                    await session.flush()
                    row = None
                if row is None:
                    session.add(
                        IdempotencyKey(
                            principal=principal,
                            key=key,
                            fingerprint=fingerprint,
                            status_code=RUNNING,
                            body="",
                            created_at=now,
                        )
                    )
                    await session.flush()
                    return None
                if row.fingerprint != fingerprint:
                    raise IdempotencyKeyReused(
                        "this Idempotency-Key was used with another request (method, path or "
                        "body) in the last 24 hours; use a new key for a new request"
                    )
                if row.status_code == RUNNING:
                    raise Conflict(
                        "a request with this Idempotency-Key is still running; retry shortly"
                    )
                return Stored(row.status_code, row.body)
        except IntegrityError:
            continue  # another process reserved it meanwhile: read its row
    raise Conflict("a request with this Idempotency-Key is still running; retry shortly")


async def finish(
    sessions: async_sessionmaker[AsyncSession],
    principal: str,
    key: str,
    status_code: int,
    body: str,
) -> None:
    """Keep a successful answer; forget the key after anything else."""
    async with sessions() as session, session.begin():
        match = (
            IdempotencyKey.principal == principal,
            IdempotencyKey.key == key,
            IdempotencyKey.status_code == RUNNING,
        )
        if 200 <= status_code < 300:
            await session.execute(
                update(IdempotencyKey).where(*match).values(status_code=status_code, body=body)
            )
        else:
            await session.execute(delete(IdempotencyKey).where(*match))


async def prune(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Drop keys older than 24 hours."""
    async with sessions() as session, session.begin():
        await session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - KEEP)
        )
