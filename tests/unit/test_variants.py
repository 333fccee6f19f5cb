"""A/B variants of a trigger: which text a visitor sees (stable, weighted), validation, and the
per-variant counts of the KPI report in a scripted scenario."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from app.chat.models import Chat
from app.common.types import new_id, utcnow
from app.kpis import service as kpis
from app.triggers import service
from app.triggers.models import Invitation, Trigger
from app.triggers.schemas import TriggerIn, TriggerUpdate
from app.triggers.variants import pick, variants_of
from app.visitors.models import VisitorEvent, VisitorSocket
from tests.unit.test_kpis import DAY0, DAY1, DAY2, NOW, at
from tests.unit.world import POLICY, World, heard

INVITE = service.InvitePolicy(routing=POLICY, cooldown_s=1800, visit_gap_s=1800)
PRICING = "https://shop.example/pricing"
AB = [
    {"id": "short", "message": "Need help?", "weight": 1},
    {"id": "long", "message": "Questions about our prices? Ask us.", "weight": 3},
]


def body(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "Pricing",
        "conditions": {"rules": [{"field": "url", "op": "contains", "value": "/pricing"}]},
        "variants": AB,
    }
    base.update(changes)
    return base


def first_error(model: type[TriggerIn] | type[TriggerUpdate], data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    error = caught.value.errors()[0]
    return ".".join(str(p) for p in error["loc"]) + ": " + error["msg"]


def test_the_same_visitor_always_gets_the_same_variant() -> None:
    visitors = [new_id() for _ in range(50)]
    first = [pick(AB, v, "t1")["id"] for v in visitors]
    assert [pick(AB, v, "t1")["id"] for v in visitors] == first
    assert set(first) == {"short", "long"}
    # Another trigger splits the same visitors independently.
    assert [pick(AB, v, "t2")["id"] for v in visitors] != first


def test_visitors_are_spread_by_weight() -> None:
    visitors = [new_id() for _ in range(8000)]
    counts = Counter(pick(AB, v, "trigger-x")["id"] for v in visitors)
    assert abs(counts["long"] / len(visitors) - 0.75) < 0.03, counts
    three = [*AB, {"id": "c", "message": "Hi", "weight": 4}]  # 1 : 3 : 4
    counts = Counter(pick(three, v, "trigger-y")["id"] for v in visitors)
    assert abs(counts["short"] / len(visitors) - 0.125) < 0.02, counts
    assert abs(counts["c"] / len(visitors) - 0.5) < 0.03, counts


def test_a_trigger_with_only_a_message_is_one_variant() -> None:
    assert variants_of(None, "Hello") == [{"id": "a", "message": "Hello", "weight": 1}]
    plain = TriggerIn.model_validate(body(variants=None, message="Hello"))
    assert plain.message == "Hello"
    assert plain.variants is None


def test_variants_are_validated_with_the_field_named() -> None:
    assert first_error(TriggerIn, body(variants=[])).startswith("variants: ")
    six = [{"id": f"v{i}", "message": "Hi", "weight": 1} for i in range(6)]
    assert first_error(TriggerIn, body(variants=six)).startswith("variants: ")
    twice = [AB[0], {**AB[1], "id": "short"}]
    assert "'short' is used twice" in first_error(TriggerIn, body(variants=twice))
    assert first_error(TriggerIn, body(variants=[{**AB[0], "weight": 0}])).startswith(
        "variants.0.weight: "
    )
    assert first_error(TriggerIn, body(variants=[{**AB[0], "weight": -2}])).startswith(
        "variants.0.weight: "
    )
    assert first_error(TriggerIn, body(variants=[{**AB[0], "id": "a b"}])).startswith(
        "variants.0.id: "
    )
    assert first_error(TriggerIn, body(variants=[{**AB[0], "message": ""}])).startswith(
        "variants.0.message: "
    )
    assert "not both" in first_error(TriggerIn, body(message="Hi"))
    assert "message or variants is required" in first_error(TriggerIn, body(variants=None))
    assert "not both" in first_error(TriggerUpdate, {"message": "Hi", "variants": AB})
    assert first_error(TriggerUpdate, {"variants": None}).startswith("variants: ")


async def test_per_variant_counts_are_exact(world: World) -> None:
    await world.site()
    ann = await world.agent("Ann")
    async with world.uow() as uow:
        trigger = await service.create(uow, world.site_id, TriggerIn.model_validate(body()))
        trigger_id = trigger.id
    fired_at = at(DAY1, "10:00:00")
    seen: dict[str, str] = {}  # visitor -> variant id
    frames: dict[str, dict[str, Any]] = {}
    for _ in range(12):
        visitor_id = await world.visitor()
        async with world.uow() as uow:
            uow.session.add(VisitorSocket(id=new_id(), visitor_id=visitor_id, seen_at=utcnow()))
        ears = await world.listen(f"visitor:{visitor_id}")
        async with world.uow() as uow:
            await service.page_viewed(
                uow, visitor_id, world.site_id, PRICING, None, "en", fired_at, INVITE
            )
        (frame,) = heard(ears, "invitation")
        expected = pick(AB, visitor_id, trigger_id)
        assert (frame["variant_id"], frame["message"]) == (expected["id"], expected["message"])
        seen[visitor_id], frames[visitor_id] = frame["variant_id"], frame
    assert set(seen.values()) == {"short", "long"}, "pick 12 visitors that cover both"
    short = [v for v, variant in seen.items() if variant == "short"]
    long_ = [v for v, variant in seen.items() if variant == "long"]

    # The first "short" visitor dismisses; the first "long" one accepts, chats, is answered
    # and orders; the second "long" one accepts without a chat; one of each is shown.
    async with world.uow() as uow:
        assert await service.dismiss(uow, short[0], frames[short[0]]["invitation_id"], fired_at)
        await service.accept(uow, long_[1], frames[long_[1]]["invitation_id"], None, fired_at)
        for visitor_id in (short[0], long_[0]):
            row = await uow.session.get_one(Invitation, frames[visitor_id]["invitation_id"])
            row.shown_at = fired_at
        chat = Chat(
            site_id=world.site_id,
            visitor_id=long_[0],
            agent_id=ann,
            status="closed",
            created_at=at(DAY1, "10:01:00"),
            first_visitor_message_at=at(DAY1, "10:01:00"),
            first_response_at=at(DAY1, "10:01:30"),
            closed_at=at(DAY1, "10:05:00"),
        )
        uow.session.add(chat)
        await uow.session.flush()
        await service.accept(
            uow, long_[0], frames[long_[0]]["invitation_id"], chat.id, at(DAY1, "10:01:00")
        )
        uow.session.add(VisitorEvent(site_id=world.site_id, visitor_id=long_[0],
                                     name="order.completed", data={"value": 80},
                                     created_at=at(DAY1, "11:00:00")))  # fmt: skip

    async with world.factory() as session:
        report = await kpis.report(
            session, world.site_id, DAY0, DAY2, "trigger", "Europe/Copenhagen", NOW
        )
    (group,) = [g for g in report.groups if g.key == trigger_id]
    assert group.variants is not None
    got = {
        v.key: (v.label, v.weight, v.invitations.model_dump(), v.orders.model_dump())
        for v in group.variants
    }
    assert got == {
        "short": ("Need help?", 1.0,
                  {"fired": len(short), "shown": 1, "accepted": 0, "dismissed": 1, "chats": 0,
                   "by_hand": 0},
                  {"assisted": 0, "revenue": 0.0}),
        "long": ("Questions about our prices? Ask us.", 3.0,
                 {"fired": len(long_), "shown": 1, "accepted": 2, "dismissed": 0, "chats": 1,
                  "by_hand": 0},
                 {"assisted": 1, "revenue": 80.0}),
    }  # fmt: skip
    assert [v.key for v in group.variants] == ["short", "long"]
    assert group.invitations is not None
    assert group.invitations.fired == 12
    async with world.uow() as uow:
        counts = (await service.stats(uow, [trigger_id]))[trigger_id]
    assert counts.variants["short"].dismissed == 1
    assert counts.total.fired == 12
    assert report.totals.invitations is not None
    assert report.totals.invitations.shown == 2


async def test_a_visitors_variant_is_frozen_once_invited_when_the_weights_change(
    world: World,
) -> None:
    """The weights are swapped after a visitor was invited with "long": their next visit's
    invitation is "long" again, while a visitor not yet invited follows the new weights; a
    variant taken off the list re-assigns its visitors."""
    await world.site()
    await world.agent("Ann")
    async with world.uow() as uow:
        trigger_id = (await service.create(uow, world.site_id, TriggerIn.model_validate(body()))).id
    swapped = [{**AB[0], "weight": 3}, {**AB[1], "weight": 1}]

    async def moved_by_the_swap() -> str:
        """A visitor the hash puts on "long" with AB and on "short" with the swapped weights."""
        for _ in range(60):
            visitor_id = await world.visitor()
            before, after = pick(AB, visitor_id, trigger_id), pick(swapped, visitor_id, trigger_id)
            if (before["id"], after["id"]) == ("long", "short"):
                async with world.uow() as uow:
                    uow.session.add(
                        VisitorSocket(id=new_id(), visitor_id=visitor_id, seen_at=utcnow())
                    )
                return visitor_id
        raise AssertionError("no visitor between the two weightings in 60")

    async def invited(visitor_id: str, when: datetime) -> str:
        ears = await world.listen(f"visitor:{visitor_id}")
        async with world.uow() as uow:
            await service.page_viewed(
                uow, visitor_id, world.site_id, PRICING, None, "en", when, INVITE
            )
        (frame,) = heard(ears, "invitation")
        return str(frame["variant_id"])

    async def edit(variants: list[dict[str, Any]]) -> None:
        async with world.uow() as uow:
            trigger = await uow.session.get_one(Trigger, trigger_id)
            await service.update(uow, trigger, TriggerUpdate.model_validate({"variants": variants}))

    t0 = utcnow()
    vera = await moved_by_the_swap()
    assert await invited(vera, t0) == "long"
    await edit(swapped)
    next_visit = t0 + timedelta(seconds=INVITE.visit_gap_s + 60)
    assert await invited(vera, next_visit) == "long"  # frozen, whatever the weights say now
    newcomer = await moved_by_the_swap()
    assert await invited(newcomer, next_visit) == "short"  # not yet invited: the new weights
    # "long" is taken off the list: Vera's next invitation is one of those left.
    await edit([AB[0], {"id": "c", "message": "Hi", "weight": 1}])
    third_visit = next_visit + timedelta(seconds=INVITE.visit_gap_s + 60)
    assert await invited(vera, third_visit) in {"short", "c"}
