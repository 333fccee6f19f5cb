"""What a page view costs the database with triggers: the site's triggers are read once per
change (and again after any change, as a second process would see it), a page on which no
trigger can hold reads and writes the visit row only, and the visitor's timer row is written
only when its moment moves."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.common.types import utcnow
from app.jobs.models import Job
from app.triggers import service
from app.triggers.models import Trigger
from app.triggers.schemas import TriggerIn, TriggerUpdate
from tests.unit.test_invitations import INVITE, PRICING, on_site
from tests.unit.world import POLICY, World, heard

PRODUCT = "https://shop.example/product/{}"


def bench_trigger(i: int) -> dict[str, Any]:
    """As bench/browsing.py: nine whose URL never matches, the tenth "on /pricing for 5 s"."""
    url = "/pricing" if i == 9 else f"/never-{i}"
    return {
        "name": f"Trigger {i}",
        "conditions": {
            "match": "all",
            "rules": [
                {"field": "url", "op": "contains", "value": url},
                {"field": "time_on_page_s", "op": "gte", "value": 5},
            ],
        },
        "exclude_urls": ["*/checkout*"],
        "message": "Questions about our prices?",
    }


async def ten_triggers(world: World) -> list[str]:
    ids = []
    async with world.uow() as uow:
        for i in range(10):
            body = TriggerIn.model_validate(bench_trigger(i))
            ids.append((await service.create(uow, world.site_id, body)).id)
    return ids


@contextmanager
def statements(world: World) -> Iterator[list[str]]:
    """The SQL statements run meanwhile (BEGIN and COMMIT aside)."""
    engine: AsyncEngine = world.factory.kw["bind"]
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if not sql.lstrip().upper().startswith(("BEGIN", "COMMIT")):
            seen.append(" ".join(sql.split())[:60])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def view(
    world: World, visitor_id: str, at: datetime, url: str, policy: service.InvitePolicy = INVITE
) -> datetime | None:
    async with world.uow() as uow:
        return await service.page_viewed(
            uow, visitor_id, world.site_id, url, None, "en", at, policy
        )


async def timer(world: World, visitor_id: str) -> datetime | None:
    async with world.factory() as session:
        found: datetime | None = await session.scalar(
            select(Job.run_at).where(Job.key == service.job_key(visitor_id))
        )
        return found


async def test_a_page_no_trigger_can_hold_on_touches_only_the_visit(world: World) -> None:
    await world.site()
    await world.agent("Alice")
    await ten_triggers(world)
    vera, ears = await on_site(world)
    t0 = utcnow()
    await view(world, vera, t0, PRODUCT.format(1))
    with statements(world) as seen:
        assert await view(world, vera, t0 + timedelta(seconds=1), PRODUCT.format(2)) is None
    # The visit row (locked, with the site's trigger version) and its update: nothing else.
    assert len(seen) == 2, seen
    assert seen[0].startswith("SELECT trigger_visits.")
    assert seen[1].startswith("UPDATE trigger_visits")
    assert await timer(world, vera) is None

    # On /pricing the visitor's standing is read once and the timer set for 5 s later...
    t1 = t0 + timedelta(seconds=2)
    with statements(world) as seen:
        assert await view(world, vera, t1, PRICING) == t1 + timedelta(seconds=5)
    assert len(seen) == 4, seen
    assert await timer(world, vera) == t1 + timedelta(seconds=5)
    # ...an event that changes nothing the rules look at leaves the timer row alone...
    with statements(world) as seen:
        async with world.uow() as uow:
            due = await service.event_seen(
                uow, vera, world.site_id, "scrolled", {}, t1 + timedelta(seconds=1), INVITE
            )
    assert due == t1 + timedelta(seconds=5)
    assert not [s for s in seen if "jobs" in s], seen
    # ...and a page where it cannot hold clears it, once.
    assert await view(world, vera, t1 + timedelta(seconds=3), PRODUCT.format(3)) is None
    assert await timer(world, vera) is None
    with statements(world) as seen:
        await view(world, vera, t1 + timedelta(seconds=4), PRODUCT.format(4))
    assert len(seen) == 2, seen
    assert heard(ears, "invitation") == []


async def test_triggers_are_read_once_and_again_after_any_change_on_any_process(
    world: World,
) -> None:
    """Two policies with their own caches stand for two processes on one database."""
    await world.site()
    await world.agent("Alice")
    ids = await ten_triggers(world)
    here = service.InvitePolicy(routing=POLICY, cooldown_s=1800, visit_gap_s=1800)
    there = service.InvitePolicy(routing=POLICY, cooldown_s=1800, visit_gap_s=1800)
    vera, ears = await on_site(world)
    t0 = utcnow()
    for i in range(5):
        await view(world, vera, t0 + timedelta(seconds=i), PRODUCT.format(i), here)
        await view(world, vera, t0 + timedelta(seconds=i), PRODUCT.format(i), there)
    assert (here.triggers.loads, there.triggers.loads) == (1, 1)

    # The pricing trigger is disabled (on whichever process): neither judges with it anymore.
    async with world.uow() as uow:
        pricing = await uow.session.get_one(Trigger, ids[9])
        await service.update(uow, pricing, TriggerUpdate.model_validate({"enabled": False}))
    t1 = t0 + timedelta(seconds=10)
    assert await view(world, vera, t1, PRICING, here) is None
    assert await view(world, vera, t1, PRICING, there) is None
    assert (here.triggers.loads, there.triggers.loads) == (2, 2)
    # A new trigger "on /pricing at once" counts from the next page view on.
    async with world.uow() as uow:
        body = {**bench_trigger(9), "name": "At once"}
        body["conditions"] = {"rules": [{"field": "url", "op": "contains", "value": "/pricing"}]}
        await service.create(uow, world.site_id, TriggerIn.model_validate(body))
    assert await view(world, vera, t1 + timedelta(seconds=1), PRICING, there) is None
    (frame,) = heard(ears, "invitation")
    assert frame["message"] == "Questions about our prices?"
    # Deleting one is a change too.
    async with world.uow() as uow:
        await service.delete(uow, await uow.session.get_one(Trigger, ids[0]))
    await view(world, vera, t1 + timedelta(seconds=2), PRODUCT.format(9), here)
    assert here.triggers.loads == 3


async def test_a_site_without_triggers_reads_none(world: World) -> None:
    await world.site()
    policy = service.InvitePolicy(routing=POLICY, cooldown_s=1800, visit_gap_s=1800)
    vera, _ = await on_site(world)
    t0 = utcnow()
    await view(world, vera, t0, PRICING, policy)
    with statements(world) as seen:
        await view(world, vera, t0 + timedelta(seconds=1), PRICING, policy)
    assert len(seen) == 2, seen
    assert policy.triggers.loads == 0
