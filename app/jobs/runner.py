"""Runs due durable timers; every process runs one, and each job runs once."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
from datetime import datetime

from app.common.types import utcnow
from app.common.uow import UowFactory
from app.jobs import service
from app.jobs.service import JobHandler

log = logging.getLogger(__name__)


class Alarm:
    """Due times of timers this process has just set, so its loop runs them on time instead of
    at the next poll (a proactive invitation is due within a second of its rule holding).
    Only a wake-up: the job rows decide what runs, and other processes still poll for them."""

    def __init__(self) -> None:
        self._due: list[datetime] = []
        self._changed = asyncio.Event()

    def at(self, when: datetime) -> None:
        heapq.heappush(self._due, when)
        self._changed.set()

    async def wait(self, poll_s: float) -> None:
        """Until the next poll, or the earliest due time set here, whichever comes first."""
        self._changed.clear()
        now = utcnow()
        if self._due and self._due[0] <= now:
            while self._due and self._due[0] <= now:
                heapq.heappop(self._due)
            return
        timeout = poll_s
        if self._due:
            timeout = min(poll_s, (self._due[0] - now).total_seconds())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)


async def jobs_loop(
    uow_factory: UowFactory,
    handlers: dict[str, JobHandler],
    poll_s: float,
    alarm: Alarm | None = None,
) -> None:
    alarm = alarm or Alarm()
    while True:
        try:
            await run_due(uow_factory, handlers)
        except Exception:
            log.warning("job runner failed; retrying", exc_info=True)
        await alarm.wait(poll_s)


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
