"""Agent changes that move chats: status and presence, capacity and skills, deactivation.

Each of them can free or fill chat slots, so they need the agents' data and routing together
and live here, above both; ``app/agents`` keeps accounts, login and tokens.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.agents.models import Agent
from app.agents.service import (
    agent_of_site,
    end_sessions,
    record_status,
    revoke_tokens,
    skill_rows,
)
from app.common.actor import STAFF_ROLES, Actor
from app.common.enums import AgentStatus
from app.common.errors import Conflict
from app.common.events import site_topic
from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.routing import assignment, claim, handover
from app.routing.policy import RoutingPolicy
from app.routing.schemas import PresenceReason, PresenceUpdate


async def update_agent(
    uow: UnitOfWork, site_id: str, agent_id: str, changes: dict[str, Any], policy: RoutingPolicy
) -> Agent:
    """Change an agent's profile, skills or capacity; waiting chats may now fit them."""
    await claim.lock_site(uow, site_id)
    agent = await agent_of_site(uow, site_id, agent_id)
    skills = changes.pop("skills", None)
    role_changed = "role" in changes and changes["role"] != agent.role
    for field, value in changes.items():
        setattr(agent, field, value)
    if role_changed:
        # Open sockets were authorised for the old role (a supervisor's subscriptions): they
        # end, and reconnect with what the new role allows.
        end_sessions(uow, agent, "role_changed")
    if skills is not None:
        agent.skill_rows = skill_rows(skills)
    await uow.session.flush()
    await assignment.drain_queue(uow, site_id, policy)
    await uow.session.refresh(agent)
    return agent


async def set_active(
    uow: UnitOfWork, admin: Actor, agent_id: str, active: bool, policy: RoutingPolicy
) -> Agent:
    """Deactivate (they leave at once: offline, chats back to the queue, tokens revoked) or
    reactivate an agent; the account and its history stay."""
    await claim.lock_site(uow, admin.site_id)
    agent = await agent_of_site(uow, admin.site_id, agent_id)
    if agent.id == admin.id and not active:
        raise Conflict("you cannot deactivate your own account")
    if agent.active == active:
        return agent
    agent.active = active
    if not active:
        revoke_tokens(uow, agent, "deactivated")
        await set_status(uow, agent, AgentStatus.OFFLINE, policy, reason="deactivated")
        await handover.requeue_chats_of(uow, agent, policy)
    await uow.session.flush()
    return agent


async def connect(
    uow: UnitOfWork, agent_id: str, policy: RoutingPolicy, go_online: bool = True
) -> Agent:
    """An agent's socket opened: alive now; offline becomes online (busy/away are kept).

    Supervisors and admins come in watching: offline becomes away, so they are never handed
    customers until they set themselves online.
    """
    agent = await uow.session.get_one(Agent, agent_id)
    agent.last_seen_at = agent.last_active_at = utcnow()
    if agent.status == AgentStatus.OFFLINE:
        if agent.role in STAFF_ROLES:
            await set_status(uow, agent, AgentStatus.AWAY, policy)
        elif go_online:
            await set_status(uow, agent, AgentStatus.ONLINE, policy)
    return agent


async def set_status(
    uow: UnitOfWork,
    agent: Agent,
    status: str,
    policy: RoutingPolicy,
    reason: PresenceReason | None = None,
    announce: bool = False,
    at: datetime | None = None,
) -> None:
    """Change an agent's status, tell the site, and let the queue move if they came online.

    ``announce``: tell the site even when nothing changed (an agent's own ``presence.set`` is
    always answered with ``presence.update``). ``at``: when the change happened, if earlier
    than now (an expired agent left at their last heartbeat); the status period starts then.
    """
    await claim.lock_site(uow, agent.site_id)
    changed = agent.status != status
    if changed:
        await record_status(uow.session, agent, status, at)
    agent.status = status
    agent.last_seen_at = agent.last_seen_at or utcnow()
    await uow.session.flush()
    if changed or announce:
        frame = PresenceUpdate(
            agent_id=agent.id,
            status=AgentStatus(status),
            active_chats=agent.active_chats,
            reason=reason,
        )
        uow.emit(site_topic(agent.site_id), frame, audience="staff")
    if status == AgentStatus.ONLINE:
        await assignment.drain_queue(uow, agent.site_id, policy)


async def set_status_by_id(
    uow: UnitOfWork, agent_id: str, status: str, policy: RoutingPolicy
) -> Agent:
    agent = await uow.session.get_one(Agent, agent_id)
    agent.last_seen_at = agent.last_active_at = utcnow()
    await set_status(uow, agent, status, policy, announce=True)
    return agent


async def expire_presence(uow: UnitOfWork, policy: RoutingPolicy) -> list[str]:
    """Agents whose heartbeat stopped (socket gone, process killed) go offline and hand their
    chats back to the queue."""
    cutoff = utcnow() - timedelta(seconds=policy.presence_grace_s)
    stale = list(
        (
            await uow.session.execute(
                select(Agent)
                .where(Agent.status != AgentStatus.OFFLINE, Agent.last_seen_at < cutoff)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
    )
    for agent in stale:
        # Gone since their last heartbeat (or their socket's end), on whichever process.
        await set_status(
            uow,
            agent,
            AgentStatus.OFFLINE,
            policy,
            reason="connection_lost",
            at=agent.last_seen_at,
        )
        await handover.requeue_chats_of(uow, agent, policy)
    return [a.id for a in stale]


async def idle_to_away(uow: UnitOfWork, policy: RoutingPolicy) -> list[str]:
    """Online agents who have done nothing in the console for a while stop receiving chats."""
    if policy.idle_away_s <= 0:
        return []
    cutoff = utcnow() - timedelta(seconds=policy.idle_away_s)
    idle = list(
        (
            await uow.session.execute(
                select(Agent)
                .where(Agent.status == AgentStatus.ONLINE, Agent.last_active_at < cutoff)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
    )
    for agent in idle:
        # The agent hears it too (agents follow their site's presence), reason "idle".
        await set_status(uow, agent, AgentStatus.AWAY, policy, reason="idle")
    return [a.id for a in idle]
