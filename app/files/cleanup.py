"""Visitor uploads never sent in a chat are deleted, row and bytes, once they are old enough.

A visitor may upload and then not send (closed the tab, changed their mind); nobody else can
ever read such a file, so keeping it only costs disk space and holds personal data.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.files.models import Attachment
from app.files.storage import Storage
from app.jobs import service as jobs
from app.jobs.service import JobHandler

log = logging.getLogger(__name__)

CLEANUP_JOB = "uploads_cleanup"
CLEANUP_KEY = "uploads:cleanup"
# Rows per run; a longer backlog is worked off by running again at once.
BATCH = 200


def every_s(ttl_s: float) -> float:
    """How often to look: an hour, or sooner when the age limit is short (tests)."""
    return min(3600.0, max(ttl_s / 4, 0.5))


async def purge(uow: UnitOfWork, storage: Storage, ttl_s: float) -> int:
    """Delete up to BATCH unattached visitor uploads older than ``ttl_s``; returns how many.

    The rows are locked before their bytes go, so a visitor attaching one of them at this very
    moment waits and then finds it gone; a failure after the bytes are gone leaves the rows for
    the next run (deleting missing bytes is harmless).
    """
    cutoff = utcnow() - timedelta(seconds=ttl_s)
    old = list(
        (
            await uow.session.execute(
                select(Attachment)
                .where(
                    Attachment.chat_id.is_(None),
                    Attachment.uploader_type == "visitor",
                    Attachment.public.is_(False),
                    Attachment.created_at < cutoff,
                )
                .order_by(Attachment.created_at)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
    )
    for attachment in old:
        shared = await uow.session.scalar(
            select(func.count()).where(
                Attachment.storage_key == attachment.storage_key, Attachment.id != attachment.id
            )
        )
        if not shared:  # never delete bytes another row still points at
            await storage.delete(attachment.storage_key)
        await uow.session.delete(attachment)
    await uow.session.flush()
    if old:
        log.info("deleted %d visitor uploads never sent in a chat", len(old))
    return len(old)


def next_run(ttl_s: float, backlog: bool) -> datetime:
    return utcnow() + timedelta(seconds=0 if backlog else every_s(ttl_s))


async def ensure_scheduled(uow: UnitOfWork, ttl_s: float) -> None:
    await jobs.ensure(uow, CLEANUP_KEY, CLEANUP_JOB, next_run(ttl_s, False), {})


def handlers(storage: Storage, ttl_s: float) -> dict[str, JobHandler]:
    async def uploads_cleanup(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        done = await purge(uow, storage, ttl_s)
        await jobs.schedule(uow, CLEANUP_KEY, CLEANUP_JOB, next_run(ttl_s, done == BATCH), {})

    return {CLEANUP_JOB: uploads_cleanup}
