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
    Only a wake-up: the job rows decide what runs, and other processes still poll for them.

    Times are kept by the timer's key: setting a key again replaces its time, and clearing it
    forgets it, so a timer moved by every page view wakes the loop once, not once per move.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, str]] = []
        self._by_key: dict[str, datetime] = {}
        self._changed = asyncio.Event()

    def set(self, key: str, when: datetime | None) -> None:
        """Wake at ``when`` for the timer ``key``; None: the timer was cancelled."""
        if when is None:
            self._by_key.pop(key, None)
            return
        self._by_key[key] = when
        heapq.heappush(self._heap, (when, key))
        self._changed.set()

    def _head(self) -> datetime | None:
        """The earliest time still wanted (entries replaced or cleared since are dropped)."""
        while self._heap and self._by_key.get(self._heap[0][1]) != self._heap[0][0]:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    async def wait(self, poll_s: float) -> None:
        """Until the next poll, or the earliest due time set here, whichever comes first."""
        self._changed.clear()
        now = utcnow()
        head = self._head()
        if head is not None and head <= now:
            while (head := self._head()) is not None and head <= now:
                _, key = heapq.heappop(self._heap)
                del self._by_key[key]
            return
        timeout = poll_s if head is None else min(poll_s, (head - now).total_seconds())
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
