"""Sent and failed mails are deleted once they are old enough.

A transcript in the outbox is a copy of a customer's chat; once delivered (or given up on and
seen by an admin) keeping it only holds personal data longer than anyone needs it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.jobs import service as jobs
from app.jobs.service import JobHandler
from app.mail.models import Mail, OutboxStatus

log = logging.getLogger(__name__)

PRUNE_JOB = "mail_prune"
PRUNE_KEY = "mail:prune"
# Rows per run; a longer backlog is worked off by running again at once.
BATCH = 500


def every_s(keep_s: float) -> float:
    """How often to look: an hour, or sooner when the keeping time is short (tests)."""
    return min(3600.0, max(keep_s / 4, 0.5))


async def purge(uow: UnitOfWork, keep_s: float) -> int:
    """Delete up to BATCH finished mails older than ``keep_s``; returns how many."""
    cutoff = utcnow() - timedelta(seconds=keep_s)
    ids = list(
        (
            await uow.session.execute(
                select(Mail.id)
                .where(
                    Mail.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED)),
                    Mail.created_at < cutoff,
                )
                .limit(BATCH)
            )
        ).scalars()
    )
    if ids:
        await uow.session.execute(delete(Mail).where(Mail.id.in_(ids)))
        log.info("deleted %d sent or failed mails older than %.0f s", len(ids), keep_s)
    return len(ids)


def next_run(keep_s: float, backlog: bool) -> datetime:
    return utcnow() + timedelta(seconds=0 if backlog else every_s(keep_s))


async def ensure_scheduled(uow: UnitOfWork, keep_s: float) -> None:
    await jobs.ensure(uow, PRUNE_KEY, PRUNE_JOB, next_run(keep_s, False), {})


def handlers(keep_s: float) -> dict[str, JobHandler]:
    async def mail_prune(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        done = await purge(uow, keep_s)
        await jobs.schedule(uow, PRUNE_KEY, PRUNE_JOB, next_run(keep_s, done == BATCH), {})

    return {PRUNE_JOB: mail_prune}
