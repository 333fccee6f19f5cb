"""The invitation lifecycle at the service level, on a clock the test sets: when a trigger fires,
exactly once, and everything that stops it (left, excluded URL, cool-down after a dismissal,
already chatting, nobody to answer)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from app.agents.models import Agent
from app.common.events import visitor_topic
from app.common.types import new_id, utcnow
from app.jobs.models import Job
from app.realtime.hub import Connection
from app.triggers import service
from app.triggers.models import Invitation, TriggerVisit
from app.triggers.schemas import TriggerIn
from app.visitors.models import VisitorSocket
from tests.unit.world import POLICY, World, heard

INVITE = service.InvitePolicy(routing=POLICY, cooldown_s=1800, visit_gap_s=1800)
PRICING = "https://shop.example/pricing"


async def add_trigger(world: World, seconds: float = 20, **changes: Any) -> str:
    body: dict[str, Any] = {
        "name": "Pricing help",
        "conditions": {
            "match": "all",
            "rules": [
                {"field": "url", "op": "contains", "value": "/pricing"},
                {"field": "time_on_page_s", "op": "gte", "value": seconds},
            ],
        },
        "exclude_urls": ["*/checkout*"],
        "message": "Questions about our prices?",
    }
    body.update(changes)
    async with world.uow() as uow:
        return (await service.create(uow, world.site_id, TriggerIn.model_validate(body))).id


async def on_site(world: World) -> tuple[str, Connection]:
    """A visitor with an open socket, and ears on their topic."""
    visitor_id = await world.visitor()
    async with world.uow() as uow:
        uow.session.add(VisitorSocket(id=new_id(), visitor_id=visitor_id, seen_at=utcnow()))
    return visitor_id, await world.listen(visitor_topic(visitor_id))


async def view(world: World, visitor_id: str, at: datetime, url: str = PRICING) -> datetime | None:
    async with world.uow() as uow:
        return await service.page_viewed(
            uow, visitor_id, world.site_id, url, None, "en", at, INVITE
        )


async def tick(world: World, visitor_id: str, at: datetime) -> datetime | None:
    """The visitor's timer runs at ``at``."""
    async with world.uow() as uow:
        return await service.check(uow, visitor_id, at, INVITE)


async def invitations(world: World, visitor_id: str) -> int:
    async with world.factory() as session:
        count = await session.scalar(
            select(func.count()).where(Invitation.visitor_id == visitor_id)
        )
        return int(count or 0)


def at(t0: datetime, seconds: float) -> datetime:
    return t0 + timedelta(seconds=seconds)


async def test_twenty_seconds_on_pricing_fires_once_at_twenty_seconds(world: World) -> None:
    await world.site()
    alice = await world.agent("Alice")
    trigger_id = await add_trigger(world)
    vera, ears = await on_site(world)
    t0 = utcnow()
    assert await view(world, vera, t0) == at(t0, 20)
    assert await tick(world, vera, at(t0, 19.5)) == at(t0, 20)
    assert heard(ears, "invitation") == []
    assert await tick(world, vera, at(t0, 20)) is None
    (frame,) = heard(ears, "invitation")
    assert frame["trigger_id"] == trigger_id
    assert frame["message"] == "Questions about our prices?"
    assert frame["open_panel"] is False
    assert frame["agent"] == {"id": alice, "name": "Alice", "avatar_url": None}
    # Later page views of the same visit invite no more.
    assert await view(world, vera, at(t0, 30)) is None
    assert await tick(world, vera, at(t0, 60)) is None
    assert heard(ears, "invitation") == []
    assert await invitations(world, vera) == 1


async def test_a_new_page_view_starts_the_time_on_page_again(world: World) -> None:
    await world.site()
    await world.agent("Alice")
    await add_trigger(world)
    vera, ears = await on_site(world)
    t0 = utcnow()
    await view(world, vera, t0)
    assert await view(world, vera, at(t0, 15), PRICING + "/team") == at(t0, 35)
    assert await view(world, vera, at(t0, 16), "https://shop.example/faq") is None
    assert await tick(world, vera, at(t0, 40)) is None
    assert heard(ears, "invitation") == []


async def test_not_for_a_visitor_who_left(world: World) -> None:
    await world.site()
    await world.agent("Alice")
    await add_trigger(world)
    vera, ears = await on_site(world)
    t0 = utcnow()
    await view(world, vera, t0)
    async with world.uow() as uow:  # the last tab closed after 5 s
        await uow.session.execute(delete(VisitorSocket).where(VisitorSocket.visitor_id == vera))
    assert await tick(world, vera, at(t0, 20)) is None
    assert heard(ears, "invitation") == []
    assert await invitations(world, vera) == 0


async def test_never_on_an_excluded_url(world: World) -> None:
    await world.site()
    await world.agent("Alice")
    await add_trigger(
        world,
        conditions={"match": "all", "rules": [{"field": "url", "op": "glob", "value": "*"}]},
    )
    vera, ears = await on_site(world)
    t0 = utcnow()
    assert await view(world, vera, t0, "https://shop.example/checkout/pay") is None
    assert heard(ears, "invitation") == []
    assert await view(world, vera, at(t0, 1), "https://shop.example/shoes") is None
    assert len(heard(ears, "invitation")) == 1


async def test_cool_down_after_a_dismissal_reaches_into_the_next_visit(world: World) -> None:
    await world.site()
    await world.agent("Alice")
    await add_trigger(world)
    vera, ears = await on_site(world)
    t0 = utcnow()
    await view(world, vera, t0)
    await tick(world, vera, at(t0, 20))
    (first,) = heard(ears, "invitation")
    async with world.uow() as uow:
        assert await service.dismiss(uow, vera, first["invitation_id"], at(t0, 25))
    assert heard(ears, "invitation.dismissed") == [
        {"type": "invitation.dismissed", "invitation_id": first["invitation_id"]}
    ]
    # A new visit (more than 30 minutes without a page view) 24 s before the cool-down ends:
    # the rule holds after 20 s, but nothing comes before the 30 minutes are over.
    t1 = at(t0, 1801)
    assert await view(world, vera, t1) == at(t0, 25 + 1800)
    assert await tick(world, vera, at(t1, 20)) == at(t0, 25 + 1800)
    assert heard(ears, "invitation") == []
    assert await tick(world, vera, at(t0, 25 + 1800)) is None
    assert len(heard(ears, "invitation")) == 1


async def test_a_dismissal_only_of_ones_own_invitation(world: World) -> None:
    await world.site()
    await world.agent("Alice")
    await add_trigger(world, seconds=0)
    vera, ears = await on_site(world)
    other, _ = await on_site(world)
    await view(world, vera, utcnow())
    (frame,) = heard(ears, "invitation")
    async with world.uow() as uow:
        assert not await service.dismiss(uow, other, frame["invitation_id"], utcnow())
        assert not await service.accept(uow, other, frame["invitation_id"], None, utcnow())


async def test_not_to_a_visitor_in_a_chat(world: World) -> None:
    await world.site()
    alice = await world.agent("Alice")
    await add_trigger(world)
    vera, ears = await on_site(world)
    await world.chat(status="active", agent_id=alice, visitor_id=vera)
    t0 = utcnow()
    assert await view(world, vera, t0) is None
    assert await tick(world, vera, at(t0, 20)) is None
    assert heard(ears, "invitation") == []


async def test_only_while_someone_could_answer_unless_the_trigger_says_so(world: World) -> None:
    await world.site()
    await world.agent("Away", status="away")
    await world.agent("Full", max_chats=1, active_chats=1)
    await world.agent("Sales", skills=("sales",))
    await add_trigger(world, seconds=0, skill="billing")
    vera, ears = await on_site(world)
    assert await view(world, vera, utcnow()) is None
    assert heard(ears, "invitation") == []
    # The shop's own invitation, with nobody to answer.
    trigger_id = await add_trigger(world, seconds=0, skill="billing", when_unavailable=True)
    await view(world, vera, utcnow())
    (frame,) = heard(ears, "invitation")
    assert frame["trigger_id"] == trigger_id
    assert "agent" not in frame
    # With someone who has the skill, the agent's invitation.
    sara, sara_ears = await on_site(world)
    billing = await world.agent("Bill", skills=("billing",))
    await view(world, sara, utcnow())
    (frame,) = heard(sara_ears, "invitation")
    assert frame["agent"]["id"] == billing


async def test_events_and_cart_value_feed_the_rules(world: World) -> None:
    await world.site()
    await world.agent("Alice")
    big_cart = await add_trigger(
        world,
        conditions={
            "match": "any",
            "rules": [
                {"field": "cart_value", "op": "gte", "value": 200},
                {"field": "event", "op": "equals", "value": "checkout.failed"},
            ],
        },
    )
    vera, ears = await on_site(world)
    t0 = utcnow()
    await view(world, vera, t0, "https://shop.example/cart")
    async with world.uow() as uow:
        await service.event_seen(
            uow, vera, world.site_id, "cart.updated", {"value": 150}, at(t0, 1), INVITE
        )
    assert heard(ears, "invitation") == []
    async with world.uow() as uow:
        await service.event_seen(
            uow, vera, world.site_id, "cart.updated", {"value": 250.5}, at(t0, 2), INVITE
        )
    (frame,) = heard(ears, "invitation")
    assert frame["trigger_id"] == big_cart
    paul, paul_ears = await on_site(world)
    await view(world, paul, t0, "https://shop.example/cart")
    async with world.uow() as uow:
        await service.event_seen(uow, paul, world.site_id, "checkout.failed", {}, t0, INVITE)
    assert len(heard(paul_ears, "invitation")) == 1


async def test_accepting_records_the_chat_and_the_counts(world: World) -> None:
    await world.site()
    await world.agent("Alice")
    trigger_id = await add_trigger(world, seconds=0)
    vera, ears = await on_site(world)
    await view(world, vera, utcnow())
    (frame,) = heard(ears, "invitation")
    chat_id = await world.chat(visitor_id=vera)
    async with world.uow() as uow:
        assert await service.accept(uow, vera, frame["invitation_id"], chat_id, utcnow())
    invitation = await world.get(Invitation, frame["invitation_id"])
    assert invitation.chat_id == chat_id
    assert invitation.accepted_at is not None
    async with world.uow() as uow:
        counts = await service.stats(uow, [trigger_id])
    assert counts[trigger_id].total.model_dump() == {
        "fired": 1,
        "shown": 0,
        "accepted": 1,
        "dismissed": 0,
    }
    assert set(counts[trigger_id].variants) == {"a"}


async def waiting_ids(world: World) -> set[str]:
    async with world.factory() as session:
        rows = await session.execute(
            select(TriggerVisit.visitor_id).where(TriggerVisit.awaiting_agent_at.is_not(None))
        )
        return set(rows.scalars())


async def test_visitors_waiting_for_an_agent_are_woken_when_one_is_available(
    world: World,
) -> None:
    await world.site()
    alice = await world.agent("Alice", status="away")
    await add_trigger(world, seconds=0)
    vera, vera_ears = await on_site(world)
    gone, _ = await on_site(world)
    elsewhere, _ = await on_site(world)
    t0 = utcnow()
    assert await view(world, vera, t0) is None
    assert await view(world, gone, t0) is None
    await view(world, elsewhere, t0, "https://shop.example/shoes")
    assert heard(vera_ears, "invitation") == []
    assert await waiting_ids(world) == {vera, gone}  # the rules held, nobody could answer
    async with world.uow() as uow:  # one of them leaves
        await uow.session.execute(delete(VisitorSocket).where(VisitorSocket.visitor_id == gone))
        agent = await uow.session.get_one(Agent, alice)
        agent.status = "online"
    async with world.uow() as uow:
        await service.wake_waiting(uow, world.site_id)
    async with world.factory() as session:
        due = await session.execute(select(Job.key, Job.run_at).where(Job.kind == "trigger_check"))
        woken: dict[str, datetime] = {row.key: row.run_at for row in due}
    assert set(woken) == {service.job_key(vera), service.job_key(gone)}
    assert all(run_at <= utcnow() for run_at in woken.values())
    # Their timers run: Vera is invited, the one who left stops waiting.
    assert await tick(world, vera, utcnow()) is None
    assert await tick(world, gone, utcnow()) is None
    (frame,) = heard(vera_ears, "invitation")
    assert frame["agent"]["id"] == alice
    assert await waiting_ids(world) == set()
    assert await invitations(world, gone) == 0
