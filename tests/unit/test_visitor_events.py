"""What a trigger engine reads of a visitor's events: the newest of a name, per visitor."""

from __future__ import annotations

from app.visitors import service
from tests.unit.world import World


async def _track(world: World, visitor_id: str, name: str, **data: object) -> None:
    async with world.uow() as uow:
        await service.record_event(uow, visitor_id, world.site_id, name, dict(data), None)


async def test_last_event_is_the_newest_of_its_name_for_that_visitor(world: World) -> None:
    await world.site()
    vera, ola = await world.visitor("Vera"), await world.visitor("Ola")
    await _track(world, vera, "cart.updated", value=100)
    await _track(world, vera, "cart.updated", value=250.5)
    await _track(world, vera, "trial_started")
    await _track(world, ola, "cart.updated", value=9)
    async with world.factory() as session:
        last = await service.last_event(session, vera, "cart.updated")
        assert last is not None
        assert last.data == {"value": 250.5}
        theirs = await service.last_event(session, ola, "cart.updated")
        assert theirs is not None
        assert theirs.data == {"value": 9}
        assert await service.last_event(session, ola, "trial_started") is None
        names = [e.name for e in await service.recent_events(session, vera)]
        assert names == ["trial_started", "cart.updated", "cart.updated"]
