"""KPIs of a scripted day with known times give exactly the values docs/kpis.md defines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.agents.models import Agent, AgentPresence
from app.chat.models import Chat
from app.common.types import utcnow
from app.kpis import questions, service, staffing
from app.kpis.schemas import GroupBy, KpiReport
from app.routing import staff
from app.triggers.models import Invitation, Trigger
from app.visitors.models import PageView, VisitorEvent
from tests.unit.world import POLICY, World

CPH = ZoneInfo("Europe/Copenhagen")
DAY0 = datetime(2026, 11, 19, tzinfo=CPH)
DAY1 = datetime(2026, 11, 20, tzinfo=CPH)
DAY2 = datetime(2026, 11, 21, tzinfo=CPH)
NOW = DAY2 + timedelta(minutes=30)


def at(day: datetime, clock: str) -> datetime:
    """``day`` plus a clock time; ``-H:MM:SS`` is that long before the day began."""
    sign = -1 if clock.startswith("-") else 1
    h, m, s = (int(p) for p in clock.lstrip("-").split(":"))
    return day + sign * timedelta(hours=h, minutes=m, seconds=s)


async def scripted(world: World, rows: list[dict[str, object]]) -> None:
    async with world.uow() as uow:
        for row in rows:
            visitor_id = await world.visitor()
            uow.session.add(Chat(site_id=world.site_id, visitor_id=visitor_id, **row))


async def report(world: World, group_by: GroupBy | None = None) -> KpiReport:
    async with world.factory() as session:
        return await service.report(
            session,
            world.site_id,
            DAY0,
            DAY2,
            group_by,
            "Europe/Copenhagen",
            NOW,
        )


@pytest.fixture
async def day(world: World) -> dict[str, str]:
    await world.site()
    ann = await world.agent("Ann")
    bob = await world.agent("Bob")
    closed = {"status": "closed"}
    await scripted(
        world,
        [
            # F, the day before: answered in 10 s.
            {**closed, "agent_id": bob, "created_at": at(DAY0, "12:00:00"),
             "first_visitor_message_at": at(DAY0, "12:00:00"),
             "first_assigned_at": at(DAY0, "12:00:05"), "first_response_at": at(DAY0, "12:00:10"),
             "closed_at": at(DAY0, "12:02:00")},
            # A: waited 20 s, answered 30 s after the visitor wrote, 10 minutes long.
            {**closed, "agent_id": ann, "skill": "billing", "created_at": at(DAY1, "09:00:00"),
             "first_visitor_message_at": at(DAY1, "09:00:05"),
             "first_assigned_at": at(DAY1, "09:00:20"), "first_response_at": at(DAY1, "09:00:35"),
             "closed_at": at(DAY1, "09:10:00")},
            # B: Bob first (60 s wait), answered after 150 s, then transferred to Ann.
            {**closed, "agent_id": ann, "created_at": at(DAY1, "09:30:00"),
             "first_visitor_message_at": at(DAY1, "09:30:00"),
             "first_assigned_at": at(DAY1, "09:31:00"), "first_response_at": at(DAY1, "09:32:30"),
             "assigned_at": at(DAY1, "09:40:00"), "closed_at": at(DAY1, "09:50:00")},
            # C: missed — the visitor wrote, nobody took it, they left.
            {**closed, "created_at": at(DAY1, "14:00:00"),
             "first_visitor_message_at": at(DAY1, "14:00:10"), "closed_at": at(DAY1, "14:05:00")},
            # E: opened and closed without a word: neither missed nor judged.
            {**closed, "created_at": at(DAY1, "16:00:00"), "closed_at": at(DAY1, "16:01:00")},
            # D: across midnight, counted on the day it started.
            {**closed, "agent_id": ann, "created_at": at(DAY1, "23:59:30"),
             "first_visitor_message_at": at(DAY1, "23:59:40"),
             "first_assigned_at": at(DAY1, "23:59:50"), "first_response_at": at(DAY2, "00:00:20"),
             "closed_at": at(DAY2, "00:20:00")},
            # G: open, the visitor wrote 5 s ago: too early to judge.
            {"status": "queued", "created_at": at(DAY1, "23:59:55"),
             "first_visitor_message_at": NOW - timedelta(seconds=5)},
            # After the window: not counted.
            {**closed, "created_at": at(DAY2, "00:10:00"), "closed_at": at(DAY2, "00:11:00")},
        ],
    )  # fmt: skip
    return {"ann": ann, "bob": bob}


async def test_offline_chats_count_as_chats_and_offline_never_missed(
    world: World, day: dict[str, str]
) -> None:
    """The contract: ``chats`` counts every chat, offline ones included; they are not missed."""
    await scripted(
        world,
        [
            # Still waiting for an answer by e-mail.
            {"status": "offline", "created_at": at(DAY1, "20:00:00"),
             "offline_at": at(DAY1, "20:00:00"),
             "first_visitor_message_at": at(DAY1, "20:00:00")},
            # Answered by e-mail the next day: no live response time.
            {"status": "closed", "created_at": at(DAY1, "19:00:00"),
             "offline_at": at(DAY1, "19:00:00"), "first_visitor_message_at": at(DAY1, "19:00:00"),
             "first_response_at": at(DAY2, "08:00:00"), "closed_at": at(DAY2, "08:01:00")},
            # Closed by an agent without a reply: would be missed were it a live chat.
            {"status": "closed", "created_at": at(DAY1, "21:00:00"),
             "offline_at": at(DAY1, "21:00:00"),
             "first_visitor_message_at": at(DAY1, "21:00:00"), "closed_at": at(DAY1, "22:00:00")},
            # Outside the window: not counted.
            {"status": "offline", "created_at": at(DAY2, "00:05:00"),
             "offline_at": at(DAY2, "00:05:00")},
        ],
    )  # fmt: skip
    totals = (await report(world)).totals
    assert (totals.chats, totals.missed, totals.offline) == (10, 1, 3)
    # Live chats' response figures are as without the offline ones (see the scripted day).
    assert totals.first_response_s.model_dump() == {"avg": 57.5, "p50": 30.0, "p90": 150.0}
    assert totals.answered_within_60s_pct == 60.0
    by_day = {g.key: g for g in (await report(world, "day")).groups}
    assert [(g.chats, g.offline) for g in by_day.values()] == [(1, 0), (9, 3)]


async def test_totals_of_a_scripted_day(world: World, day: dict[str, str]) -> None:
    totals = (await report(world)).totals
    assert totals.chats == 7
    assert totals.missed == 1
    assert totals.offline == 0
    assert totals.first_response_s.model_dump() == {"avg": 57.5, "p50": 30.0, "p90": 150.0}
    assert totals.wait_s.model_dump() == {"avg": 26.25, "p90": 60.0}
    assert totals.duration_s.avg == 585.0  # (120 + 600 + 1200 + 300 + 60 + 1230) / 6
    assert totals.answered_within_60s_pct == 60.0  # F, A, D of F, A, B, C, D
    assert totals.csat.model_dump() == {
        "avg": None,
        "count": 0,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
    }
    assert totals.invitations is not None
    assert totals.invitations.fired == 0
    assert totals.orders is not None
    assert totals.orders.model_dump() == {
        "assisted": 0,
        "revenue": 0.0,
    }


async def test_days_are_the_site_zone_days_and_add_up(world: World, day: dict[str, str]) -> None:
    result = await report(world, "day")
    assert [(g.key, g.label, g.chats) for g in result.groups] == [
        ("2026-11-19T00:00:00+01:00", "2026-11-19", 1),
        ("2026-11-20T00:00:00+01:00", "2026-11-20", 6),
    ]
    assert sum(g.missed for g in result.groups) == result.totals.missed


async def test_agents_are_grouped_by_who_had_the_chat_last(
    world: World, day: dict[str, str]
) -> None:
    groups = {g.key: g for g in (await report(world, "agent")).groups}
    assert {k: (g.label, g.chats) for k, g in groups.items()} == {
        day["ann"]: ("Ann", 3),
        day["bob"]: ("Bob", 1),
        None: ("No agent", 3),
    }
    assert groups[day["ann"]].first_response_s.model_dump() == {
        "avg": 73.333,
        "p50": 40.0,
        "p90": 150.0,
    }
    assert groups[None].missed == 1


async def test_hours_follow_daylight_saving(world: World) -> None:
    await world.site()
    change = datetime(2026, 3, 29, tzinfo=CPH)  # 02:00 CET becomes 03:00 CEST
    await scripted(
        world,
        [
            {
                "status": "closed",
                "created_at": datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
            },
            {
                "status": "closed",
                "created_at": datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
            },
        ],
    )
    async with world.factory() as session:
        result = await service.report(
            session, world.site_id, change, change + timedelta(days=1), "hour",
            "Europe/Copenhagen", NOW,
        )  # fmt: skip
    assert [g.key for g in result.groups] == [
        "2026-03-29T01:00:00+01:00",
        "2026-03-29T03:00:00+02:00",
    ]


def test_percentiles_are_nearest_rank() -> None:
    assert service.percentile([], 90) is None
    assert service.percentile([5.0], 90) == 5.0
    assert service.percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 90) == 9.0
    assert service.percentile([3.0, 1.0, 2.0], 50) == 2.0


def test_top_questions_group_the_same_question_in_other_words() -> None:
    asked = [
        "Where is my parcel?",
        "where is my parcel??",
        "Where is my parcel, it is late",
        "Hvor er min pakke?",
        "Hvor er min pakke henne?",
        "Can I return these shoes?",
        "Can I return shoes",
        "Do you have gift cards?",
    ]
    groups = questions.group(
        [questions.FirstMessage(f"chat{i}", text) for i, text in enumerate(asked)], limit=10
    )
    assert [(g.count, {e.chat_id for e in g.examples}) for g in groups[:3]] == [
        (3, {"chat0", "chat1", "chat2"}),
        (2, {"chat3", "chat4"}),
        (2, {"chat5", "chat6"}),
    ]
    assert groups[0].label in asked[:3]
    assert groups[-1].label == "Do you have gift cards?"
    assert sum(g.count for g in groups) == len(asked)
    assert questions.group([], limit=10) == []


async def test_invitations_count_by_firing_time_and_trigger(world: World) -> None:
    await world.site()
    ann = await world.agent("Ann")
    async with world.uow() as uow:
        pricing = Trigger(site_id=world.site_id, name="Pricing", conditions={}, message="Hi")
        faq = Trigger(site_id=world.site_id, name="FAQ", conditions={}, message="Hello")
        uow.session.add_all([pricing, faq])
        await uow.session.flush()
        trigger_ids = {"pricing": pricing.id, "faq": faq.id}
    chat_visitor = await world.visitor()
    async with world.uow() as uow:
        chat = Chat(site_id=world.site_id, visitor_id=chat_visitor, agent_id=ann, status="closed",
                    created_at=at(DAY1, "10:00:30"), closed_at=at(DAY1, "10:05:00"))  # fmt: skip
        plain = Chat(site_id=world.site_id, visitor_id=await world.visitor(), status="closed",
                     created_at=at(DAY1, "11:00:00"), closed_at=at(DAY1, "11:01:00"))  # fmt: skip
        uow.session.add_all([chat, plain])
        await uow.session.flush()
        chat_id = chat.id

    async def invite(
        trigger: str, fired: datetime, visitor_id: str | None = None, **what: object
    ) -> None:
        async with world.uow() as uow:
            uow.session.add(
                Invitation(
                    site_id=world.site_id,
                    trigger_id=trigger_ids[trigger],
                    visitor_id=visitor_id or await world.visitor(),
                    visit_no=1,
                    message="Hi",
                    url="https://shop.example/pricing",
                    fired_at=fired,
                    **what,
                )
            )

    await invite("pricing", at(DAY1, "10:00:00"), chat_visitor,
                 accepted_at=at(DAY1, "10:00:20"), chat_id=chat_id)  # fmt: skip
    await invite("pricing", at(DAY1, "12:00:00"), dismissed_at=at(DAY1, "12:00:09"))
    await invite("pricing", at(DAY1, "13:00:00"))  # shown, ignored
    await invite("faq", at(DAY1, "14:00:00"), accepted_at=at(DAY1, "14:00:05"))  # no chat
    # Fired before the window, taken up inside it: counted where it was fired.
    await invite("pricing", DAY0 - timedelta(hours=1), accepted_at=at(DAY0, "00:30:00"))

    totals = (await report(world)).totals
    assert totals.invitations is not None
    assert totals.invitations.model_dump() == {
        "fired": 4,
        "shown": 0,
        "accepted": 2,
        "dismissed": 1,
        "chats": 1,
        "by_hand": 0,
    }

    def counts(fired: int, accepted: int, dismissed: int, chats: int) -> dict[str, int]:
        return {"fired": fired, "shown": 0, "accepted": accepted, "dismissed": dismissed,
                "chats": chats, "by_hand": 0}  # fmt: skip

    by_trigger = {g.key: g for g in (await report(world, "trigger")).groups}
    assert {k: (g.label, g.chats, g.invitations and g.invitations.model_dump())
            for k, g in by_trigger.items()} == {
        trigger_ids["pricing"]: ("Pricing", 1, counts(3, 1, 1, 1)),
        trigger_ids["faq"]: ("FAQ", 0, counts(1, 1, 0, 0)),
        None: ("No trigger", 1, counts(0, 0, 0, 0)),
    }  # fmt: skip
    assert all(g.orders is None for g in by_trigger.values())
    days = (await report(world, "day")).groups
    assert [(g.label, g.invitations and g.invitations.fired) for g in days] == [("2026-11-20", 4)]
    agents = (await report(world, "agent")).groups
    assert agents
    assert all(g.invitations is None and g.orders is None for g in agents)


async def test_assisted_orders_follow_an_agent_answer_within_the_window(world: World) -> None:
    await world.site()
    ann = await world.agent("Ann")

    async def visitor_with_chat(answered: datetime | None, created: datetime) -> str:
        visitor_id = await world.visitor()
        async with world.uow() as uow:
            uow.session.add(
                Chat(
                    site_id=world.site_id,
                    visitor_id=visitor_id,
                    agent_id=ann if answered else None,
                    status="closed",
                    created_at=created,
                    first_visitor_message_at=created,
                    first_response_at=answered,
                    closed_at=created + timedelta(minutes=30),
                )
            )
        return visitor_id

    async def order(visitor_id: str, when: datetime, **data: object) -> None:
        async with world.uow() as uow:
            uow.session.add(
                VisitorEvent(
                    site_id=world.site_id,
                    visitor_id=visitor_id,
                    name="order.completed",
                    data=data,
                    created_at=when,
                )
            )

    helped = await visitor_with_chat(at(DAY1, "10:00:10"), at(DAY1, "10:00:00"))
    await order(helped, at(DAY1, "12:00:00"), order_id="A1", value=100)
    await order(helped, at(DAY1, "12:05:00"), order_id="A1", value=100)  # thank-you page again
    await order(helped, at(DAY1, "13:00:00"), order_id="A2", value="50.5")  # value not a number
    await order(helped, at(DAY1, "13:30:00"), order_id=7, value=20.25)
    # Answered 8 days before: outside the 7-day assist window.
    long_ago = await visitor_with_chat(DAY1 - timedelta(days=8), DAY1 - timedelta(days=8))
    await order(long_ago, at(DAY1, "11:00:00"), order_id="B1", value=500)
    # A chat nobody answered does not assist.
    unanswered = await visitor_with_chat(None, at(DAY1, "09:00:00"))
    await order(unanswered, at(DAY1, "10:00:00"), order_id="C1", value=70)
    # An order before the answer is not assisted by it; nor is one without any chat.
    late = await visitor_with_chat(at(DAY1, "09:30:00"), at(DAY1, "09:29:00"))
    await order(late, at(DAY1, "09:00:00"), order_id="D1", value=30)
    await order(await world.visitor(), at(DAY1, "15:00:00"), order_id="E1", value=40)
    # Another cart.updated is no order.
    async with world.uow() as uow:
        uow.session.add(VisitorEvent(site_id=world.site_id, visitor_id=helped,
                                     name="cart.updated", data={"value": 999},
                                     created_at=at(DAY1, "11:59:00")))  # fmt: skip

    totals = (await report(world)).totals
    assert totals.orders is not None
    assert totals.orders.model_dump() == {"assisted": 3, "revenue": 120.25}
    hours = {g.label: g.orders for g in (await report(world, "hour")).groups if g.orders}
    assert {k: v.model_dump() for k, v in hours.items() if v.assisted} == {
        "2026-11-20 12:00": {"assisted": 1, "revenue": 100.0},
        "2026-11-20 13:00": {"assisted": 2, "revenue": 20.25},
    }
    async with world.factory() as session:
        wider = await service.report(
            session, world.site_id, DAY0, DAY2, None, "Europe/Copenhagen", NOW,
            assist_window_s=9 * 24 * 3600,
        )  # fmt: skip
    assert wider.totals.orders is not None
    assert wider.totals.orders.model_dump() == {"assisted": 4, "revenue": 620.25}


async def presence(world: World, agent_id: str, status: str, began: datetime,
                   ended: datetime | None) -> None:  # fmt: skip
    async with world.uow() as uow:
        uow.session.add(AgentPresence(site_id=world.site_id, agent_id=agent_id, status=status,
                                      started_at=began, ended_at=ended))  # fmt: skip


@pytest.fixture
async def staffed(world: World, day: dict[str, str]) -> dict[str, str]:
    """The scripted day, with status periods and two more chats: H overlaps Ann's A and B, and
    P (Bob's) started before the window and ran across its first midnight."""
    ann, bob = day["ann"], day["bob"]
    await presence(world, bob, "online", at(DAY0, "-1:00:00"), at(DAY0, "00:30:00"))  # 1800 in
    await presence(world, bob, "offline", at(DAY0, "00:30:00"), at(DAY0, "11:30:00"))
    await presence(world, bob, "online", at(DAY0, "11:30:00"), at(DAY0, "12:30:00"))  # 3600
    await presence(world, bob, "offline", at(DAY0, "12:30:00"), None)
    await presence(world, ann, "online", at(DAY1, "08:00:00"), at(DAY1, "12:00:00"))  # 14400
    await presence(world, ann, "away", at(DAY1, "12:00:00"), at(DAY1, "13:00:00"))
    await presence(world, ann, "busy", at(DAY1, "13:00:00"), at(DAY1, "17:00:00"))  # 14400
    await presence(world, ann, "offline", at(DAY1, "17:00:00"), at(DAY1, "23:00:00"))
    await presence(world, ann, "online", at(DAY1, "23:00:00"), None)  # open: 3600 up to DAY2
    closed = {"status": "closed"}
    await scripted(
        world,
        [
            # H: Ann, 09:05-09:35, overlapping A (until 09:10) and B (from 09:31); no words.
            {**closed, "agent_id": ann, "created_at": at(DAY1, "09:05:00"),
             "first_assigned_at": at(DAY1, "09:05:00"), "closed_at": at(DAY1, "09:35:00")},
            # P: Bob, from 23:59 the night before the window until 00:10: 600 s inside it.
            {**closed, "agent_id": bob, "created_at": at(DAY0, "-0:01:00"),
             "first_assigned_at": at(DAY0, "-0:00:50"), "closed_at": at(DAY0, "00:10:00")},
        ],
    )  # fmt: skip
    return day


async def test_agent_time_of_a_scripted_day(world: World, staffed: dict[str, str]) -> None:
    totals = (await report(world)).totals
    # Online: Ann 14400 + 14400 (busy) + 3600 (open, up to the window's end) = 32400;
    # Bob 1800 + 3600 = 5400. With a chat: Ann 09:00:20-09:50:00 (A, H, B overlap) = 2980
    # plus D's 10 s before midnight; Bob F 115 + P 600.
    assert totals.utilisation is not None
    assert totals.utilisation.model_dump() == {
        "online_s": 37800.0,
        "chat_s": 3705.0,
        "pct": 9.8,
        "agent_s_per_chat": 7560.0,  # F, A, B, D, H taken in the window
        "agent_s_per_order": None,
    }
    assert totals.concurrent is not None
    # A+H, then H+B at once; (580 + 1800 + 1140 + 10 + 115 + 600) / 172800
    assert totals.concurrent.model_dump() == {"peak": 2, "avg": 0.025}
    groups = {g.key: g for g in (await report(world, "agent")).groups}
    ann, bob = groups[staffed["ann"]], groups[staffed["bob"]]
    assert ann.utilisation is not None
    assert bob.utilisation is not None
    assert ann.utilisation.model_dump() == {
        "online_s": 32400.0,
        "chat_s": 2990.0,
        "pct": 9.2,
        "agent_s_per_chat": 8100.0,  # A, B, D, H
        "agent_s_per_order": None,
    }
    assert bob.utilisation.model_dump() == {
        "online_s": 5400.0,
        "chat_s": 715.0,
        "pct": 13.2,
        "agent_s_per_chat": 5400.0,  # F (P started before the window)
        "agent_s_per_order": None,
    }
    assert ann.concurrent is not None
    assert ann.concurrent.model_dump() == {"peak": 2, "avg": 0.02}
    assert bob.concurrent is not None
    assert bob.concurrent.model_dump() == {"peak": 1, "avg": 0.004}
    assert groups[None].utilisation is None
    assert groups[None].concurrent is None
    days = (await report(world, "day")).groups
    assert all(g.utilisation is None and g.concurrent is None for g in days)


async def test_staffing_heatmap_of_a_scripted_day(world: World, staffed: dict[str, str]) -> None:
    cells = {(c.weekday, c.hour): c for c in (await report(world)).staffing}
    assert len(cells) == 168
    friday, thursday = 5, 4  # 2026-11-20 and 2026-11-19 in Copenhagen

    def cell(weekday: int, hour: int) -> tuple[int, float | None, float | None]:
        c = cells[(weekday, hour)]
        return c.chats, c.waiting_avg, c.agents_online_avg

    # A waited 20 s, B 60 s, H not at all: 80 / 3600; Ann online all hour.
    assert cell(friday, 9) == (3, 0.022, 1.0)
    assert cell(friday, 12) == (0, 0.0, 0.0)  # Ann away
    assert cell(friday, 14) == (1, 0.083, 1.0)  # C waited 300 s until it closed; Ann busy
    # D waited 20 s, G (still queued) 5 s until the window's end.
    assert cell(friday, 23) == (2, 0.007, 1.0)
    assert cell(thursday, 0) == (0, 0.0, 0.5)  # Bob until 00:30 (P started the day before)
    assert cell(thursday, 11) == (0, 0.0, 0.5)
    assert cell(thursday, 12) == (1, 0.001, 0.5)  # F waited 5 s; Bob until 12:30
    assert cell(1, 10) == (0, None, None)  # no Monday in the window


async def test_staffing_without_status_periods_is_null(world: World, day: dict[str, str]) -> None:
    result = await report(world)
    assert result.totals.utilisation is not None
    assert result.totals.utilisation.online_s is None
    assert result.totals.utilisation.pct is None
    assert result.totals.utilisation.chat_s == 1845.0  # F 115, A 580, B 1140, D 10 (midnight)
    assert {c.agents_online_avg for c in result.staffing} == {None}


async def test_status_changes_and_expiry_write_periods(world: World) -> None:
    await world.site()
    ann = await world.agent("Ann", status="offline")
    other_site = World(world.factory, world.hub)
    await other_site.site()
    await other_site.agent("Ola", status="offline")
    async with world.uow() as uow:
        agent = await uow.session.get_one(Agent, ann)
        await staff.set_status(uow, agent, "online", POLICY)
        await staff.set_status(uow, agent, "online", POLICY)  # no change: no new period
        await staff.set_status(uow, agent, "busy", POLICY)
    gone = utcnow() - timedelta(minutes=5)
    async with world.uow() as uow:
        agent = await uow.session.get_one(Agent, ann)
        agent.last_seen_at = gone
    async with world.uow() as uow:
        assert ann in await staff.expire_presence(uow, POLICY)
    async with world.factory() as session:
        rows = (
            await session.execute(
                select(AgentPresence).where(AgentPresence.site_id == world.site_id)
                .order_by(AgentPresence.id)
            )
        ).scalars().all()  # fmt: skip
    assert [r.status for r in rows] == ["online", "busy", "offline"]
    assert rows[0].ended_at == rows[1].started_at
    # The socket went at the last heartbeat, and the busy period ends there, not at expiry.
    assert rows[1].ended_at == rows[2].started_at
    assert rows[2].started_at == max(gone, rows[1].started_at)
    assert rows[2].ended_at is None


async def test_conversion_with_and_without_a_chat(world: World) -> None:
    await world.site()
    ann = await world.agent("Ann")

    async def visitor(viewed: datetime | None, answered: datetime | None = None,
                      ordered: datetime | None = None) -> None:  # fmt: skip
        visitor_id = await world.visitor()
        async with world.uow() as uow:
            if viewed is not None:
                uow.session.add(
                    PageView(
                        site_id=world.site_id,
                        visitor_id=visitor_id,
                        url="https://shop.example/",
                        created_at=viewed,
                    )
                )
                uow.session.add(
                    PageView(
                        site_id=world.site_id,
                        visitor_id=visitor_id,
                        url="https://shop.example/2",
                        created_at=viewed,
                    )
                )
            if answered is not None:
                uow.session.add(
                    Chat(
                        site_id=world.site_id,
                        visitor_id=visitor_id,
                        agent_id=ann,
                        status="closed",
                        created_at=answered,
                        first_visitor_message_at=answered,
                        first_response_at=answered,
                        closed_at=answered,
                    )
                )
            if ordered is not None:
                uow.session.add(VisitorEvent(site_id=world.site_id, visitor_id=visitor_id,
                                             name="order.completed", data={"value": 1},
                                             created_at=ordered))  # fmt: skip

    morning, noon = at(DAY1, "09:00:00"), at(DAY1, "12:00:00")
    await visitor(morning, answered=at(DAY1, "09:10:00"), ordered=noon)  # chat, then order
    await visitor(morning, answered=at(DAY1, "09:10:00"))  # chat, no order
    await visitor(morning, answered=at(DAY1, "11:00:00"), ordered=at(DAY1, "10:00:00"))  # before
    await visitor(morning, answered=DAY0 - timedelta(days=3), ordered=noon)  # within 7 days
    await visitor(morning, answered=DAY0 - timedelta(days=10), ordered=noon)  # too long ago
    await visitor(morning, ordered=noon)  # no chat, ordered
    await visitor(morning)  # no chat, no order
    await visitor(morning)
    await visitor(None, ordered=noon)  # never seen in the window: not counted
    await visitor(DAY2 + timedelta(minutes=1), ordered=noon)  # seen after the window
    conversion = (await report(world)).conversion
    assert conversion is not None
    assert conversion.model_dump() == {
        "seen": 8,
        "with_chat": {"visitors": 4, "ordered": 2, "pct": 50.0},
        "without_chat": {"visitors": 4, "ordered": 2, "pct": 50.0},
    }


def test_utilisation_counts_chat_time_while_online_only() -> None:
    time = staffing.AgentTime()
    time.online = [(0.0, 100.0), (200.0, 300.0)]
    # 50-150 (half online), 140-160 (overlapping, never online), 250-400 (half online).
    time.chats = [(50.0, 150.0), (140.0, 160.0), (250.0, 400.0)]
    figures = staffing.utilisation(time, True, chats_taken=3, orders=None)
    assert figures.model_dump() == {
        "online_s": 200.0,
        "chat_s": 260.0,  # 50-160 and 250-400
        "pct": 50.0,  # 50-100 and 250-300 of 200 s online
        "agent_s_per_chat": 66.667,
        "agent_s_per_order": None,
    }
