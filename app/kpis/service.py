"""KPIs computed from the chats of a window: one indexed query, then arithmetic.

Every definition is in docs/kpis.md, precise enough to recompute by hand; this module is that
page in code. A chat counts in the window where it started (``created_at``), an invitation in
the window where it was fired, an assisted order in the window where it was reported.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.agents.models import Agent
from app.chat.models import Chat
from app.common.enums import ChatStatus
from app.common.types import iso
from app.kpis import staffing
from app.kpis.schemas import (
    Csat,
    Duration,
    Figures,
    FirstResponse,
    Group,
    GroupBy,
    Invitations,
    KpiReport,
    Orders,
    VariantFigures,
    Wait,
)
from app.kpis.sql import core_rows, epoch
from app.surveys.models import Survey
from app.triggers.models import Invitation, Trigger
from app.triggers.variants import variants_of
from app.visitors.models import VisitorEvent

ANSWER_TARGET_S = 60.0
# The default of PARLEY_ASSIST_WINDOW_S: an order this long after an agent's answer still counts.
ASSIST_WINDOW_S = 7 * 24 * 3600.0
ORDER_EVENT = "order.completed"


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
        "offline",
        "rating",
        "site_id",
        "skill",
        "trigger_id",
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
        offline: bool = False,
    ) -> None:
        self.rating = rating
        # Started as an offline message: counted apart, never missed (nobody could answer).
        self.offline = bool(offline)  # the visitor's post-chat survey, if they gave one
        self.site_id, self.agent_id, self.skill = site_id, agent_id, skill
        # The trigger whose invitation the chat came from (read for group_by=trigger only).
        self.trigger_id: str | None = None
        self.created, self.wrote, self.closed = created, wrote, closed
        # From the visitor's first public message to the first public agent message after it.
        self.first_response_s = (
            round(answered - wrote, 3)
            if wrote is not None and answered is not None and answered >= wrote
            else None
        )
        if self.offline:  # answered by e-mail, hours later: not a live chat's response time
            self.first_response_s = None
        self.wait_s = round(assigned - created, 3) if assigned is not None else None
        self.duration_s = round(closed - created, 3) if closed is not None else None
        self.missed = (
            not self.offline
            and status == ChatStatus.CLOSED
            and wrote is not None
            and self.first_response_s is None
        )


async def chat_times(
    session: AsyncSession,
    site_id: str,
    start: datetime,
    end: datetime,
    with_trigger: bool = False,
) -> list[ChatTimes]:
    """The chats of the site that started in [start, end) (index ``ix_chats_site_created``);
    ``with_trigger`` also reads the trigger of each chat's invitation (``ix_invitations_chat``)."""
    columns: list[Any] = [
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
        Chat.offline_at.is_not(None),
    ]
    if with_trigger:
        trigger = (
            select(Invitation.trigger_id)
            .where(Invitation.chat_id == Chat.id)
            .limit(1)
            .scalar_subquery()
        )
        columns.append(trigger)
    rows = await core_rows(
        session,
        select(*columns)
        .outerjoin(Survey, Survey.chat_id == Chat.id)
        .where(Chat.site_id == site_id, Chat.created_at >= start, Chat.created_at < end),
    )
    out: list[ChatTimes] = []
    for row in rows:
        chat = ChatTimes(*row[:11])  # the nine times, the rating, whether offline
        if with_trigger:
            chat.trigger_id = row[11]
        out.append(chat)
    return out


class InvitationRow:
    """One invitation fired in the window: its trigger and variant, when, and what became of
    it."""

    __slots__ = (
        "accepted",
        "by_hand",
        "chatted",
        "dismissed",
        "fired",
        "shown",
        "trigger_id",
        "variant_id",
    )

    def __init__(
        self,
        trigger_id: str | None,
        fired: float,
        accepted: bool,
        dismissed: bool,
        chatted: bool,
        shown: bool = False,
        variant_id: str | None = None,
        by_hand: bool = False,
    ) -> None:
        self.trigger_id, self.fired, self.variant_id = trigger_id, fired, variant_id
        self.accepted, self.dismissed, self.chatted = bool(accepted), bool(dismissed), bool(chatted)
        self.shown = bool(shown)
        self.by_hand = bool(by_hand)


async def invitation_rows(
    session: AsyncSession, site_id: str, start: datetime, end: datetime
) -> list[InvitationRow]:
    """Invitations of the site fired in [start, end) (index ``ix_invitations_site_fired``)."""
    rows = await core_rows(
        session,
        select(
            Invitation.trigger_id,
            epoch(Invitation.fired_at),
            Invitation.accepted_at.is_not(None),
            Invitation.dismissed_at.is_not(None),
            Invitation.chat_id.is_not(None),
            Invitation.shown_at.is_not(None),
            Invitation.variant_id,
            Invitation.by_hand,
        ).where(
            Invitation.site_id == site_id,
            Invitation.fired_at >= start,
            Invitation.fired_at < end,
        ),
    )
    return [InvitationRow(*row) for row in rows]


def count_invitations(rows: Iterable[InvitationRow]) -> Invitations:
    rows = list(rows)
    return Invitations(
        fired=len(rows),
        shown=sum(1 for r in rows if r.shown),
        accepted=sum(1 for r in rows if r.accepted),
        dismissed=sum(1 for r in rows if r.dismissed),
        chats=sum(1 for r in rows if r.chatted),
        by_hand=sum(1 for r in rows if r.by_hand),
    )


class OrderRow:
    """One assisted order: when it was reported, its value, and who ordered."""

    __slots__ = ("at", "value", "visitor_id")

    def __init__(self, at: float, value: float, visitor_id: str = "") -> None:
        self.at, self.value, self.visitor_id = at, value, visitor_id


async def assisted_orders(
    session: AsyncSession, site_id: str, start: datetime, end: datetime, assist_window_s: float
) -> list[OrderRow]:
    """``order.completed`` events of [start, end) whose visitor had an agent's first answer in a
    chat at most ``assist_window_s`` before (``ix_visitor_events_site_name_created``, then
    ``ix_chats_visitor_answered`` per order, index-only). An ``order_id`` reported again counts
    once, at its first report in the window; an event without one counts by itself."""
    answered_before = staffing.answered_before_order(assist_window_s)
    rows = await core_rows(
        session,
        select(VisitorEvent.data, epoch(VisitorEvent.created_at), VisitorEvent.visitor_id)
        .where(
            VisitorEvent.site_id == site_id,
            VisitorEvent.name == ORDER_EVENT,
            VisitorEvent.created_at >= start,
            VisitorEvent.created_at < end,
            answered_before,
        )
        .order_by(VisitorEvent.created_at, VisitorEvent.id),
    )
    seen: set[str] = set()
    out = []
    for data, at, visitor_id in rows:
        data = data if isinstance(data, dict) else {}
        order_id = data.get("order_id")
        if order_id is not None and order_id != "":
            if str(order_id) in seen:
                continue
            seen.add(str(order_id))
        value = data.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float):
            value = 0.0
        out.append(OrderRow(at, float(value) if math.isfinite(value) else 0.0, visitor_id))
    return out


def count_orders(rows: Iterable[OrderRow]) -> Orders:
    rows = list(rows)
    return Orders(assisted=len(rows), revenue=round(sum(r.value for r in rows), 2))


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


def figures(
    chats: Iterable[ChatTimes],
    now: datetime,
    invitations: Invitations | None = None,
    orders: Orders | None = None,
) -> Figures:
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
        and not c.offline
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
        offline=sum(1 for c in chats if c.offline),
        first_response_s=FirstResponse(
            avg=average(responses),
            p50=percentile(responses, 50),
            p90=percentile(responses, 90),
        ),
        wait_s=Wait(avg=average(waits), p90=percentile(waits, 90)),
        duration_s=Duration(avg=average(durations)),
        answered_within_60s_pct=(round(100 * len(in_time) / len(judged), 1) if judged else None),
        csat=csat(chats),
        invitations=invitations,
        orders=orders,
    )


def _buckets(
    zone: ZoneInfo, unit: str, start: datetime, end: datetime
) -> Callable[[float], tuple[str, str]]:
    """Hours or days of the zone's clock over [start, end): each moment (a chat's start, an
    invitation's firing, an order) falls into the one it is in. Bucket edges are computed once
    (daylight saving included) and each moment is placed by bisection, so no timestamp is
    converted per row."""
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

    def key(stamp: float) -> tuple[str, str]:
        # To the millisecond: epoch arithmetic in the database is microseconds off at worst.
        return labels[max(0, bisect_right(stamps, round(stamp, 3)) - 1)]

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
    assist_window_s: float = ASSIST_WINDOW_S,
) -> KpiReport:
    chats = await chat_times(session, site_id, start, end, with_trigger=group_by == "trigger")
    invites = await invitation_rows(session, site_id, start, end)
    orders = await assisted_orders(session, site_id, start, end, assist_window_s)
    zone = ZoneInfo(timezone)
    # Agent time is measured over the window's past: [start, min(end, now)).
    lo, hi = start.timestamp(), min(end, now).timestamp()
    window_s = max(0.0, hi - lo)
    started = (
        (c.agent_id, None if c.wait_s is None else c.created + c.wait_s, c.closed) for c in chats
    )
    times, recorded = await staffing.agent_times(session, site_id, lo, hi, start, end, started)
    everyone = staffing.AgentTime()
    for time in times.values():
        everyone.extend(time)
    groups: list[Group] = []
    if group_by is not None:
        keyed: dict[str | None, tuple[str, list[ChatTimes]]] = {}
        label_of = await _labeller(session, site_id, group_by, zone, start, end)
        for chat in chats:
            key, label = label_of(chat)
            keyed.setdefault(key, (label, []))[1].append(chat)
        if group_by == "agent":
            # An agent online in the window without a chat started in it still has a group.
            names = await _agent_names(session, site_id)
            for agent_id in times:
                keyed.setdefault(agent_id, (names.get(agent_id, NO_AGENT), []))
        # Invitations and orders by the same keys where the grouping applies to them (an
        # invitation has no agent or skill, an order no agent, skill or trigger): else null.
        place = await _placer(session, site_id, group_by, zone, start, end)
        invited: dict[str | None, list[InvitationRow]] | None = None
        ordered: dict[str | None, list[OrderRow]] | None = None
        if place is not None:
            invited = {}
            for row in invites:
                key, label = place(row.trigger_id, row.fired)
                keyed.setdefault(key, (label, []))
                invited.setdefault(key, []).append(row)
            if group_by != "trigger":
                ordered = {}
                for order in orders:
                    key, label = place(None, order.at)
                    keyed.setdefault(key, (label, []))
                    ordered.setdefault(key, []).append(order)
        groups = []
        for key, (label, members) in sorted(keyed.items(), key=lambda kv: kv[0] or ""):
            group = figures(
                members,
                now,
                None if invited is None else count_invitations(invited.get(key, [])),
                None if ordered is None else count_orders(ordered.get(key, [])),
            )
            taken = sum(1 for c in members if c.wait_s is not None)
            if group_by == "agent" and key is not None:
                time = times.get(key, staffing.AgentTime())
                group.utilisation = staffing.utilisation(time, recorded, taken, None)
                group.concurrent = staffing.concurrent(time.chats, window_s)
            elif group_by == "site":
                group.utilisation = staffing.site_utilisation(times, recorded, taken, len(orders))
                group.concurrent = staffing.concurrent(everyone.chats, window_s)
            groups.append(Group(key=key, label=label, **dict(group)))
        if group_by == "trigger" and invited is not None:
            per_variant = await _by_variant(session, site_id, invited, orders, assist_window_s)
            groups = [g.model_copy(update={"variants": per_variant.get(g.key, [])}) for g in groups]
    totals = figures(chats, now, count_invitations(invites), count_orders(orders))
    totals.utilisation = staffing.site_utilisation(
        times, recorded, sum(1 for c in chats if c.wait_s is not None), len(orders)
    )
    totals.concurrent = staffing.concurrent(everyone.chats, window_s)
    hours = staffing.HourOfWeek(zone, lo, hi)
    heat = staffing.heatmap(
        hours,
        (c.created for c in chats),
        (w for c in chats if (w := _waiting(c, lo, hi)) is not None),
        everyone.online,
        recorded,
    )
    return KpiReport.model_validate(
        {
            "from": iso(start),
            "to": iso(end),
            "timezone": timezone,
            "group_by": group_by,
            "totals": totals,
            "groups": groups,
            "staffing": heat,
            "conversion": await staffing.conversion(
                session, site_id, start, end, assist_window_s, ORDER_EVENT
            ),
        }
    )


def _waiting(chat: ChatTimes, lo: float, hi: float) -> tuple[float, float] | None:
    """A chat waits from its start until an agent takes it, it closes, or now."""
    until = chat.created + chat.wait_s if chat.wait_s is not None else chat.closed
    return staffing.clip(chat.created, until, lo, hi)


NO_AGENT = "No agent"


async def _agent_names(session: AsyncSession, site_id: str) -> dict[str, str]:
    rows = await session.execute(select(Agent.id, Agent.name).where(Agent.site_id == site_id))
    return {row.id: row.name for row in rows}


async def _placer(
    session: AsyncSession,
    site_id: str,
    group_by: GroupBy,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
) -> Callable[[str | None, float], tuple[str | None, str]] | None:
    """The group of an invitation (its trigger, its time) or an order (its time), or None where
    the grouping does not apply to them (agent, skill)."""
    if group_by in ("hour", "day"):
        bucket = _buckets(zone, group_by, start, end)
        return lambda _trigger, stamp: bucket(stamp)
    if group_by == "trigger":
        names = await _trigger_names(session, site_id)
        return lambda trigger_id, _stamp: (trigger_id, names.get(trigger_id or "", NO_TRIGGER))
    if group_by == "site":
        return lambda _trigger, _stamp: (site_id, "This site")
    return None


NO_TRIGGER = "No trigger"


async def _by_variant(
    session: AsyncSession,
    site_id: str,
    invited: dict[str | None, list[InvitationRow]],
    orders: list[OrderRow],
    assist_window_s: float,
) -> dict[str | None, list[VariantFigures]]:
    """Each trigger's invitations per A/B variant, in the trigger's variant order (variants with
    nothing in the window included), and the assisted orders each variant led to: an order goes
    to the variant of the invitation whose chat had the latest agent answer before the order
    within the assist window (the same answer that makes it assisted)."""
    variants_now: dict[str, list[dict[str, Any]]] = {
        row.id: variants_of(row.variants, row.message)
        for row in await session.execute(
            select(Trigger.id, Trigger.variants, Trigger.message).where(Trigger.site_id == site_id)
        )
    }
    credited = await _orders_by_variant(session, site_id, orders, assist_window_s)
    out: dict[str | None, list[VariantFigures]] = {}
    for trigger_id in set(invited) | set(variants_now):
        known = variants_now.get(trigger_id or "", [])
        rows: dict[str | None, list[InvitationRow]] = {v["id"]: [] for v in known}
        for row in invited.get(trigger_id, []):
            rows.setdefault(row.variant_id, []).append(row)
        if trigger_id is None and not any(rows.values()):
            continue
        by_id = {v["id"]: v for v in known}
        out[trigger_id] = [
            VariantFigures(
                key=variant_id,
                label=str(by_id[variant_id]["message"])
                if variant_id in by_id
                else variant_id or "No variant",
                weight=float(by_id[variant_id]["weight"]) if variant_id in by_id else None,
                invitations=count_invitations(members),
                orders=count_orders(credited.get((trigger_id, variant_id), [])),
            )
            for variant_id, members in rows.items()
        ]
    return out


async def _orders_by_variant(
    session: AsyncSession, site_id: str, orders: list[OrderRow], assist_window_s: float
) -> dict[tuple[str | None, str | None], list[OrderRow]]:
    """The assisted orders per (trigger, variant) of the invitation they followed (see above);
    orders whose answered chat came from no invitation are left out."""
    visitors = {o.visitor_id for o in orders}
    if not visitors:
        return {}
    # Only answers that can precede an order within the window count: read the chats answered
    # in that span (``ix_chats_site_answered``, a second to spare for the epoch arithmetic),
    # then their invitations (``ix_invitations_chat``), rather than every invitation of the
    # ordering visitors (invitations have no index by visitor).
    earliest = min(o.at for o in orders) - assist_window_s - 1.0
    latest = max(o.at for o in orders) + 1.0
    answers: dict[str, list[tuple[float, str | None, str | None]]] = {}
    rows = await core_rows(
        session,
        select(
            Invitation.visitor_id,
            epoch(Chat.first_response_at),
            Invitation.trigger_id,
            Invitation.variant_id,
        )
        .select_from(Chat)
        .join(Invitation, Invitation.chat_id == Chat.id)
        .where(
            Chat.site_id == site_id,
            Chat.first_response_at >= datetime.fromtimestamp(earliest, UTC),
            Chat.first_response_at <= datetime.fromtimestamp(latest, UTC),
            Invitation.site_id == site_id,
        ),
    )
    for visitor_id, answered, trigger_id, variant_id in rows:
        if visitor_id not in visitors:
            continue
        answers.setdefault(visitor_id, []).append((answered, trigger_id, variant_id))
    out: dict[tuple[str | None, str | None], list[OrderRow]] = {}
    for order in orders:
        before = [
            a
            for a in answers.get(order.visitor_id, [])
            if order.at - assist_window_s <= a[0] <= order.at
        ]
        if before:
            _, trigger_id, variant_id = max(before, key=lambda a: a[0])
            out.setdefault((trigger_id, variant_id), []).append(order)
    return out


async def _trigger_names(session: AsyncSession, site_id: str) -> dict[str, str]:
    rows = await session.execute(select(Trigger.id, Trigger.name).where(Trigger.site_id == site_id))
    return {row.id: row.name for row in rows}


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
        return lambda c: bucket(c.created)
    if group_by == "trigger":
        names = await _trigger_names(session, site_id)
        return lambda c: (c.trigger_id, names.get(c.trigger_id or "", NO_TRIGGER))
    if group_by == "agent":
        names = await _agent_names(session, site_id)
        return lambda c: (c.agent_id, names.get(c.agent_id or "", NO_AGENT))
    if group_by == "skill":
        return lambda c: (c.skill, c.skill or "No skill")
    return lambda c: (c.site_id, "This site")
