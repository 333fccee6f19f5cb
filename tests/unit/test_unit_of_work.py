"""A unit of work publishes what it emitted only after its transaction committed."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.common.events import site_topic
from app.realtime.schemas import Pong, Resync
from app.routing.schemas import QueueUpdate
from app.sites.models import Site
from tests.unit.world import World, heard


class Refused(Exception):
    pass


async def test_nothing_is_published_when_the_transaction_rolls_back(world: World) -> None:
    await world.site()
    ears = await world.listen(site_topic(world.site_id))

    async def rename_then_fail() -> None:
        async with world.uow() as uow:
            site = await uow.session.get_one(Site, world.site_id)
            site.name = "Renamed"
            uow.emit(site_topic(world.site_id), QueueUpdate(waiting={"": 1}, total=1))
            raise Refused

    with pytest.raises(Refused):
        await rename_then_fail()
    assert heard(ears) == []
    assert (await world.get(Site, world.site_id)).name == "Unit shop"


async def test_events_are_published_after_commit_in_order(world: World) -> None:
    """Each event reaches the broker only once its rows are readable by anyone else."""
    await world.site()
    topic = site_topic(world.site_id)
    names_seen: list[str | None] = []

    async def deliver(t: str, payload: bytes) -> None:
        async with world.factory() as other:  # another session: sees committed rows only
            name = await other.scalar(select(Site.name).where(Site.id == world.site_id))
        names_seen.append(name)

    await world.hub.broker.start(deliver)  # the broker's consumer: this test instead of the Hub
    await world.hub.broker.subscribe(topic)
    async with world.uow() as uow:
        site = await uow.session.get_one(Site, world.site_id)
        site.name = "Renamed"
        uow.emit(topic, Pong())
        uow.emit(topic, Resync())
        assert names_seen == []  # emitted, not yet published
    assert names_seen == ["Renamed", "Renamed"]


async def test_events_reach_subscribers_with_their_audience(world: World) -> None:
    await world.site()
    ears = await world.listen(site_topic(world.site_id))
    async with world.uow() as uow:
        uow.emit(site_topic(world.site_id), Pong())
        uow.emit(site_topic(world.site_id), Resync(), audience="staff")
    assert [f["type"] for f in heard(ears)] == ["pong", "resync"]


async def test_a_connection_checked_in_inside_a_transaction_is_rolled_back(world: World) -> None:
    """The SQLite pool resets only connections left in a transaction (app/db.py); one left so
    must still be rolled back, or the next unit of work would find the write lock taken."""
    await world.site()
    engine = world.factory.kw["bind"]
    assert isinstance(engine, AsyncEngine)
    async with engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        await driver.execute("BEGIN IMMEDIATE")
        await driver.execute("UPDATE sites SET name = 'Half done'")
    async with world.uow() as uow:  # the pool's only connection, back outside a transaction
        site = await uow.session.get_one(Site, world.site_id)
        assert site.name == "Unit shop"
        site.name = "Renamed"
    assert (await world.get(Site, world.site_id)).name == "Renamed"
