"""Durable timers: rows with a due time that any process may claim and run exactly once.

A job is deleted in the same transaction that does its work, so a crash mid-way leaves it due
for the next attempt, and two processes never both commit it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.common.types import new_id, utcnow
from app.common.uow import UnitOfWork
from app.jobs.models import Job

log = logging.getLogger(__name__)

JobHandler = Callable[[UnitOfWork, dict[str, Any]], Awaitable[None]]
# A job that keeps failing is retried this many times, then dropped with an error in the log.
MAX_ATTEMPTS = 5


async def schedule(
    uow: UnitOfWork, key: str, kind: str, run_at: datetime, payload: dict[str, Any]
) -> None:
    """Set the timer ``key``, replacing an earlier one of the same key (one upsert, so two
    transactions setting the same timer never collide)."""
    dialect = uow.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = {
        "id": new_id(),
        "key": key,
        "kind": kind,
        "run_at": run_at,
        "payload": payload,
        "attempts": 0,
        "created_at": utcnow(),
    }
    statement = insert(Job).values(**values)
    await uow.session.execute(
        statement.on_conflict_do_update(
            index_elements=[Job.key],
            set_={"kind": kind, "run_at": run_at, "payload": payload, "attempts": 0},
        )
    )


async def ensure(
    uow: UnitOfWork, key: str, kind: str, run_at: datetime, payload: dict[str, Any]
) -> None:
    """Set the timer ``key`` unless it is already set (a periodic job that reschedules itself:
    every process may ensure it at start, and only one row ever exists)."""
    dialect = uow.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Job).values(
        id=new_id(),
        key=key,
        kind=kind,
        run_at=run_at,
        payload=payload,
        attempts=0,
        created_at=utcnow(),
    )
    await uow.session.execute(statement.on_conflict_do_nothing(index_elements=[Job.key]))


async def cancel(uow: UnitOfWork, key: str) -> None:
    await uow.session.execute(delete(Job).where(Job.key == key))


async def due_keys(uow: UnitOfWork, limit: int = 50) -> list[str]:
    rows = await uow.session.execute(
        select(Job.key).where(Job.run_at <= utcnow()).order_by(Job.run_at).limit(limit)
    )
    return list(rows.scalars())


async def run_one(uow: UnitOfWork, key: str, handlers: dict[str, JobHandler]) -> bool:
    """Claim and run one due job inside ``uow``; False when another process took it first."""
    job = (
        await uow.session.execute(
            select(Job)
            .where(Job.key == key, Job.run_at <= utcnow())
            .with_for_update(skip_locked=True)
        )
    ).scalar_one_or_none()
    if job is None:
        return False
    await uow.session.delete(job)
    await uow.session.flush()
    handler = handlers.get(job.kind)
    if handler is None:
        log.error("no handler for job kind %s; dropped", job.kind)
        return True
    await handler(uow, job.payload)
    return True


async def record_failure(uow: UnitOfWork, key: str) -> None:
    """Push a failing job back a little, or drop it after MAX_ATTEMPTS."""
    job = (await uow.session.execute(select(Job).where(Job.key == key))).scalar_one_or_none()
    if job is None:
        return
    job.attempts += 1
    if job.attempts >= MAX_ATTEMPTS:
        log.error("job %s (%s) failed %d times; dropped", job.key, job.kind, job.attempts)
        await uow.session.delete(job)
    else:
        job.run_at = utcnow() + timedelta(seconds=2**job.attempts)
