"""Durable timers: set by key, claimed and run once, retried with back-off, then dropped."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.jobs import service as jobs
from app.jobs.models import Job
from tests.unit.world import World


async def _jobs(world: World) -> list[Job]:
    async with world.factory() as session:
        return list((await session.execute(select(Job).order_by(Job.key))).scalars())


async def test_scheduling_a_key_again_replaces_the_timer(world: World) -> None:
    soon, later = utcnow() + timedelta(seconds=5), utcnow() + timedelta(minutes=5)
    async with world.uow() as uow:
        await jobs.schedule(uow, "offer:c1", "offer_timeout", soon, {"n": 1})
        await jobs.schedule(uow, "offer:c2", "offer_timeout", soon, {"n": 2})
    async with world.uow() as uow:
        await jobs.schedule(uow, "offer:c1", "other_kind", later, {"n": 3})
    rows = await _jobs(world)
    assert [(j.key, j.kind, j.payload) for j in rows] == [
        ("offer:c1", "other_kind", {"n": 3}),
        ("offer:c2", "offer_timeout", {"n": 2}),
    ]
    assert rows[0].run_at == later


async def test_ensure_keeps_a_timer_that_is_already_set(world: World) -> None:
    first = utcnow() + timedelta(seconds=5)
    async with world.uow() as uow:
        await jobs.ensure(uow, "sweep", "sweep", first, {})
        await jobs.ensure(uow, "sweep", "sweep", first + timedelta(hours=1), {"x": 1})
    (job,) = await _jobs(world)
    assert (job.run_at, job.payload) == (first, {})


async def test_a_due_job_runs_once_and_a_job_not_yet_due_waits(world: World) -> None:
    ran: list[dict[str, Any]] = []

    async def handler(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        ran.append(payload)

    handlers: dict[str, jobs.JobHandler] = {"ping": handler}
    async with world.uow() as uow:
        await jobs.schedule(uow, "due", "ping", utcnow() - timedelta(seconds=1), {"n": 1})
        await jobs.schedule(uow, "later", "ping", utcnow() + timedelta(hours=1), {"n": 2})
    async with world.uow() as uow:
        assert await jobs.due_keys(uow) == ["due"]
    for expected in (True, False):  # a second claim finds nothing: the row went with the work
        async with world.uow() as uow:
            assert await jobs.run_one(uow, "due", handlers) is expected
    async with world.uow() as uow:
        assert await jobs.run_one(uow, "later", handlers) is False
    assert ran == [{"n": 1}]
    assert [j.key for j in await _jobs(world)] == ["later"]


async def test_a_job_whose_handler_fails_stays_due(world: World) -> None:
    async def broken(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        raise RuntimeError("handler failed")

    async with world.uow() as uow:
        await jobs.schedule(uow, "k", "broken", utcnow() - timedelta(seconds=1), {})

    async def claim() -> None:
        async with world.uow() as uow:
            await jobs.run_one(uow, "k", {"broken": broken})

    with pytest.raises(RuntimeError, match="handler failed"):
        await claim()
    assert [j.key for j in await _jobs(world)] == ["k"]  # the claim rolled back with the work


async def test_a_job_of_unknown_kind_is_dropped(world: World) -> None:
    async with world.uow() as uow:
        await jobs.schedule(uow, "k", "gone_kind", utcnow() - timedelta(seconds=1), {})
    async with world.uow() as uow:
        assert await jobs.run_one(uow, "k", {}) is True
    assert await _jobs(world) == []


async def test_failures_back_off_and_the_job_is_dropped_after_max_attempts(
    world: World,
) -> None:
    async with world.uow() as uow:
        await jobs.schedule(uow, "k", "broken", utcnow() - timedelta(seconds=1), {})
    for attempt in range(1, jobs.MAX_ATTEMPTS):
        before = utcnow()
        async with world.uow() as uow:
            await jobs.record_failure(uow, "k")
        (job,) = await _jobs(world)
        assert job.attempts == attempt
        delay = (job.run_at - before).total_seconds()
        assert 2**attempt <= delay < 2**attempt + 5
    async with world.uow() as uow:
        await jobs.record_failure(uow, "k")
    assert await _jobs(world) == []
    async with world.uow() as uow:  # a job already gone: nothing to do
        await jobs.record_failure(uow, "k")
