"""Agents: accounts, login, and presence (status plus a heartbeat that expires)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.agents.models import Agent, AgentSkill
from app.agents.passwords import hash_password, verify_password
from app.common.errors import Conflict, Unauthorized
from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.realtime.events import site_topic
from app.routing import service as routing
from app.routing.service import RoutingPolicy

ROLES = ("agent", "supervisor", "admin")


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
    }


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
        skill_rows=[AgentSkill(skill=s.strip()) for s in (skills or []) if s.strip()],
    )
    session.add(agent)
    await session.flush()
    return agent


async def authenticate(session: AsyncSession, email: str, password: str) -> Agent:
    agent = (
        await session.execute(select(Agent).where(Agent.email == email.strip().lower()))
    ).scalar_one_or_none()
    if not verify_password(agent.password_hash if agent else None, password) or agent is None:
        raise Unauthorized("wrong e-mail or password")
    return agent


async def connect(uow: UnitOfWork, agent_id: str, policy: RoutingPolicy) -> Agent:
    """An agent's socket opened: alive now; offline becomes online (busy/away are kept)."""
    agent = await uow.session.get_one(Agent, agent_id)
    agent.last_seen_at = utcnow()
    if agent.status == "offline":
        await _set_status(uow, agent, "online", policy)
    return agent


async def set_status(uow: UnitOfWork, agent_id: str, status: str, policy: RoutingPolicy) -> Agent:
    agent = await uow.session.get_one(Agent, agent_id)
    agent.last_seen_at = utcnow()
    await _set_status(uow, agent, status, policy)
    return agent


async def heartbeat(session: AsyncSession, agent_ids: set[str]) -> None:
    if agent_ids:
        await session.execute(
            update(Agent).where(Agent.id.in_(agent_ids)).values(last_seen_at=utcnow())
        )


async def expire_presence(uow: UnitOfWork, policy: RoutingPolicy) -> list[str]:
    """Agents whose heartbeat stopped (socket gone, process killed) go offline."""
    cutoff = utcnow() - timedelta(seconds=policy.presence_grace_s)
    stale = (
        await uow.session.execute(
            select(Agent)
            .where(Agent.status != "offline", Agent.last_seen_at < cutoff)
            .with_for_update(skip_locked=True)
        )
    ).scalars()
    gone = []
    for agent in stale:
        await _set_status(uow, agent, "offline", policy)
        gone.append(agent.id)
    return gone


async def _set_status(uow: UnitOfWork, agent: Agent, status: str, policy: RoutingPolicy) -> None:
    changed = agent.status != status
    agent.status = status
    await uow.session.flush()
    if changed:
        uow.emit(
            site_topic(agent.site_id),
            {
                "type": "presence.update",
                "agent_id": agent.id,
                "status": status,
                "active_chats": agent.active_chats,
            },
            audience="staff",
        )
    if status == "online":
        await routing.drain_queue(uow, agent.site_id, policy)
