"""Runs due durable timers; every process runs one, and each job runs once."""

from __future__ import annotations

import asyncio
import logging

from app.common.uow import UowFactory
from app.jobs import service
from app.jobs.service import JobHandler

log = logging.getLogger(__name__)


async def jobs_loop(
    uow_factory: UowFactory, handlers: dict[str, JobHandler], poll_s: float
) -> None:
    while True:
        try:
            await run_due(uow_factory, handlers)
        except Exception:
            log.warning("job runner failed; retrying", exc_info=True)
        await asyncio.sleep(poll_s)


async def run_due(uow_factory: UowFactory, handlers: dict[str, JobHandler]) -> int:
    async with uow_factory() as uow:
        keys = await service.due_keys(uow)
    done = 0
    for key in keys:
        try:
            async with uow_factory() as uow:
                done += await service.run_one(uow, key, handlers)
        except Exception:
            log.exception("job %s failed", key)
            async with uow_factory() as uow:
                await service.record_failure(uow, key)
    return done
