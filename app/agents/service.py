"""Agents: accounts, login, tokens and the presence heartbeat. Status changes that move chats
(going online or offline, expiry, deactivation) live in routing/staff.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.agents.models import Agent, AgentPresence, AgentSkill
from app.agents.passwords import hash_password, verify_password
from app.agents.schemas import SessionClosed, SessionEndReason
from app.common.actor import Actor
from app.common.enums import Role
from app.common.errors import Conflict, Forbidden, Unauthorized
from app.common.events import agent_topic
from app.common.lookup import get_in_site
from app.common.tokens import TokenClaims, issue, verify
from app.common.types import utcnow
from app.common.uow import UnitOfWork

ROLES = tuple(Role)


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
    password_hash: str | None = None,
) -> Agent:
    """``password_hash``, when given, is ``password`` hashed beforehand (the demo's published
    passwords: a hash costs a tenth of a second, and every demo start would pay for four)."""
    email = email.strip().lower()
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if await session.scalar(select(Agent.id).where(Agent.email == email)) is not None:
        raise Conflict(f"an agent with e-mail {email} exists", field="email")
    agent = Agent(
        site_id=site_id,
        email=email,
        name=name,
        password_hash=password_hash or hash_password(password),
        role=role,
        max_chats=max_chats,
        avatar_url=avatar_url,
        skill_rows=skill_rows(skills or []),
    )
    session.add(agent)
    await session.flush()
    return agent


def end_sessions(uow: UnitOfWork, agent: Agent, reason: SessionEndReason) -> None:
    """Close every socket of the agent on every process (after commit)."""
    uow.emit(agent_topic(agent.id), SessionClosed(reason=reason))


def revoke_tokens(uow: UnitOfWork, agent: Agent, reason: SessionEndReason) -> None:
    """Every token issued to the agent so far stops working, and their sockets close."""
    agent.token_epoch += 1
    end_sessions(uow, agent, reason)


async def agent_of_site(uow: UnitOfWork, site_id: str, agent_id: str) -> Agent:
    return await get_in_site(uow.session, Agent, agent_id, site_id, "no such agent")


async def reset_password(uow: UnitOfWork, admin: Actor, agent_id: str, password: str) -> Agent:
    """An admin sets a new password; the agent logs in again everywhere."""
    agent = await agent_of_site(uow, admin.site_id, agent_id)
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
    return Actor(
        side="agent", id=agent.id, site_id=agent.site_id, role=Role(agent.role), name=agent.name
    )


async def heartbeat(session: AsyncSession, alive: set[str], active: set[str]) -> None:
    """Refresh the agents with a socket on this process; ``active`` also did something."""
    now = utcnow()
    if alive:
        await session.execute(update(Agent).where(Agent.id.in_(alive)).values(last_seen_at=now))
    if active:
        await session.execute(update(Agent).where(Agent.id.in_(active)).values(last_active_at=now))


async def record_status(
    session: AsyncSession, agent: Agent, status: str, at: datetime | None = None
) -> None:
    """Close the agent's open status period and open one for ``status`` from ``at`` (now by
    default). Called in the transaction that changes ``agents.status``, so the periods follow
    the column on every process; ``at`` before the open period's start is moved up to it, so a
    period never has a negative length."""
    at = at or utcnow()
    open_periods = (
        await session.execute(
            select(AgentPresence).where(
                AgentPresence.agent_id == agent.id, AgentPresence.ended_at.is_(None)
            )
        )
    ).scalars()
    for period in open_periods:
        at = max(at, period.started_at)
        period.ended_at = at
    session.add(
        AgentPresence(site_id=agent.site_id, agent_id=agent.id, status=status, started_at=at)
    )


async def socket_ended(session: AsyncSession, agent_id: str) -> None:
    """The agent's last socket on this process closed: they were last seen now. Another
    process's heartbeat moves this on if a socket of theirs is still open there; otherwise the
    expiry ends their status period at this moment, not at the last heartbeat before it."""
    await session.execute(update(Agent).where(Agent.id == agent_id).values(last_seen_at=utcnow()))
