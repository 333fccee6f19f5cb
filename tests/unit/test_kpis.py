"""KPIs of a scripted day with known times give exactly the values docs/kpis.md defines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.chat.models import Chat
from app.kpis import questions, service
from app.kpis.schemas import GroupBy, KpiReport
from tests.unit.world import World

CPH = ZoneInfo("Europe/Copenhagen")
DAY0 = datetime(2026, 11, 19, tzinfo=CPH)
DAY1 = datetime(2026, 11, 20, tzinfo=CPH)
DAY2 = datetime(2026, 11, 21, tzinfo=CPH)
NOW = DAY2 + timedelta(minutes=30)


def at(day: datetime, clock: str) -> datetime:
    h, m, s = (int(p) for p in clock.split(":"))
    return day + timedelta(hours=h, minutes=m, seconds=s)


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


async def test_totals_of_a_scripted_day(world: World, day: dict[str, str]) -> None:
    totals = (await report(world)).totals
    assert totals.chats == 7
    assert totals.missed == 1
    assert totals.offline is None
    assert totals.first_response_s.model_dump() == {"avg": 57.5, "p50": 30.0, "p90": 150.0}
    assert totals.wait_s.model_dump() == {"avg": 26.25, "p90": 60.0}
    assert totals.duration_s.avg == 585.0  # (120 + 600 + 1200 + 300 + 60 + 1230) / 6
    assert totals.answered_within_60s_pct == 60.0  # F, A, D of F, A, B, C, D
    assert totals.csat.model_dump() == {
        "avg": None,
        "count": 0,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
    }
    assert (totals.invitations, totals.orders) == (None, None)


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
