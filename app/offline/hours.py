"""Office hours: a weekly schedule of opening ranges in the shop's time zone, with holidays.

Judged on the shop's wall clock through ``zoneinfo``, so a range from 09:00 to 17:00 is 09:00 to
17:00 local time on both sides of a daylight-saving switch. Pure: the caller passes ``now``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from itertools import pairwise
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Ranges per day: a split shift or two is usual; more is a mistake in the form.
MAX_RANGES = 6
# A year of closed days and then some.
MAX_HOLIDAYS = 366
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def _clock(value: str) -> str:
    if not _CLOCK.match(value):
        raise ValueError(f"{value!r} is not a time of day (HH:MM, 00:00 to 24:00)")
    return value


Clock = Annotated[str, AfterValidator(_clock)]


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _ranges(value: list[tuple[Clock, Clock]]) -> list[tuple[Clock, Clock]]:
    ordered = sorted(value, key=lambda r: _minutes(r[0]))
    for start, end in ordered:
        if _minutes(start) >= _minutes(end):
            raise ValueError(f"{start}-{end}: a range must end after it starts")
    for (_, end), (start, _) in pairwise(ordered):
        if _minutes(start) < _minutes(end):
            raise ValueError(f"ranges overlap at {start}")
    return ordered


Ranges = Annotated[list[tuple[Clock, Clock]], Field(max_length=MAX_RANGES), AfterValidator(_ranges)]


class Weekly(BaseModel):
    """Opening ranges per weekday, ``[["09:00", "12:00"], ["13:00", "17:00"]]``; a day left
    out or empty is closed."""

    model_config = ConfigDict(extra="forbid")

    mon: Ranges = Field(default_factory=list)
    tue: Ranges = Field(default_factory=list)
    wed: Ranges = Field(default_factory=list)
    thu: Ranges = Field(default_factory=list)
    fri: Ranges = Field(default_factory=list)
    sat: Ranges = Field(default_factory=list)
    sun: Ranges = Field(default_factory=list)


class OfficeHours(BaseModel):
    """The site's office hours; outside them the widget takes offline messages."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = Field(min_length=1, max_length=64, examples=["Europe/Copenhagen"])
    weekly: Weekly = Field(default_factory=Weekly)
    holidays: list[date] = Field(default_factory=list, max_length=MAX_HOLIDAYS)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("holidays")
    @classmethod
    def _sorted_days(cls, value: list[date]) -> list[date]:
        return sorted(set(value))


def is_open(hours: OfficeHours, now: datetime) -> bool:
    """Whether ``now`` (aware) falls in an opening range of its local day, which is no holiday."""
    local = now.astimezone(ZoneInfo(hours.timezone))
    if local.date() in hours.holidays:
        return False
    ranges: list[tuple[str, str]] = getattr(hours.weekly, DAYS[local.weekday()])
    minute = local.hour * 60 + local.minute + local.second / 60
    return any(_minutes(start) <= minute < _minutes(end) for start, end in ranges)
