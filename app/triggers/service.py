"""Triggers: managing them, keeping the visit state they are evaluated on, and the invitation
lifecycle (fired, accepted, dismissed).

Evaluation runs on the server's clock whenever the visit changes (a page view, an event) and
when the visit's durable timer is due. Each visitor has at most one timer (``trigger:<id>``),
set to the first moment a trigger will hold (rules.first_time); a new page view or event
replaces it. The timer is a row in ``jobs``, so it survives a restart and one process claims
it; the invitation row is unique per (visitor, visit), so even two evaluations racing on two
processes invite once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.chat.queries import open_chat_id_of
from app.common.events import visitor_topic
from app.common.types import new_id, utcnow
from app.common.uow import UnitOfWork
from app.jobs import service as jobs
from app.jobs.service import JobHandler
from app.routing import claim
from app.routing.policy import RoutingPolicy
from app.triggers import schemas
from app.triggers.compiled import SiteTrigger, TriggerCache, changed
from app.triggers.models import Invitation, Trigger, TriggerSet, TriggerVisit
from app.triggers.rules import TIME_FIELDS, Facts, excluded, first_time, interval
from app.triggers.schemas import (
    InvitationAgent,
    InvitationDismissed,
    InvitationStats,
    RuleResult,
    SampleVisit,
    TriggerIn,
    TriggerOut,
    TriggerPreview,
    TriggerUpdate,
)
from app.triggers.variants import pick, variants_of
from app.visitors import live
from app.visitors.models import Visitor, VisitorSocket
from app.webhooks import outbox as webhooks

log = logging.getLogger(__name__)

TRIGGER_JOB = "trigger_check"
# Distinct visitor.event names remembered per visit for `event` rules; more are ignored.
MAX_EVENT_NAMES = 50


def job_key(visitor_id: str) -> str:
    return f"trigger:{visitor_id}"


@dataclass(frozen=True, slots=True)
class InvitePolicy:
    """Process-wide invitation parameters (from Settings)."""

    routing: RoutingPolicy
    cooldown_s: float
    visit_gap_s: float
    # The site's enabled triggers kept in this process (one cache per process: AppState's).
    triggers: TriggerCache = field(default_factory=TriggerCache, compare=False)


# --- managing triggers -------------------------------------------------------------------


def _texts(fields: dict[str, Any]) -> dict[str, Any]:
    """``message`` or ``variants`` as stored: the variants, and the first one's text as
    ``message`` (what older readers of a trigger show); a lone ``message`` clears variants."""
    variants = fields.pop("variants", None)
    if variants is not None:
        fields["variants"], fields["message"] = variants, variants[0]["message"]
    elif "message" in fields:
        fields["variants"] = None
    return fields


async def create(uow: UnitOfWork, site_id: str, body: TriggerIn) -> Trigger:
    now = utcnow()
    trigger = Trigger(
        site_id=site_id,
        **_texts(body.model_dump(mode="json")),
        created_at=now,
        updated_at=now,
    )
    uow.session.add(trigger)
    await uow.session.flush()
    await changed(uow.session, site_id)
    return trigger


async def update(uow: UnitOfWork, trigger: Trigger, body: TriggerUpdate) -> Trigger:
    for name, value in _texts(body.model_dump(mode="json", exclude_unset=True)).items():
        setattr(trigger, name, value)
    trigger.updated_at = utcnow()
    await uow.session.flush()
    await changed(uow.session, trigger.site_id)
    return trigger


async def delete(uow: UnitOfWork, trigger: Trigger) -> None:
    """Its invitations stay recorded (for the dashboard), without the trigger."""
    await uow.session.delete(trigger)
    await uow.session.flush()
    await changed(uow.session, trigger.site_id)


async def page(
    uow: UnitOfWork, site_id: str, limit: int, cursor: str | None
) -> tuple[list[Trigger], str | None]:
    """Triggers of the site in id order, ``limit`` at a time after ``cursor``."""
    query = select(Trigger).where(Trigger.site_id == site_id)
    if cursor:
        query = query.where(Trigger.id > cursor)
    rows = list((await uow.session.execute(query.order_by(Trigger.id).limit(limit + 1))).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


@dataclass(frozen=True, slots=True)
class TriggerStats:
    """A trigger's invitation counts, in all and per A/B variant id."""

    total: InvitationStats
    variants: dict[str | None, InvitationStats]


async def stats(uow: UnitOfWork, trigger_ids: list[str]) -> dict[str, TriggerStats]:
    """Invitations fired, shown, accepted and dismissed, per trigger and variant."""
    if not trigger_ids:
        return {}
    rows = await uow.session.execute(
        select(
            Invitation.trigger_id,
            Invitation.variant_id,
            func.count(),
            func.count(Invitation.shown_at),
            func.count(Invitation.accepted_at),
            func.count(Invitation.dismissed_at),
        )
        .where(Invitation.trigger_id.in_(trigger_ids))
        .group_by(Invitation.trigger_id, Invitation.variant_id)
    )
    out: dict[str, TriggerStats] = {}
    for tid, variant_id, fired, shown, accepted, dismissed in rows:
        found = out.setdefault(str(tid), TriggerStats(InvitationStats(), {}))
        found.variants[variant_id] = InvitationStats(
            fired=fired, shown=shown, accepted=accepted, dismissed=dismissed
        )
        for name in ("fired", "shown", "accepted", "dismissed"):
            total = found.total
            setattr(total, name, getattr(total, name) + getattr(found.variants[variant_id], name))
    return out


def view(trigger: Trigger, counts: TriggerStats | None = None) -> TriggerOut:
    per_variant = counts.variants if counts else {}
    return TriggerOut.model_validate(
        {
            "id": trigger.id,
            "name": trigger.name,
            "enabled": trigger.enabled,
            "conditions": trigger.conditions,
            "exclude_urls": trigger.exclude_urls,
            "message": trigger.message,
            "variants": [
                {**v, "invitations": per_variant.get(v["id"], InvitationStats())}
                for v in variants_of(trigger.variants, trigger.message)
            ],
            "open_panel": trigger.open_panel,
            "when_unavailable": trigger.when_unavailable,
            "skill": trigger.skill,
            "created_at": trigger.created_at,
            "updated_at": trigger.updated_at,
            "invitations": counts.total if counts else InvitationStats(),
        }
    )


# --- testing a trigger on a made-up visit -------------------------------------------------


def _rule_result(rule: dict[str, Any], facts: Facts, now: datetime) -> RuleResult:
    span = interval(rule, facts)
    field, value = rule["field"], rule["value"]
    if span is None:
        return RuleResult(**rule, holds=False, note="does not hold for this visit")
    lo, hi = span
    if field in TIME_FIELDS:
        what = "on the page" if field == "time_on_page_s" else "on the site"
        if lo is not None and lo > now:
            wait = round((lo - now).total_seconds(), 3)
            return RuleResult(
                **rule, holds=False, note=f"holds after {value} s {what} ({wait} s more)"
            )
        if hi is not None and now > hi:
            return RuleResult(**rule, holds=False, note=f"held only in the first {value} s {what}")
    return RuleResult(**rule, holds=True, note="holds")


async def preview(
    uow: UnitOfWork,
    site_id: str,
    trigger: TriggerIn,
    sample: SampleVisit,
    now: datetime,
    policy: InvitePolicy,
) -> TriggerPreview:
    """Judge ``trigger`` on a made-up visit with the same rules code as real visits, and say
    why it would not invite now. Nothing is stored or sent."""
    on_site = max(sample.time_on_site_s or 0.0, sample.time_on_page_s)
    facts = Facts(
        url=sample.url,
        page_started_at=now - timedelta(seconds=sample.time_on_page_s),
        visit_started_at=now - timedelta(seconds=on_site),
        page_views=sample.page_views,
        visit_count=sample.visit_count,
        returning=sample.visit_count > 1,
        cart_value=sample.cart_value,
        referrer=sample.referrer,
        language=sample.language,
        events=frozenset(sample.events),
    )
    conditions = trigger.conditions.model_dump(mode="json")
    rules = [_rule_result(rule, facts, now) for rule in conditions["rules"]]
    at = first_time(conditions, facts, now)
    after_s = None if at is None else round((at - now).total_seconds(), 3)
    excluded_by = next((p for p in trigger.exclude_urls if excluded(sample.url, [p])), None)
    agent = await claim.could_take(uow, site_id, trigger.skill, policy.routing)
    reasons = []
    if not trigger.enabled:
        reasons.append("the trigger is disabled")
    if excluded_by is not None:
        reasons.append(f"the URL matches the excluded pattern {excluded_by!r}")
    if after_s is None:
        which = "every rule must" if conditions["match"] == "all" else "one rule must"
        reasons.append(f"the rules do not hold for this visit ({which} hold)")
    elif after_s > 0:
        reasons.append(f"the rules hold only in {after_s} s")
    if agent is None and not trigger.when_unavailable:
        skill = f" with the skill {trigger.skill!r}" if trigger.skill else ""
        reasons.append(
            f"nobody{skill} can answer now (online, with room); with when_unavailable the "
            "shop invites anyway"
        )
    return TriggerPreview(
        fires=not reasons,
        rules_hold=after_s == 0,
        after_s=after_s,
        excluded_by=excluded_by,
        agent=(
            InvitationAgent(id=agent.id, name=agent.name, avatar_url=agent.avatar_url)
            if agent
            else None
        ),
        reasons=reasons,
        rules=rules,
    )


# --- the visit ---------------------------------------------------------------------------


async def page_viewed(
    uow: UnitOfWork,
    visitor_id: str,
    site_id: str,
    url: str,
    referrer: str | None,
    language: str | None,
    now: datetime,
    policy: InvitePolicy,
) -> datetime | None:
    """The visitor opened a page: time on page starts again. Returns when the visitor's
    trigger timer is now due (None: no timer), so the caller can wake its job loop then."""
    visit, version = await _visit(uow, visitor_id, site_id, now, policy)
    if visit.page_views == 0:
        visit.referrer = referrer  # where the visit came from
    visit.page_views += 1
    visit.url = url
    visit.page_started_at = visit.last_view_at = now
    if language:
        visit.language = language
    return await advance(uow, visit, version, now, policy)


async def event_seen(
    uow: UnitOfWork,
    visitor_id: str,
    site_id: str,
    name: str,
    data: dict[str, Any],
    now: datetime,
    policy: InvitePolicy,
) -> datetime | None:
    """A ``visitor.event``: remembered for ``event`` rules (and ``cart_value``)."""
    visit, version = await _visit(uow, visitor_id, site_id, now, policy)
    value = data.get("value")
    if name == "cart.updated" and isinstance(value, int | float) and not isinstance(value, bool):
        visit.cart_value = float(value)
    if name not in visit.events and len(visit.events) < MAX_EVENT_NAMES:
        visit.events = [*visit.events, name]
    return await advance(uow, visit, version, now, policy)


async def current_visit(
    uow: UnitOfWork, visitor_id: str, site_id: str, now: datetime, policy: InvitePolicy
) -> TriggerVisit:
    """The visitor's visit row, locked (an agent's invitation by hand belongs to it too)."""
    visit, _ = await _visit(uow, visitor_id, site_id, now, policy)
    return visit


async def _visit(
    uow: UnitOfWork, visitor_id: str, site_id: str, now: datetime, policy: InvitePolicy
) -> tuple[TriggerVisit, int | None]:
    """The visitor's visit row, locked for this transaction (a new visit after the gap), and
    the version of the site's triggers."""
    found = await _locked_visit(uow, visitor_id)
    if found is None:
        dialect = uow.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        await uow.session.execute(
            insert(TriggerVisit)
            .values(
                visitor_id=visitor_id,
                site_id=site_id,
                visit_no=1,
                visit_started_at=now,
                last_view_at=now,
                page_started_at=now,
                page_views=0,
                url="",
                events=[],
            )
            .on_conflict_do_nothing(index_elements=[TriggerVisit.visitor_id])
        )
        found = await _locked_visit(uow, visitor_id)
        assert found is not None
    visit, version = found
    if now - visit.last_view_at > timedelta(seconds=policy.visit_gap_s):
        visit.visit_no += 1
        visit.visit_started_at = visit.last_view_at = visit.page_started_at = now
        visit.page_views = 0
        visit.events = []
        visit.referrer = None
    return visit, version


async def _locked_visit(
    uow: UnitOfWork, visitor_id: str, skip_locked: bool = False
) -> tuple[TriggerVisit, int | None] | None:
    """The visit row, locked, with the site's trigger version read in the same statement
    (compiled.py: the triggers kept in this process are current if it is theirs)."""
    found = await uow.session.execute(
        select(TriggerVisit, TriggerSet.version)
        .outerjoin(TriggerSet, TriggerSet.site_id == TriggerVisit.site_id)
        .where(TriggerVisit.visitor_id == visitor_id)
        .with_for_update(of=TriggerVisit, skip_locked=skip_locked)
        .execution_options(populate_existing=True)
    )
    row = found.one_or_none()
    return None if row is None else (row[0], row[1])


# --- evaluation and firing ---------------------------------------------------------------


async def advance(
    uow: UnitOfWork,
    visit: TriggerVisit,
    version: int | None,
    now: datetime,
    policy: InvitePolicy,
) -> datetime | None:
    """Invite now if a trigger holds and nothing stands in the way; otherwise set (or clear)
    the visitor's timer for the first moment one will hold. Returns the timer's due time.

    The timer's row is written only when its moment changes (``timer_at``): a page view on
    which no trigger can hold, for a visitor without a timer, writes nothing but the visit."""
    # Nothing read here needs the visit's changes in the database first: they go in one
    # UPDATE at commit (the row is locked already), not one before each statement.
    with uow.session.no_autoflush:
        due = await _evaluate(uow, visit, version, now, policy)
        if due == visit.timer_at:
            return due
        key = job_key(visit.visitor_id)
        if due is None:
            if visit.timer_at is not None:
                await jobs.cancel(uow, key)
        else:
            await jobs.schedule(uow, key, TRIGGER_JOB, due, {"visitor_id": visit.visitor_id})
    visit.timer_at = due
    return due


@dataclass(frozen=True, slots=True)
class _Standing:
    """What the database says of the visitor, read in one statement once a trigger could
    hold: invited in this visit already, in an open chat, when they last said "no", and their
    visit count."""

    invited: bool
    chatting: bool
    dismissed_at: datetime | None
    visit_count: int | None


async def _standing(uow: UnitOfWork, visit: TriggerVisit) -> _Standing:
    visitor_id = visit.visitor_id
    row = (
        await uow.session.execute(
            select(
                select(Invitation.id)
                .where(Invitation.visitor_id == visitor_id, Invitation.visit_no == visit.visit_no)
                .limit(1)
                .scalar_subquery(),
                open_chat_id_of(visitor_id),
                select(func.max(Invitation.dismissed_at))
                .where(Invitation.visitor_id == visitor_id)
                .scalar_subquery(),
                select(Visitor.visit_count).where(Visitor.id == visitor_id).scalar_subquery(),
            )
        )
    ).one()
    return _Standing(
        invited=row[0] is not None,
        chatting=row[1] is not None,
        dismissed_at=row[2],
        visit_count=row[3],
    )


def _facts(visit: TriggerVisit, counted: int | None) -> Facts:
    visits = max(visit.visit_no, counted or 1)
    return Facts(
        url=visit.url,
        page_started_at=visit.page_started_at,
        visit_started_at=visit.visit_started_at,
        page_views=visit.page_views,
        visit_count=visits,
        returning=visits > 1,
        cart_value=visit.cart_value,
        referrer=visit.referrer,
        language=visit.language,
        events=frozenset(visit.events),
    )


def _may_hold(triggers: tuple[SiteTrigger, ...], facts: Facts, now: datetime) -> list[SiteTrigger]:
    """The triggers that can hold on this page from ``now`` on, judged on the visit row alone
    (URL, excluded URLs, times, page views, events...): those that cannot hold now cannot
    after a cool-down either. A trigger with a visit-count rule is kept (judged after the
    count is read)."""
    return [
        trigger
        for trigger in triggers
        if not excluded(facts.url, trigger.exclude_urls)
        and (trigger.needs_visit_count or first_time(trigger.conditions, facts, now) is not None)
    ]


async def _evaluate(
    uow: UnitOfWork, visit: TriggerVisit, version: int | None, now: datetime, policy: InvitePolicy
) -> datetime | None:
    waiting_since, visit.awaiting_agent_at = visit.awaiting_agent_at, None
    if visit.page_views == 0:
        return None  # nothing seen of this visit yet: never on arrival without a page view
    triggers = await policy.triggers.enabled(uow.session, visit.site_id, version)
    candidates = _may_hold(triggers, _facts(visit, None), now)
    if not candidates:
        return None  # most page views: nothing read, and no timer to set
    standing = await _standing(uow, visit)
    if standing.invited or standing.chatting:
        return None
    # After a dismissal nothing fires before the cool-down ends; rules are judged from then.
    not_before = now
    if standing.dismissed_at is not None:
        not_before = max(now, standing.dismissed_at + timedelta(seconds=policy.cooldown_s))
    facts = _facts(visit, standing.visit_count)
    timed = []
    for trigger in candidates:
        at = first_time(trigger.conditions, facts, not_before)
        if at is not None:
            timed.append((at, trigger))
    ready = [trigger for at, trigger in timed if at <= now]
    if ready:
        if not await _present(uow, visit.visitor_id):
            return None  # left: their next page view judges again
        for trigger in ready:
            if await _fire(uow, visit, trigger, now, policy):
                return None
        # It held but nobody could answer: an agent becoming available wakes this visitor's
        # timer (wake_waiting), as does their next page view or event.
        visit.awaiting_agent_at = waiting_since or now
    return min((at for at, _ in timed if at > now), default=None)


async def _present(uow: UnitOfWork, visitor_id: str) -> bool:
    """A socket of the visitor is open on some process (app/visitors/presence.py)."""
    found = await uow.session.scalar(
        select(VisitorSocket.id).where(VisitorSocket.visitor_id == visitor_id).limit(1)
    )
    return found is not None


async def _fire(
    uow: UnitOfWork, visit: TriggerVisit, trigger: SiteTrigger, now: datetime, policy: InvitePolicy
) -> bool:
    """Invite with ``trigger`` if someone could answer (or it says to anyway). One row per
    (visitor, visit): a second process racing here inserts nothing and sends nothing."""
    agent = await claim.could_take(uow, visit.site_id, trigger.skill, policy.routing)
    if agent is None and not trigger.when_unavailable:
        return False
    variants = variants_of(trigger.variants, trigger.message)
    assigned = None
    if len(variants) > 1:
        # Frozen once invited: the variant this visitor was last invited with (variants.py).
        assigned = await uow.session.scalar(
            select(Invitation.variant_id)
            .where(
                Invitation.visitor_id == visit.visitor_id,
                Invitation.trigger_id == trigger.id,
                Invitation.variant_id.is_not(None),
            )
            .order_by(Invitation.fired_at.desc())
            .limit(1)
        )
    variant = pick(variants, visit.visitor_id, trigger.id, assigned)
    message = str(variant["message"])
    dialect = uow.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    invitation_id = await uow.session.scalar(
        insert(Invitation)
        .values(
            id=new_id(),
            site_id=visit.site_id,
            trigger_id=trigger.id,
            visitor_id=visit.visitor_id,
            visit_no=visit.visit_no,
            agent_id=agent.id if agent else None,
            message=message,
            variant_id=str(variant["id"]),
            url=visit.url,
            fired_at=now,
        )
        .on_conflict_do_nothing(index_elements=[Invitation.visitor_id, Invitation.visit_no])
        .returning(Invitation.id)
    )
    if invitation_id is None:
        return True  # invited already, by another process
    frame = schemas.Invitation(
        invitation_id=invitation_id,
        trigger_id=trigger.id,
        message=message,
        open_panel=trigger.open_panel,
        variant_id=str(variant["id"]),
        agent=(
            InvitationAgent(id=agent.id, name=agent.name, avatar_url=agent.avatar_url)
            if agent
            else None
        ),
    )
    uow.emit(visitor_topic(visit.visitor_id), frame)
    live.changed(uow, visit.site_id, visit.visitor_id)
    webhooks.record(
        uow,
        trigger.site_id,
        "trigger.fired",
        {"visitor_id": visit.visitor_id, "trigger_name": trigger.name, **frame.dump()},
    )
    return True


# Visitors woken per queue drain at most; the rest wait for the next one (or a page view).
MAX_WOKEN = 500


async def wake_waiting(uow: UnitOfWork, site_id: str) -> None:
    """An agent of the site came online or capacity freed (routing drained the queue): the
    timers of visitors whose trigger held while nobody could answer run now. The timer is the
    same durable, claimed-once job as a time rule's, so with several processes one of them
    judges each visitor, and the invitation row stays unique per visit."""
    waiting = await uow.session.execute(
        select(TriggerVisit.visitor_id)
        .where(TriggerVisit.site_id == site_id, TriggerVisit.awaiting_agent_at.is_not(None))
        .order_by(TriggerVisit.awaiting_agent_at)
        .limit(MAX_WOKEN)
    )
    now = utcnow()
    for visitor_id in waiting.scalars():
        await jobs.schedule(uow, job_key(visitor_id), TRIGGER_JOB, now, {"visitor_id": visitor_id})


def handlers(
    policy: InvitePolicy, wake: Callable[[str, datetime | None], None]
) -> dict[str, JobHandler]:
    """The visitor's trigger timer; ``wake(key, due)`` tells this process's job loop when it is
    due next (other processes find it by polling)."""

    async def run(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        visitor_id = str(payload["visitor_id"])
        wake(job_key(visitor_id), await check(uow, visitor_id, utcnow(), policy))

    return {TRIGGER_JOB: run}


# A timer that found its visit locked by a page view runs again this much later.
RETRY_LOCKED = timedelta(seconds=1)


async def check(
    uow: UnitOfWork, visitor_id: str, now: datetime, policy: InvitePolicy
) -> datetime | None:
    """The visitor's timer is due (its job row claimed and deleted in this transaction):
    judge the triggers at ``now`` (the server's clock; tests pass their own) and set the
    timer again, or clear it.

    The job row is locked before the visit here, while a page view locks the visit before it
    sets the job: so a visit locked by a page view in progress is skipped, not waited for (a
    deadlock on PostgreSQL otherwise). That page view judges the triggers, but writes the
    timer only if its moment changed, so it may leave the row this run just deleted
    unwritten: the timer is set again a second later, to judge then (the invitation is still
    one per visit)."""
    found = await _locked_visit(uow, visitor_id, skip_locked=True)
    if found is None:
        there = await uow.session.scalar(
            select(TriggerVisit.visitor_id).where(TriggerVisit.visitor_id == visitor_id)
        )
        if there is None:
            return None  # erased, or never seen: nothing to judge
        again = now + RETRY_LOCKED
        await jobs.schedule(
            uow, job_key(visitor_id), TRIGGER_JOB, again, {"visitor_id": visitor_id}
        )
        return again
    visit, version = found
    visit.timer_at = None  # its row was claimed (deleted) in this transaction
    return await advance(uow, visit, version, now, policy)


# --- what the visitor does with an invitation ---------------------------------------------


async def _own(uow: UnitOfWork, visitor_id: str, invitation_id: str) -> Invitation | None:
    invitation = await uow.session.get(Invitation, invitation_id)
    return invitation if invitation is not None and invitation.visitor_id == visitor_id else None


async def dismiss(uow: UnitOfWork, visitor_id: str, invitation_id: str, now: datetime) -> bool:
    """The visitor said no: starts the cool-down; the visitor's other tabs hide it too.
    False when the visitor has no such invitation."""
    invitation = await _own(uow, visitor_id, invitation_id)
    if invitation is None:
        return False
    if invitation.dismissed_at is None and invitation.accepted_at is None:
        invitation.dismissed_at = now
        live.changed(uow, invitation.site_id, visitor_id)
    uow.emit(visitor_topic(visitor_id), InvitationDismissed(invitation_id=invitation.id))
    return True


async def shown(uow: UnitOfWork, visitor_id: str, invitation_id: str, now: datetime) -> bool:
    """The widget put the invitation on screen: the first report counts (a second tab, a
    reload, a repeat are ignored). False when the visitor has no such invitation."""
    invitation = await _own(uow, visitor_id, invitation_id)
    if invitation is None:
        return False
    if invitation.shown_at is None:
        invitation.shown_at = now
    return True


async def accept(
    uow: UnitOfWork, visitor_id: str, invitation_id: str, chat_id: str | None, now: datetime
) -> bool:
    """The visitor took the invitation up (opened the panel, or started the chat ``chat_id``).
    False when the visitor has no such invitation."""
    invitation = await _own(uow, visitor_id, invitation_id)
    if invitation is None:
        return False
    if invitation.accepted_at is None:
        invitation.accepted_at = now
        live.changed(uow, invitation.site_id, visitor_id)
    if chat_id is not None and invitation.chat_id is None:
        invitation.chat_id = chat_id
    return True
