"""Agent time: status periods and handled chats over a window, as intervals of epoch seconds.

Utilisation, concurrency and the staffing heatmap (docs/kpis.md, "Agent time") are sums of
interval overlaps. The database returns each interval's ends as numbers (``app/kpis/sql.py``)
through indexed range reads; the overlaps are plain arithmetic here.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Exists, Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from app.agents.models import AgentPresence
from app.chat.models import Chat
from app.common.enums import AgentStatus
from app.kpis.schemas import Concurrent, Conversion, ConversionSide, StaffingHour, Utilisation
from app.kpis.sql import core_rows, epoch
from app.visitors.models import PageView, VisitorEvent

ONLINE = (AgentStatus.ONLINE, AgentStatus.BUSY)
Interval = tuple[float, float]


class AgentTime:
    """What the window holds of an agent's (or the site's) time: intervals clipped to it."""

    def __init__(self) -> None:
        self.online: list[Interval] = []
        self.chats: list[Interval] = []

    def extend(self, other: AgentTime) -> None:
        self.online += other.online
        self.chats += other.chats


def clip(start: float, end: float | None, lo: float, hi: float) -> Interval | None:
    """[start, end) within [lo, hi), or None when they do not overlap (an open end is ``hi``).
    Times are rounded to the millisecond: the database's epoch arithmetic is a few
    microseconds off, which must not move a chat at 14:00:00 into the hour before."""
    # Comparisons rather than max()/min(): the same values, at a third of the cost for the
    # tens of thousands of intervals a report clips.
    a = round(start, 3)
    if a < lo:
        a = lo
    b = hi if end is None else round(end, 3)
    if b > hi:
        b = hi
    return (a, b) if b > a else None


async def agent_times(
    session: AsyncSession,
    site_id: str,
    lo: float,
    hi: float,
    start: datetime,
    end: datetime,
    started: Iterable[tuple[str | None, float | None, float | None]] = (),
) -> tuple[dict[str, AgentTime], bool]:
    """Each agent's online periods and handled chats within [lo, hi) (epoch seconds of the
    measured window: [start, min(end, now))), and whether any status period of the site
    overlaps it at all (else online time is null: nothing was recorded). ``started``: the
    window's own chats as (agent, assigned, closed), already read; only the chats started
    before the window and handled into it are read here."""
    times: dict[str, AgentTime] = {}
    recorded = False
    # Periods ending after the start, or still open (``ix_agent_presence_site_ended``).
    for ended in (AgentPresence.ended_at > start, AgentPresence.ended_at.is_(None)):
        rows = await core_rows(
            session,
            select(
                AgentPresence.agent_id,
                AgentPresence.status,
                epoch(AgentPresence.started_at),
                epoch(AgentPresence.ended_at),
            ).where(AgentPresence.site_id == site_id, AgentPresence.started_at < end, ended),
        )
        for agent_id, status, began, ended_s in rows:
            part = clip(began, ended_s, lo, hi)
            if part is None:
                continue
            recorded = True
            if status in ONLINE:
                times.setdefault(agent_id, AgentTime()).online.append(part)
    # Chats started before the window, closed after its start or still open
    # (``ix_chats_site_closed``: site, closed_at, created_at — the filter needs no row).
    handled: list[tuple[str | None, float | None, float | None]] = list(started)
    for closed in (Chat.closed_at > start, Chat.closed_at.is_(None)):
        rows_before = await core_rows(
            session,
            select(Chat.agent_id, epoch(Chat.first_assigned_at), epoch(Chat.closed_at)).where(
                Chat.site_id == site_id,
                closed,
                # As an expression, not a bare column: given statistics, SQLite's planner would
                # read created_at < start through ix_chats_site_created — the whole history
                # before the window. Here it is checked on ix_chats_site_closed's own column.
                func.coalesce(Chat.created_at, Chat.created_at) < start,
                Chat.agent_id.is_not(None),
                Chat.first_assigned_at.is_not(None),
            ),
        )
        handled += rows_before.tuples()
    for owner, assigned, closed_s in handled:
        if owner is None or assigned is None:
            continue
        part = clip(assigned, closed_s, lo, hi)
        if part is not None:
            times.setdefault(owner, AgentTime()).chats.append(part)
    return times, recorded


def union_s(intervals: Iterable[Interval]) -> float:
    """Seconds covered by at least one interval."""
    total, reach = 0.0, float("-inf")
    for a, b in sorted(intervals):
        if b <= reach:
            continue
        total += b - max(a, reach)
        reach = b
    return total


def merged(intervals: Iterable[Interval]) -> list[Interval]:
    """The intervals joined where they overlap or touch, in order."""
    out: list[Interval] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def overlap_s(one: Iterable[Interval], other: Iterable[Interval]) -> float:
    """Seconds covered by both sets of intervals (each taken as its union)."""
    xs, ys = merged(one), merged(other)
    total, i, j = 0.0, 0, 0
    while i < len(xs) and j < len(ys):
        a, b = max(xs[i][0], ys[j][0]), min(xs[i][1], ys[j][1])
        total += max(0.0, b - a)
        if xs[i][1] < ys[j][1]:
            i += 1
        else:
            j += 1
    return total


def concurrent(intervals: list[Interval], window_s: float) -> Concurrent:
    """Peak: most intervals open at one instant (one ending at t and one starting at t do not
    overlap). Average: their total length over the window's."""
    events = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals])
    peak = level = 0
    for _, step in events:  # at equal times -1 sorts first
        level += step
        peak = max(peak, level)
    total = sum(b - a for a, b in intervals)
    return Concurrent(peak=peak, avg=round(total / window_s, 3) if window_s > 0 else None)


def utilisation(
    time: AgentTime, recorded: bool, chats_taken: int, orders: int | None
) -> Utilisation:
    """One agent: ``pct`` is the share of their online time with at least one chat."""
    online = round(sum(b - a for a, b in time.online), 3) if recorded else None
    busy = overlap_s(time.chats, time.online)
    return Utilisation(
        online_s=online,
        chat_s=round(union_s(time.chats), 3),
        pct=round(100 * busy / online, 1) if online else None,
        agent_s_per_chat=round(online / chats_taken, 3)
        if online is not None and chats_taken
        else None,
        agent_s_per_order=round(online / orders, 3) if online is not None and orders else None,
    )


def site_utilisation(
    times: dict[str, AgentTime], recorded: bool, chats_taken: int, orders: int | None
) -> Utilisation:
    """The site: online and chat time summed over agents (each agent's chat time is the union
    of their own chats), and so is the online time with a chat behind ``pct``."""
    online = round(sum(b - a for t in times.values() for a, b in t.online), 3) if recorded else None
    chat = round(sum(union_s(t.chats) for t in times.values()), 3)
    busy = sum(overlap_s(t.chats, t.online) for t in times.values())
    return Utilisation(
        online_s=online,
        chat_s=chat,
        pct=round(100 * busy / online, 1) if online else None,
        agent_s_per_chat=round(online / chats_taken, 3)
        if online is not None and chats_taken
        else None,
        agent_s_per_order=round(online / orders, 3) if online is not None and orders else None,
    )


class HourOfWeek:
    """The clock hours of the zone over [lo, hi), each with its slot (0 = Monday 00:00 ..
    167 = Sunday 23:00), and how many seconds of the window each slot holds."""

    def __init__(self, zone: ZoneInfo, lo: float, hi: float) -> None:
        first = datetime.fromtimestamp(lo, zone).replace(minute=0, second=0, microsecond=0)
        edge = first.astimezone(UTC)
        self.edges: list[float] = []
        self.slots: list[int] = []
        while edge.timestamp() < hi:
            local = edge.astimezone(zone)
            self.edges.append(edge.timestamp())
            self.slots.append(local.weekday() * 24 + local.hour)
            edge += timedelta(hours=1)
        self.seconds = self.spread([(lo, hi)]) if hi > lo else [0.0] * 168

    def slot(self, stamp: float) -> int:
        return self.slots[max(0, bisect_right(self.edges, round(stamp, 3)) - 1)]

    def spread(self, intervals: Iterable[Interval]) -> list[float]:
        """Seconds of the intervals falling in each slot."""
        out = [0.0] * 168
        if not self.edges:
            return out
        edges, slots, n = self.edges, self.slots, len(self.edges)
        for a, b in intervals:
            i = max(0, bisect_right(edges, a) - 1)
            while i < n and (edge := edges[i]) < b:
                top = edges[i + 1] if i + 1 < n else math.inf
                part = (b if b <= top else top) - (a if a >= edge else edge)
                if part > 0:
                    out[slots[i]] += part
                i += 1
        return out


def heatmap(
    hours: HourOfWeek,
    started: Iterable[float],
    waits: Iterable[Interval],
    online: Iterable[Interval],
    recorded: bool,
) -> list[StaffingHour]:
    chats = [0] * 168
    for stamp in started:
        chats[hours.slot(stamp)] += 1
    waiting = hours.spread(waits)
    staffed = hours.spread(online)

    def mean(values: list[float], slot: int) -> float | None:
        seconds = hours.seconds[slot]
        return round(values[slot] / seconds, 3) if seconds > 0 else None

    return [
        StaffingHour(
            weekday=slot // 24 + 1,
            hour=slot % 24,
            chats=chats[slot],
            waiting_avg=mean(waiting, slot),
            agents_online_avg=mean(staffed, slot) if recorded else None,
        )
        for slot in range(168)
    ]


async def conversion(
    session: AsyncSession,
    site_id: str,
    start: datetime,
    end: datetime,
    assist_window_s: float,
    order_event: str,
) -> Conversion:
    """Visitors with a page view in [start, end) (``ix_page_views_site_created``, which holds
    the visitor), split by whether an agent answered them in a chat in [start - assist window,
    end) (``ix_chats_site_answered``, which holds the visitor), each side with how many ordered
    in the window (``ix_visitor_events_site_name_created``; with a chat: an assisted order, after
    an answer).

    Set-based: each of the four visitor sets (seen, answered, ordered, ordered after an answer)
    is read once by an indexed range, and the seen visitors are looked up in the other three
    (uncorrelated ``IN``: built once, not asked per visitor). A visitor's chats and events are
    of the visitor's own site, so reading them by site finds the same ones as by visitor."""
    seen = (
        select(PageView.visitor_id.label("visitor_id"))
        .where(PageView.site_id == site_id, PageView.created_at >= start, PageView.created_at < end)
        .distinct()
        .subquery()
    )
    earliest = start - timedelta(seconds=assist_window_s)
    answered = select(Chat.visitor_id).where(
        Chat.site_id == site_id, Chat.first_response_at >= earliest, Chat.first_response_at < end
    )

    def ordered(*more: ColumnElement[bool]) -> Select[str]:
        return select(VisitorEvent.visitor_id).where(
            VisitorEvent.site_id == site_id,
            VisitorEvent.name == order_event,
            VisitorEvent.created_at >= start,
            VisitorEvent.created_at < end,
            *more,
        )

    answered_before = answered_before_order(assist_window_s)
    # Each seen visitor's three memberships, worked out once per visitor: materialised, as a
    # planner that inlined it would build and probe each set once per use below.
    visitor = seen.c.visitor_id
    flags = (
        select(
            case((visitor.in_(answered), 1), else_=0).label("chatted"),
            case((visitor.in_(ordered(answered_before)), 1), else_=0).label("assisted"),
            case((visitor.in_(ordered()), 1), else_=0).label("ordered"),
        )
        .cte("flags")
        .prefix_with("MATERIALIZED")
    )
    row = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(flags.c.chatted), 0),
                func.coalesce(func.sum(flags.c.chatted * flags.c.assisted), 0),
                func.coalesce(func.sum((1 - flags.c.chatted) * flags.c.ordered), 0),
            )
        )
    ).one()
    seen_n, chatted_n, chatted_ordered, alone_ordered = (int(v) for v in row)

    def side(visitors: int, ordered: int) -> ConversionSide:
        pct = round(100 * ordered / visitors, 1) if visitors else None
        return ConversionSide(visitors=visitors, ordered=ordered, pct=pct)

    return Conversion(
        seen=seen_n,
        with_chat=side(chatted_n, chatted_ordered),
        without_chat=side(seen_n - chatted_n, alone_ordered),
    )


def answered_before_order(assist_window_s: float) -> Exists:
    """``EXISTS``: the ordering visitor (``VisitorEvent``) had an agent's first answer in a chat
    at most ``assist_window_s`` before the event. It selects only indexed columns, so each
    order's probe is read from ``ix_chats_visitor_answered`` (``visitor_id``,
    ``first_response_at``) alone, with no chat row."""
    return (
        select(Chat.first_response_at)
        .where(
            Chat.visitor_id == VisitorEvent.visitor_id,
            Chat.first_response_at.is_not(None),
            Chat.first_response_at <= VisitorEvent.created_at,
            epoch(Chat.first_response_at) >= epoch(VisitorEvent.created_at) - assist_window_s,
        )
        .exists()
    )
