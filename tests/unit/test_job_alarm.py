"""A timer set on this process runs on time, not at the next poll: the job loop's alarm."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.jobs import service as jobs
from app.jobs.runner import Alarm, jobs_loop
from tests.unit.world import World


async def test_a_timer_set_here_runs_at_its_time_though_the_poll_is_slow(world: World) -> None:
    ran = asyncio.Event()
    ran_at: list[Any] = []

    async def handler(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        ran_at.append(utcnow())
        ran.set()

    alarm = Alarm()
    loop = asyncio.create_task(jobs_loop(world.uow, {"tick": handler}, 30.0, alarm))
    try:
        await asyncio.sleep(0.1)  # the loop polled once and now sleeps for 30 s
        due = utcnow() + timedelta(seconds=0.3)
        async with world.uow() as uow:
            await jobs.schedule(uow, "tick:1", "tick", due, {})
        alarm.set("tick:1", utcnow() + timedelta(seconds=20))
        alarm.set("tick:1", due)  # moved: the new time counts
        await asyncio.wait_for(ran.wait(), 5)
        assert due <= ran_at[0] < due + timedelta(seconds=0.5)
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop


async def test_a_past_time_wakes_at_once_a_cleared_one_not_at_all() -> None:
    alarm = Alarm()
    alarm.set("a", utcnow() - timedelta(seconds=1))
    await asyncio.wait_for(alarm.wait(30.0), 1)
    alarm.set("b", utcnow() + timedelta(seconds=0.05))
    alarm.set("b", None)  # cancelled: the poll decides
    start = asyncio.get_running_loop().time()
    await alarm.wait(0.3)
    assert asyncio.get_running_loop().time() - start >= 0.29
