"""The per-site retention period: closed chats older than it are deleted by a durable job.

Off by default (``Site.settings["retention_days"]`` unset). One periodic job row exists for
the whole install (``jobs.ensure`` at every start); the process that claims it purges one batch
per site and audits it, in the job's own transaction, and sets the next run: at once while a
backlog remains, else after ``every_s``. Two processes never purge the same chats: the job row
is claimed once, and the chats are locked (``SKIP LOCKED`` on PostgreSQL).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.chat.models import Chat
from app.common.enums import ChatStatus
from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.jobs import service as jobs
from app.jobs.service import JobHandler
from app.privacy import service
from app.privacy.service import Who
from app.sites.models import Site

log = logging.getLogger(__name__)

SETTING = "retention_days"
RETENTION_JOB = "privacy_retention"
RETENTION_KEY = "privacy:retention"
# Chats per site per run: a run is one transaction, kept short; a backlog runs again at once.
BATCH = 200
SYSTEM = Who(type="system", id=None, name="retention")


def retention_days(site: Site) -> int | None:
    days = site.settings.get(SETTING)
    return days if isinstance(days, int) and not isinstance(days, bool) and days > 0 else None


def set_retention(site: Site, days: int | None) -> None:
    site.settings = {k: v for k, v in site.settings.items() if k != SETTING} | (
        {SETTING: days} if days else {}
    )


async def run_soon(uow: UnitOfWork) -> None:
    """A changed period applies now, not at the next hourly run."""
    await jobs.schedule(uow, RETENTION_KEY, RETENTION_JOB, utcnow(), {})


async def ensure_scheduled(uow: UnitOfWork, every_s: float) -> None:
    await jobs.ensure(uow, RETENTION_KEY, RETENTION_JOB, utcnow() + timedelta(seconds=every_s), {})


async def purge_site(uow: UnitOfWork, site: Site, days: int) -> int:
    """Delete up to BATCH closed chats of the site older than ``days``; returns how many."""
    cutoff = utcnow() - timedelta(days=days)
    old = list(
        (
            await uow.session.scalars(
                select(Chat.id)
                .where(
                    Chat.site_id == site.id,
                    Chat.status == ChatStatus.CLOSED,
                    Chat.created_at < cutoff,
                )
                .order_by(Chat.created_at)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
    )
    if not old:
        return 0
    purged = await service.purge_chats(uow, site.id, old)
    await service.schedule_file_deletion(uow, purged.storage_keys, delay=timedelta(0))
    counts = {k: v for k, v in sorted(purged.counts.items()) if v}
    service.record(uow, SYSTEM, site.id, "retention.purged", None, {**counts, "days": days})
    log.info("retention: deleted %d chats of site %s older than %d days", len(old), site.id, days)
    return len(old)


def handlers(every_s: float) -> dict[str, JobHandler]:
    async def privacy_retention(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        backlog = False
        for site in (await uow.session.scalars(select(Site).order_by(Site.id))).all():
            days = retention_days(site)
            if days is not None:
                backlog |= await purge_site(uow, site, days) == BATCH
        delay = 0.0 if backlog else every_s
        await jobs.schedule(
            uow, RETENTION_KEY, RETENTION_JOB, utcnow() + timedelta(seconds=delay), {}
        )

    return {RETENTION_JOB: privacy_retention}
