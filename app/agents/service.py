"""Agents: accounts, login, and presence (status plus a heartbeat that expires)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.agents.models import Agent, AgentSkill
from app.agents.passwords import hash_password, verify_password
from app.common.actor import STAFF_ROLES, Actor
from app.common.errors import Conflict, Forbidden, NotFound, Unauthorized
from app.common.events import CLOSE_SESSION_CHANGED, SESSION_CLOSED, agent_topic, site_topic
from app.common.tokens import TokenClaims, issue, verify
from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.routing import handover
from app.routing import service as routing
from app.routing.policy import RoutingPolicy

ROLES = ("agent", "supervisor", "admin")
STATUSES = ("online", "busy", "away", "offline")


def agent_view(agent: Agent) -> dict[str, Any]:
    return {
        "id": agent.id,
        "email": agent.email,
        "name": agent.name,
        "role": agent.role,
        "avatar_url": agent.avatar_url,
        "site_id": agent.site_id,
        "skills": agent.skills,
        "max_chats": agent.max_chats,
        "status": agent.status,
        "active_chats": agent.active_chats,
        "active": agent.active,
    }


def skill_rows(skills: list[str]) -> list[AgentSkill]:
    """One row per distinct skill: a name given twice ("billing", "billing ") is one skill."""
    names = dict.fromkeys(s.strip() for s in skills)
    return [AgentSkill(skill=name) for name in names if name]


async def create_agent(
    session: AsyncSession,
    site_id: str,
    email: str,
    name: str,
    password: str,
    role: str = "agent",
    skills: list[str] | None = None,
    max_chats: int = 3,
    avatar_url: str | None = None,
) -> Agent:
    email = email.strip().lower()
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if await session.scalar(select(Agent.id).where(Agent.email == email)) is not None:
        raise Conflict(f"an agent with e-mail {email} exists")
    agent = Agent(
        site_id=site_id,
        email=email,
        name=name,
        password_hash=hash_password(password),
        role=role,
        max_chats=max_chats,
        avatar_url=avatar_url,
        skill_rows=skill_rows(skills or []),
    )
    session.add(agent)
    await session.flush()
    return agent


async def update_agent(
    uow: UnitOfWork, site_id: str, agent_id: str, changes: dict[str, Any], policy: RoutingPolicy
) -> Agent:
    """Change an agent's profile, skills or capacity; waiting chats may now fit them."""
    await routing.lock_site(uow, site_id)
    agent = await uow.session.get(Agent, agent_id)
    if agent is None or agent.site_id != site_id:
        raise NotFound("no such agent")
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
    await routing.drain_queue(uow, site_id, policy)
    await uow.session.refresh(agent)
    return agent


def end_sessions(uow: UnitOfWork, agent: Agent, reason: str) -> None:
    """Close every socket of the agent on every process (after commit)."""
    uow.emit(
        agent_topic(agent.id),
        {"type": SESSION_CLOSED, "code": CLOSE_SESSION_CHANGED, "reason": reason},
    )


def revoke_tokens(uow: UnitOfWork, agent: Agent, reason: str) -> None:
    """Every token issued to the agent so far stops working, and their sockets close."""
    agent.token_epoch += 1
    end_sessions(uow, agent, reason)


async def _agent_of_site(uow: UnitOfWork, site_id: str, agent_id: str) -> Agent:
    agent = await uow.session.get(Agent, agent_id)
    if agent is None or agent.site_id != site_id:
        raise NotFound("no such agent")
    return agent


async def set_active(
    uow: UnitOfWork, admin: Actor, agent_id: str, active: bool, policy: RoutingPolicy
) -> Agent:
    """Deactivate (they leave at once: offline, chats back to the queue, tokens revoked) or
    reactivate an agent; the account and its history stay."""
    await routing.lock_site(uow, admin.site_id)
    agent = await _agent_of_site(uow, admin.site_id, agent_id)
    if agent.id == admin.id and not active:
        raise Conflict("you cannot deactivate your own account")
    if agent.active == active:
        return agent
    agent.active = active
    if not active:
        revoke_tokens(uow, agent, "deactivated")
        await set_status(uow, agent, "offline", policy, reason="deactivated")
        await handover.requeue_chats_of(uow, agent, policy)
    await uow.session.flush()
    return agent


async def reset_password(uow: UnitOfWork, admin: Actor, agent_id: str, password: str) -> Agent:
    """An admin sets a new password; the agent logs in again everywhere."""
    agent = await _agent_of_site(uow, admin.site_id, agent_id)
    agent.password_hash = hash_password(password)
    revoke_tokens(uow, agent, "password_reset")
    await uow.session.flush()
    return agent


async def change_own_password(uow: UnitOfWork, agent_id: str, current: str, new: str) -> Agent:
    """The agent's own change: other sessions end; the caller gets a fresh token."""
    agent = await uow.session.get_one(Agent, agent_id)
    if not verify_password(agent.password_hash, current):
        raise Forbidden("the current password is wrong")
    agent.password_hash = hash_password(new)
    revoke_tokens(uow, agent, "password_changed")
    await uow.session.flush()
    return agent


async def authenticate(session: AsyncSession, email: str, password: str) -> Agent:
    agent = (
        await session.execute(select(Agent).where(Agent.email == email.strip().lower()))
    ).scalar_one_or_none()
    if not verify_password(agent.password_hash if agent else None, password) or agent is None:
        raise Unauthorized("wrong e-mail or password")
    if not agent.active:
        # Said only to someone who knows the password: it tells them whom to ask.
        raise Unauthorized("this account is deactivated; ask an administrator")
    return agent


def issue_token(agent: Agent, secret: str, ttl_s: int) -> str:
    claims = TokenClaims(
        subject=agent.id, site_id=agent.site_id, type="agent", epoch=agent.token_epoch
    )
    return issue(secret, claims, ttl_s)


async def agent_for_token(session: AsyncSession, secret: str, token: str) -> Agent | None:
    """The agent a token names, if the token is valid and still honoured: the agent is active
    and no reset or deactivation has revoked it since. Read from the database on every call,
    so a revocation takes effect on every process at once."""
    claims = verify(secret, token, "agent")
    if claims is None:
        return None
    agent = await session.get(Agent, claims.subject)
    if agent is None or not agent.active or agent.token_epoch != claims.epoch:
        return None
    return agent


def actor_of(agent: Agent) -> Actor:
    return Actor(type="agent", id=agent.id, site_id=agent.site_id, role=agent.role, name=agent.name)


async def connect(
    uow: UnitOfWork, agent_id: str, policy: RoutingPolicy, go_online: bool = True
) -> Agent:
    """An agent's socket opened: alive now; offline becomes online (busy/away are kept).

    Supervisors and admins come in watching: offline becomes away, so they are never handed
    customers until they set themselves online.
    """
    agent = await uow.session.get_one(Agent, agent_id)
    agent.last_seen_at = agent.last_active_at = utcnow()
    if agent.status == "offline":
        if agent.role in STAFF_ROLES:
            await set_status(uow, agent, "away", policy)
        elif go_online:
            await set_status(uow, agent, "online", policy)
    return agent


async def set_status(
    uow: UnitOfWork,
    agent: Agent,
    status: str,
    policy: RoutingPolicy,
    reason: str | None = None,
    announce: bool = False,
) -> None:
    """Change an agent's status, tell the site, and let the queue move if they came online.

    ``announce``: tell the site even when nothing changed (an agent's own ``presence.set`` is
    always answered with ``presence.update``).
    """
    await routing.lock_site(uow, agent.site_id)
    changed = agent.status != status
    agent.status = status
    agent.last_seen_at = agent.last_seen_at or utcnow()
    await uow.session.flush()
    if changed or announce:
        frame: dict[str, Any] = {
            "type": "presence.update",
            "agent_id": agent.id,
            "status": status,
            "active_chats": agent.active_chats,
        }
        if reason:
            frame["reason"] = reason
        uow.emit(site_topic(agent.site_id), frame, audience="staff")
    if status == "online":
        await routing.drain_queue(uow, agent.site_id, policy)


async def set_status_by_id(
    uow: UnitOfWork, agent_id: str, status: str, policy: RoutingPolicy
) -> Agent:
    agent = await uow.session.get_one(Agent, agent_id)
    agent.last_seen_at = agent.last_active_at = utcnow()
    await set_status(uow, agent, status, policy, announce=True)
    return agent


async def heartbeat(session: AsyncSession, alive: set[str], active: set[str]) -> None:
    """Refresh the agents with a socket on this process; ``active`` also did something."""
    now = utcnow()
    if alive:
        await session.execute(update(Agent).where(Agent.id.in_(alive)).values(last_seen_at=now))
    if active:
        await session.execute(update(Agent).where(Agent.id.in_(active)).values(last_active_at=now))


async def expire_presence(uow: UnitOfWork, policy: RoutingPolicy) -> list[str]:
    """Agents whose heartbeat stopped (socket gone, process killed) go offline and hand their
    chats back to the queue."""
    cutoff = utcnow() - timedelta(seconds=policy.presence_grace_s)
    stale = list(
        (
            await uow.session.execute(
                select(Agent)
                .where(Agent.status != "offline", Agent.last_seen_at < cutoff)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
    )
    for agent in stale:
        await set_status(uow, agent, "offline", policy, reason="connection_lost")
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
                .where(Agent.status == "online", Agent.last_active_at < cutoff)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
    )
    for agent in idle:
        # The agent hears it too (agents follow their site's presence), reason "idle".
        await set_status(uow, agent, "away", policy, reason="idle")
    return [a.id for a in idle]
