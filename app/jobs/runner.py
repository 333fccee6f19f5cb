"""Runs due durable timers; every process runs one, and each job runs once."""

from __future__ import annotations

import asyncio
import logging

from app.jobs import service
from app.jobs.service import JobHandler
from app.state import AppState

log = logging.getLogger(__name__)


async def jobs_loop(state: AppState, handlers: dict[str, JobHandler]) -> None:
    while True:
        try:
            await run_due(state, handlers)
        except Exception:
            log.warning("job runner failed; retrying", exc_info=True)
        await asyncio.sleep(state.settings.job_poll_s)


async def run_due(state: AppState, handlers: dict[str, JobHandler]) -> int:
    async with state.uow() as uow:
        keys = await service.due_keys(uow)
    done = 0
    for key in keys:
        try:
            async with state.uow() as uow:
                done += await service.run_one(uow, key, handlers)
        except Exception:
            log.exception("job %s failed", key)
            async with state.uow() as uow:
                await service.record_failure(uow, key)
    return done
