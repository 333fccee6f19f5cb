"""KPIs computed from the chats of a window: one indexed query, then arithmetic.

Every definition is in docs/kpis.md, precise enough to recompute by hand; this module is that
page in code. A chat counts in the window where it started (``created_at``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.agents.models import Agent
from app.chat.models import Chat
from app.common.enums import ChatStatus
from app.common.types import iso
from app.kpis.schemas import (
    Duration,
    Figures,
    FirstResponse,
    Group,
    GroupBy,
    KpiReport,
    Wait,
)

ANSWER_TARGET_S = 60.0


@dataclass(frozen=True, slots=True)
class ChatTimes:
    """What the KPIs read of one chat."""

    site_id: str
    agent_id: str | None
    skill: str | None
    status: str
    created_at: datetime
    first_visitor_message_at: datetime | None
    first_response_at: datetime | None
    first_assigned_at: datetime | None
    closed_at: datetime | None

    @property
    def visitor_wrote(self) -> bool:
        return self.first_visitor_message_at is not None

    @property
    def first_response_s(self) -> float | None:
        """From the visitor's first public message to the first public agent message after it."""
        wrote, answered = self.first_visitor_message_at, self.first_response_at
        if wrote is None or answered is None or answered < wrote:
            return None
        return seconds(answered - wrote)

    @property
    def missed(self) -> bool:
        return (
            self.status == ChatStatus.CLOSED
            and self.visitor_wrote
            and self.first_response_s is None
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
            Chat.created_at,
            Chat.first_visitor_message_at,
            Chat.first_response_at,
            Chat.first_assigned_at,
            Chat.closed_at,
        ).where(Chat.site_id == site_id, Chat.created_at >= start, Chat.created_at < end)
    )
    return [ChatTimes(*row) for row in rows]


def seconds(delta: timedelta) -> float:
    """Durations are kept to the millisecond."""
    return round(delta.total_seconds(), 3)


def percentile(values: list[float], p: float) -> float | None:
    """Nearest rank: the value at rank ceil(p/100 * n) of the sorted values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def average(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def figures(chats: Iterable[ChatTimes], now: datetime) -> Figures:
    chats = list(chats)
    responses = [r for c in chats if (r := c.first_response_s) is not None]
    waits = [seconds(c.first_assigned_at - c.created_at) for c in chats if c.first_assigned_at]
    durations = [seconds(c.closed_at - c.created_at) for c in chats if c.closed_at]
    # Chats that can be judged against the target: the visitor wrote, and the chat was
    # answered, ended, or has waited past the target by now.
    judged = [
        c
        for c in chats
        if c.first_visitor_message_at is not None
        and (
            c.first_response_s is not None
            or c.closed_at is not None
            or seconds(now - c.first_visitor_message_at) > ANSWER_TARGET_S
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
        csat=None,
        invitations=None,
        orders=None,
    )


def _bucket(zone: ZoneInfo, unit: str) -> Callable[[ChatTimes], tuple[str, str]]:
    def key(chat: ChatTimes) -> tuple[str, str]:
        local = chat.created_at.astimezone(zone)
        if unit == "hour":
            start = local.replace(minute=0, second=0, microsecond=0)
            return start.isoformat(), start.strftime("%Y-%m-%d %H:00")
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return start.isoformat(), start.strftime("%Y-%m-%d")

    return key


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
        label_of = await _labeller(session, site_id, group_by, ZoneInfo(timezone))
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
    session: AsyncSession, site_id: str, group_by: GroupBy, zone: ZoneInfo
) -> Callable[[ChatTimes], tuple[str | None, str]]:
    if group_by in ("hour", "day"):
        bucket = _bucket(zone, group_by)
        return lambda c: bucket(c)
    if group_by == "agent":
        rows = await session.execute(select(Agent.id, Agent.name).where(Agent.site_id == site_id))
        names = {row.id: row.name for row in rows}
        return lambda c: (c.agent_id, names.get(c.agent_id or "", "No agent"))
    if group_by == "skill":
        return lambda c: (c.skill, c.skill or "No skill")
    return lambda c: (c.site_id, "This site")
