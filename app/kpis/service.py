"""KPIs computed from the chats of a window: one indexed query, then arithmetic.

Every definition is in docs/kpis.md, precise enough to recompute by hand; this module is that
page in code. A chat counts in the window where it started (``created_at``).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.agents.models import Agent
from app.chat.models import Chat
from app.common.enums import ChatStatus
from app.common.types import iso
from app.kpis.schemas import (
    Csat,
    Duration,
    Figures,
    FirstResponse,
    Group,
    GroupBy,
    KpiReport,
    Wait,
)
from app.kpis.sql import epoch
from app.surveys.models import Survey

ANSWER_TARGET_S = 60.0


class ChatTimes:
    """What the KPIs read of one chat: its times as seconds since the epoch, and what follows
    from them, worked out once."""

    __slots__ = (
        "agent_id",
        "closed",
        "created",
        "duration_s",
        "first_response_s",
        "missed",
        "rating",
        "site_id",
        "skill",
        "wait_s",
        "wrote",
    )  # fmt: skip

    def __init__(
        self,
        site_id: str,
        agent_id: str | None,
        skill: str | None,
        status: str,
        created: float,
        wrote: float | None,
        answered: float | None,
        assigned: float | None,
        closed: float | None,
        rating: int | None = None,
    ) -> None:
        self.rating = rating  # the visitor's post-chat survey, if they gave one
        self.site_id, self.agent_id, self.skill = site_id, agent_id, skill
        self.created, self.wrote, self.closed = created, wrote, closed
        # From the visitor's first public message to the first public agent message after it.
        self.first_response_s = (
            round(answered - wrote, 3)
            if wrote is not None and answered is not None and answered >= wrote
            else None
        )
        self.wait_s = round(assigned - created, 3) if assigned is not None else None
        self.duration_s = round(closed - created, 3) if closed is not None else None
        self.missed = (
            status == ChatStatus.CLOSED and wrote is not None and self.first_response_s is None
        )


async def chat_times(
    session: AsyncSession, site_id: str, start: datetime, end: datetime
) -> list[ChatTimes]:
    """The chats of the site that started in [start, end) (index ``ix_chats_site_created``)."""
    rows = await session.execute(
        select(
            Chat.site_id,
            Chat.agent_id,
            Chat.skill,
            Chat.status,
            epoch(Chat.created_at),
            epoch(Chat.first_visitor_message_at),
            epoch(Chat.first_response_at),
            epoch(Chat.first_assigned_at),
            epoch(Chat.closed_at),
            Survey.rating,
        )
        .outerjoin(Survey, Survey.chat_id == Chat.id)
        .where(Chat.site_id == site_id, Chat.created_at >= start, Chat.created_at < end)
    )
    return [ChatTimes(*row[:9], rating=row[9]) for row in rows]


def percentile(values: list[float], p: float) -> float | None:
    """Nearest rank: the value at rank ceil(p/100 * n) of the sorted values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def average(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def csat(chats: list[ChatTimes]) -> Csat:
    """Post-chat ratings of the window's chats: their mean (null without one), how many, and
    how many of each value 1 to 5."""
    ratings = [r for c in chats if (r := c.rating) is not None]
    distribution = {str(value): 0 for value in range(1, 6)}
    for rating in ratings:
        distribution[str(rating)] += 1
    return Csat(avg=average(ratings), count=len(ratings), distribution=distribution)


def figures(chats: Iterable[ChatTimes], now: datetime) -> Figures:
    chats = list(chats)
    now_s = now.timestamp()
    responses = [r for c in chats if (r := c.first_response_s) is not None]
    waits = [w for c in chats if (w := c.wait_s) is not None]
    durations = [d for c in chats if (d := c.duration_s) is not None]
    # Chats that can be judged against the target: the visitor wrote, and the chat was
    # answered, ended, or has waited past the target by now.
    judged = [
        c
        for c in chats
        if c.wrote is not None
        and (
            c.first_response_s is not None
            or c.closed is not None
            or now_s - c.wrote > ANSWER_TARGET_S
        )
    ]
    in_time = [c for c in judged if (r := c.first_response_s) is not None and r <= ANSWER_TARGET_S]
    return Figures(
        chats=len(chats),
        missed=sum(1 for c in chats if c.missed),
        offline=None,
        first_response_s=FirstResponse(
            avg=average(responses),
            p50=percentile(responses, 50),
            p90=percentile(responses, 90),
        ),
        wait_s=Wait(avg=average(waits), p90=percentile(waits, 90)),
        duration_s=Duration(avg=average(durations)),
        answered_within_60s_pct=(round(100 * len(in_time) / len(judged), 1) if judged else None),
        csat=csat(chats),
        invitations=None,
        orders=None,
    )


def _buckets(
    zone: ZoneInfo, unit: str, start: datetime, end: datetime
) -> Callable[[ChatTimes], tuple[str, str]]:
    """Hours or days of the zone's clock over [start, end): each chat falls into the one it
    started in. Bucket edges are computed once (daylight saving included) and each chat is
    placed by bisection, so no timestamp is converted per chat."""
    local = start.astimezone(zone)
    if unit == "hour":
        first = local.replace(minute=0, second=0, microsecond=0)
        edges = [first.astimezone(UTC) + timedelta(hours=i) for i in range(_hours(first, end))]
        starts = [edge.astimezone(zone) for edge in edges]
        labels = [(s.isoformat(), s.strftime("%Y-%m-%d %H:00")) for s in starts]
    else:
        day = local.date()
        starts = []
        while not starts or starts[-1] < end:
            starts.append(datetime(day.year, day.month, day.day, tzinfo=zone))
            day += timedelta(days=1)
        labels = [(s.isoformat(), s.strftime("%Y-%m-%d")) for s in starts]
    stamps = [s.timestamp() for s in starts]

    def key(chat: ChatTimes) -> tuple[str, str]:
        return labels[max(0, bisect_right(stamps, chat.created) - 1)]

    return key


def _hours(first: datetime, end: datetime) -> int:
    return max(1, math.ceil((end - first).total_seconds() / 3600))


async def report(
    session: AsyncSession,
    site_id: str,
    start: datetime,
    end: datetime,
    group_by: GroupBy | None,
    timezone: str,
    now: datetime,
) -> KpiReport:
    chats = await chat_times(session, site_id, start, end)
    groups: list[Group] = []
    if group_by is not None:
        keyed: dict[str | None, tuple[str, list[ChatTimes]]] = {}
        label_of = await _labeller(session, site_id, group_by, ZoneInfo(timezone), start, end)
        for chat in chats:
            key, label = label_of(chat)
            keyed.setdefault(key, (label, []))[1].append(chat)
        groups = [
            Group(key=key, label=label, **figures(members, now).model_dump())
            for key, (label, members) in sorted(keyed.items(), key=lambda kv: kv[0] or "")
        ]
    return KpiReport.model_validate(
        {
            "from": iso(start),
            "to": iso(end),
            "timezone": timezone,
            "group_by": group_by,
            "totals": figures(chats, now),
            "groups": groups,
        }
    )


async def _labeller(
    session: AsyncSession,
    site_id: str,
    group_by: GroupBy,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
) -> Callable[[ChatTimes], tuple[str | None, str]]:
    if group_by in ("hour", "day"):
        bucket = _buckets(zone, group_by, start, end)
        return lambda c: bucket(c)
    if group_by == "agent":
        rows = await session.execute(select(Agent.id, Agent.name).where(Agent.site_id == site_id))
        names = {row.id: row.name for row in rows}
        return lambda c: (c.agent_id, names.get(c.agent_id or "", "No agent"))
    if group_by == "skill":
        return lambda c: (c.skill, c.skill or "No skill")
    return lambda c: (c.site_id, "This site")
