"""Who gets a chat: an atomic claim in the database, and a queue when nobody has room.

The claim never trusts a decision held in memory: it re-checks capacity and the chat's state in
conditional UPDATEs inside the caller's transaction. On PostgreSQL the row locks those UPDATEs
take make concurrent claims (from any process) serialise on the same agent; on SQLite every
write transaction is already exclusive (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Update, and_, func, select, update

from app.agents.models import Agent
from app.chat.models import Chat
from app.chat.views import agent_card, chat_summary
from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.realtime.events import agent_topic, visitor_topic
from app.visitors.models import Visitor

# Used for the wait estimate until the site has closed chats to learn handling time from.
DEFAULT_HANDLING_S = 180
_RECENT_CHATS = 50


@dataclass(frozen=True, slots=True)
class RoutingPolicy:
    presence_grace_s: float


async def assign_or_queue(uow: UnitOfWork, chat: Chat, policy: RoutingPolicy) -> Agent | None:
    """Give a queued chat to an agent with room, or tell the visitor where they stand."""
    agent = await _claim(uow, chat, policy)
    if agent is None:
        await announce_queue(uow, chat.site_id, policy)
    return agent


async def drain_queue(uow: UnitOfWork, site_id: str, policy: RoutingPolicy) -> int:
    """Assign waiting chats, longest-waiting first, until nobody has room; returns how many."""
    assigned = 0
    queued = await _queued_chats(uow, site_id)
    for chat in queued:
        if await _claim(uow, chat, policy) is None:
            break
        assigned += 1
    if assigned:
        await announce_queue(uow, site_id, policy)
    return assigned


async def announce_queue(uow: UnitOfWork, site_id: str, policy: RoutingPolicy) -> None:
    """Send every waiting visitor their position and expected wait."""
    queued = await _queued_chats(uow, site_id)
    if not queued:
        return
    per_chat_s = await _handling_time_s(uow, site_id)
    capacity = await _online_capacity(uow, site_id, policy)
    for position, chat in enumerate(queued, start=1):
        # Chats ahead of you are served `capacity` at a time, each taking about per_chat_s.
        rounds = math.ceil(position / max(capacity, 1))
        uow.emit(
            visitor_topic(chat.visitor_id),
            {
                "type": "chat.queued",
                "chat_id": chat.id,
                "position": position,
                "estimated_wait_s": int(rounds * per_chat_s),
            },
        )


def release_agent_slot(agent_id: str) -> Update:
    """The UPDATE that gives back one chat slot (never below zero)."""
    return (
        update(Agent)
        .where(Agent.id == agent_id, Agent.active_chats > 0)
        .values(active_chats=Agent.active_chats - 1)
    )


async def _claim(uow: UnitOfWork, chat: Chat, policy: RoutingPolicy) -> Agent | None:
    session = uow.session
    current = (
        await session.execute(select(Chat).where(Chat.id == chat.id).with_for_update())
    ).scalar_one()
    if current.status != "queued":
        return None
    now = utcnow()
    for agent in await _candidates(uow, chat.site_id, policy):
        claimed = await session.execute(
            update(Agent)
            .where(
                Agent.id == agent.id,
                Agent.status == "online",
                Agent.active_chats < Agent.max_chats,
            )
            .values(active_chats=Agent.active_chats + 1, last_assigned_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        current.status = "active"
        current.agent_id = agent.id
        current.assigned_at = now
        await session.flush()
        await session.refresh(agent)
        await _announce_assignment(uow, current, agent)
        return agent
    return None


async def _candidates(uow: UnitOfWork, site_id: str, policy: RoutingPolicy) -> list[Agent]:
    """Online agents of the site with room and a live heartbeat, least busy first."""
    alive_since = utcnow() - timedelta(seconds=policy.presence_grace_s)
    result = await uow.session.execute(
        select(Agent)
        .where(
            Agent.site_id == site_id,
            Agent.status == "online",
            Agent.active_chats < Agent.max_chats,
            Agent.last_seen_at >= alive_since,
        )
        .order_by(
            Agent.active_chats,
            Agent.last_assigned_at.is_not(None),
            Agent.last_assigned_at,
            Agent.id,
        )
    )
    return list(result.scalars())


async def chat_assigned_frame(uow: UnitOfWork, chat: Chat) -> dict[str, object]:
    """``chat.assigned`` as the agent receives it: the chat with its visitor and past chats."""
    visitor = await uow.session.get_one(Visitor, chat.visitor_id)
    previous = await previous_chats(uow, chat)
    return {
        "type": "chat.assigned",
        "chat_id": chat.id,
        "chat": chat_summary(chat, visitor, previous),
    }


async def _announce_assignment(uow: UnitOfWork, chat: Chat, agent: Agent) -> None:
    uow.emit(agent_topic(agent.id), await chat_assigned_frame(uow, chat))
    uow.emit(
        visitor_topic(chat.visitor_id),
        {
            "type": "chat.assigned",
            "chat_id": chat.id,
            "chat": {"id": chat.id},
            "agent": agent_card(agent),
        },
    )


async def previous_chats(uow: UnitOfWork, chat: Chat, limit: int = 10) -> list[Chat]:
    result = await uow.session.execute(
        select(Chat)
        .where(Chat.visitor_id == chat.visitor_id, Chat.id != chat.id)
        .order_by(Chat.created_at.desc())
        .limit(limit)
    )
    return list(result.scalars())


async def _queued_chats(uow: UnitOfWork, site_id: str) -> list[Chat]:
    result = await uow.session.execute(
        select(Chat)
        .where(Chat.site_id == site_id, Chat.status == "queued")
        .order_by(Chat.queued_at, Chat.id)
    )
    return list(result.scalars())


async def _handling_time_s(uow: UnitOfWork, site_id: str) -> float:
    recent = (
        select(Chat.assigned_at, Chat.closed_at)
        .where(
            and_(
                Chat.site_id == site_id,
                Chat.status == "closed",
                Chat.assigned_at.is_not(None),
                Chat.closed_at.is_not(None),
            )
        )
        .order_by(Chat.closed_at.desc())
        .limit(_RECENT_CHATS)
    )
    rows = (await uow.session.execute(recent)).all()
    durations = [(c - a).total_seconds() for a, c in rows if a and c]
    return sum(durations) / len(durations) if durations else DEFAULT_HANDLING_S


async def _online_capacity(uow: UnitOfWork, site_id: str, policy: RoutingPolicy) -> int:
    alive_since = utcnow() - timedelta(seconds=policy.presence_grace_s)
    total = await uow.session.scalar(
        select(func.coalesce(func.sum(Agent.max_chats), 0)).where(
            Agent.site_id == site_id, Agent.status == "online", Agent.last_seen_at >= alive_since
        )
    )
    return int(total or 0)
