"""The queue: waiting chats per skill, their places and expected waits, and the periodic recheck."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import and_, func, select

from app.agents.models import Agent, AgentSkill
from app.chat.models import Chat
from app.common.enums import AgentStatus, ChatStatus
from app.common.events import site_topic, visitor_topic
from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.jobs import service as jobs
from app.routing.claim import anyone_online_with, lock_site, site_policy
from app.routing.policy import RoutingPolicy, SitePolicy
from app.routing.schemas import ChatQueued, QueueUpdate

# Used for the wait estimate until the site has closed chats to learn handling time from.
DEFAULT_HANDLING_S = 180
_RECENT_CHATS = 50
QUEUE_RECHECK_JOB = "queue_recheck"
# While chats wait, the queue is looked at again this often even if no event wakes it, so a
# missed trigger (a crashed process, a clock-driven change) never leaves a visitor stuck.
QUEUE_RECHECK_S = 15.0


async def announce_queue(uow: UnitOfWork, site_id: str, policy: RoutingPolicy) -> None:
    """Tell each waiting visitor their place in their skill's queue and the expected wait,
    whenever either changed since they were last told."""
    await lock_site(uow, site_id)
    queued = await queued_chats(uow, site_id)
    waiting: dict[str, int] = {}
    for chat in queued:
        waiting[chat.skill or ""] = waiting.get(chat.skill or "", 0) + 1
    uow.emit(
        site_topic(site_id),
        QueueUpdate(waiting=waiting, total=len(queued)),
        audience="staff",
    )
    if not queued:
        return
    site = await site_policy(uow, site_id, policy)
    per_chat_s = await _handling_time_s(uow, site_id)
    positions: dict[str | None, int] = {}
    capacity: dict[str | None, int] = {}
    for chat in queued:
        key = chat.skill
        positions[key] = position = positions.get(key, 0) + 1
        if key not in capacity:
            capacity[key] = await _capacity(uow, site_id, key, site, policy)
        # Chats ahead are served `capacity` at a time, each taking about per_chat_s.
        eta = int(math.ceil(position / max(capacity[key], 1)) * per_chat_s)
        if (chat.queue_position, chat.queue_eta_s) == (position, eta):
            continue
        chat.queue_position, chat.queue_eta_s = position, eta
        uow.emit(
            visitor_topic(chat.visitor_id),
            ChatQueued(
                chat_id=chat.id,
                position=position,
                estimated_wait_s=eta,
                skill=key,
                agents_available=capacity[key] > 0,
            ),
        )
    await uow.session.flush()


async def queue_counts(uow: UnitOfWork, site_id: str) -> dict[str, int]:
    """Waiting chats per skill ("" for chats without one), for consoles."""
    rows = await uow.session.execute(
        select(Chat.skill, func.count())
        .where(Chat.site_id == site_id, Chat.status == ChatStatus.QUEUED)
        .group_by(Chat.skill)
    )
    return {skill or "": count for skill, count in rows.tuples()}


async def queued_chats(uow: UnitOfWork, site_id: str) -> list[Chat]:
    result = await uow.session.execute(
        select(Chat)
        .where(Chat.site_id == site_id, Chat.status == ChatStatus.QUEUED)
        .order_by(Chat.priority.desc(), Chat.queued_at, Chat.id)
    )
    return list(result.scalars())


async def _handling_time_s(uow: UnitOfWork, site_id: str) -> float:
    recent = (
        select(Chat.assigned_at, Chat.closed_at)
        .where(
            Chat.site_id == site_id,
            Chat.status == ChatStatus.CLOSED,
            Chat.assigned_at.is_not(None),
            Chat.closed_at.is_not(None),
        )
        .order_by(Chat.closed_at.desc())
        .limit(_RECENT_CHATS)
    )
    rows = (await uow.session.execute(recent)).tuples().all()
    durations = [(c - a).total_seconds() for a, c in rows if a and c]
    return sum(durations) / len(durations) if durations else DEFAULT_HANDLING_S


async def _capacity(
    uow: UnitOfWork, site_id: str, skill: str | None, site: SitePolicy, policy: RoutingPolicy
) -> int:
    """Chat slots of the online agents who could take chats of this skill."""
    if skill and site.skill_fallback and not await anyone_online_with(uow, site_id, skill, policy):
        skill = None
    alive_since = utcnow() - timedelta(seconds=policy.presence_grace_s)
    query = select(func.coalesce(func.sum(Agent.max_chats), 0)).where(
        Agent.site_id == site_id,
        Agent.status == AgentStatus.ONLINE,
        Agent.last_seen_at >= alive_since,
    )
    if skill:
        query = query.join(
            AgentSkill, and_(AgentSkill.agent_id == Agent.id, AgentSkill.skill == skill)
        )
    return int(await uow.session.scalar(query) or 0)


async def schedule_recheck(uow: UnitOfWork, site_id: str) -> None:
    await jobs.schedule(
        uow,
        f"queue:{site_id}",
        QUEUE_RECHECK_JOB,
        utcnow() + timedelta(seconds=QUEUE_RECHECK_S),
        {"site_id": site_id},
    )
