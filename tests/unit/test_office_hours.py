"""Office hours are judged on the shop's wall clock: right on both sides of a DST switch."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from app.offline.hours import OfficeHours, is_open

# 2026-03-29: Copenhagen moves from CET (UTC+1) to CEST (UTC+2) at 02:00 local time.
SPRING = {"sun": [["09:00", "17:00"]]}
# 2026-10-25: back from CEST to CET at 03:00 local time.
AUTUMN = {"sun": [["09:00", "17:00"]]}


def hours(weekly: dict[str, list[list[str]]], **extra: object) -> OfficeHours:
    return OfficeHours.model_validate({"timezone": "Europe/Copenhagen", "weekly": weekly, **extra})


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "open_"),
    [
        # 07:30 UTC is 09:30 CEST (open); a fixed UTC+1 would say 08:30 (closed).
        ("2026-03-29T07:30:00", True),
        # 15:30 UTC is 17:30 CEST (closed); a fixed UTC+1 would say 16:30 (open).
        ("2026-03-29T15:30:00", False),
        ("2026-03-29T06:59:59", False),  # 08:59:59 CEST
        ("2026-03-29T07:00:00", True),  # 09:00 CEST: a range includes its start
        ("2026-03-29T15:00:00", False),  # 17:00 CEST: and excludes its end
    ],
)
def test_spring_switch_day(instant: str, open_: bool) -> None:
    assert is_open(hours(SPRING), utc(instant)) is open_


@pytest.mark.parametrize(
    ("instant", "open_"),
    [
        ("2026-10-25T08:30:00", True),  # 09:30 CET; UTC+2 would say 10:30 too, but:
        ("2026-10-25T07:30:00", False),  # 08:30 CET (closed); UTC+2 would say 09:30 (open)
        ("2026-10-25T15:30:00", True),  # 16:30 CET (open); UTC+2 would say 17:30 (closed)
    ],
)
def test_autumn_switch_day(instant: str, open_: bool) -> None:
    assert is_open(hours(AUTUMN), utc(instant)) is open_


def test_several_ranges_a_day_and_closed_days() -> None:
    split = hours({"mon": [["13:00", "17:00"], ["09:00", "12:00"]]})
    assert split.weekly.mon == [("09:00", "12:00"), ("13:00", "17:00")]  # kept in order
    monday = "2026-11-23T"  # CET, UTC+1
    assert is_open(split, utc(monday + "08:30:00"))  # 09:30
    assert not is_open(split, utc(monday + "11:30:00"))  # 12:30, the lunch break
    assert is_open(split, utc(monday + "12:30:00"))  # 13:30
    assert not is_open(split, utc("2026-11-24T08:30:00"))  # Tuesday: no ranges, closed


def test_a_holiday_is_closed_all_day_in_the_shops_zone() -> None:
    every_day = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    xmas = hours(every_day, holidays=["2026-12-24"])
    assert is_open(xmas, utc("2026-12-23T22:59:00"))  # 23:59 on the 23rd in Copenhagen
    assert not is_open(xmas, utc("2026-12-23T23:00:00"))  # already the 24th there
    assert not is_open(xmas, utc("2026-12-24T22:59:00"))
    assert is_open(xmas, utc("2026-12-24T23:00:00"))  # the 25th (a Friday), open again


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "UTC", "weekly": {"mon": [["9:00", "17:00"]]}}, "weekly.mon"),
        ({"timezone": "UTC", "weekly": {"mon": [["17:00", "09:00"]]}}, "weekly.mon"),
        (
            {"timezone": "UTC", "weekly": {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}},
            "weekly.mon",
        ),
        ({"timezone": "UTC", "weekly": {"funday": []}}, "weekly.funday"),
        ({"timezone": "UTC", "holidays": ["24/12/2026"]}, "holidays.0"),
    ],
)
def test_refused_with_the_field_named(data: dict[str, object], where: str) -> None:
    with pytest.raises(ValidationError) as caught:
        OfficeHours.model_validate(data)
    assert ".".join(str(p) for p in caught.value.errors()[0]["loc"]).startswith(where)


def test_available_needs_hours_and_an_agent_once_offline_messages_are_set_up() -> None:
    from app.offline.service import is_available
    from app.sites.models import Site

    sunday_evening = utc("2026-03-29T15:30:00")  # 17:30 CEST
    bare = Site(name="Bare", site_key="k1", secret="s", settings={})
    # Nothing set up: no offline messages would be read, so chats wait in the queue.
    assert is_available(bare, sunday_evening, agent_is_online=False)
    mailed = Site(name="Mailed", site_key="k2", secret="s", settings={"notify_emails": ["a@b.c"]})
    assert is_available(mailed, sunday_evening, agent_is_online=True)
    assert not is_available(mailed, sunday_evening, agent_is_online=False)
    hours = {"office_hours": {"timezone": "Europe/Copenhagen", "weekly": SPRING}}
    closed = Site(name="Hours", site_key="k3", secret="s", settings=hours)
    assert not is_available(closed, sunday_evening, agent_is_online=True)
    assert is_available(closed, utc("2026-03-29T07:30:00"), agent_is_online=True)
    assert not is_available(closed, utc("2026-03-29T07:30:00"), agent_is_online=False)
