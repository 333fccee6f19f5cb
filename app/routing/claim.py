"""Claims: the row locks and the atomic slot updates every routing step is built from.

Nothing here trusts a decision held in memory. A chat slot is taken by one conditional UPDATE
(``active_chats < max_chats``) and the chat row is locked before it changes hands, inside the
caller's transaction: on PostgreSQL those row locks serialise concurrent claims from any process;
on SQLite every write transaction is already exclusive (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, and_, select, update

from app.agents.models import Agent, AgentSkill
from app.chat.models import Chat
from app.common.enums import AgentStatus
from app.common.events import site_topic
from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.routing.policy import RoutingPolicy, SitePolicy
from app.routing.schemas import PresenceUpdate
from app.sites.models import Site


async def site_policy(uow: UnitOfWork, site_id: str, policy: RoutingPolicy) -> SitePolicy:
    site = await uow.session.get_one(Site, site_id)
    return SitePolicy.of(site.settings, policy)


async def lock_site(uow: UnitOfWork, site_id: str) -> None:
    """Serialise routing changes of one site, across processes.

    Every operation that moves chats between the queue and agents takes this lock first, so
    such transactions queue up behind each other instead of locking chat rows in different
    orders (a deadlock on PostgreSQL). Sending messages never takes it. On SQLite the write
    transaction is already exclusive.
    """
    await uow.session.execute(select(Site.id).where(Site.id == site_id).with_for_update())


async def lock_chat(uow: UnitOfWork, chat_id: str) -> Chat | None:
    """The chat, locked for this transaction; None when no chat has this id."""
    result = await uow.session.execute(
        select(Chat)
        .where(Chat.id == chat_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def take_slot(uow: UnitOfWork, agent_id: str) -> bool:
    """Claim one chat slot of an online agent with room, atomically; False if none is left."""
    claimed = (
        await uow.session.execute(
            update(Agent)
            .where(
                Agent.id == agent_id,
                Agent.status == AgentStatus.ONLINE,
                Agent.active_chats < Agent.max_chats,
            )
            .values(active_chats=Agent.active_chats + 1, last_assigned_at=utcnow())
            .returning(Agent.site_id, Agent.status, Agent.active_chats)
            .execution_options(synchronize_session=False)
        )
    ).one_or_none()
    if claimed is not None:
        _announce_load(uow, agent_id, *claimed)
    return claimed is not None


async def force_slot(uow: UnitOfWork, agent_id: str) -> None:
    """Count one more chat for an agent whatever their status and room: a supervisor taking a
    chat over chose it themself, so neither being away nor being full stands in the way."""
    claimed = (
        await uow.session.execute(
            update(Agent)
            .where(Agent.id == agent_id)
            .values(active_chats=Agent.active_chats + 1)
            .returning(Agent.site_id, Agent.status, Agent.active_chats)
            .execution_options(synchronize_session=False)
        )
    ).one()
    _announce_load(uow, agent_id, *claimed)


async def release_slot(uow: UnitOfWork, agent_id: str) -> None:
    released = (
        await uow.session.execute(
            update(Agent)
            .where(Agent.id == agent_id, Agent.active_chats > 0)
            .values(active_chats=Agent.active_chats - 1)
            .returning(Agent.site_id, Agent.status, Agent.active_chats)
            .execution_options(synchronize_session=False)
        )
    ).one_or_none()
    if released is not None:
        _announce_load(uow, agent_id, *released)


def _announce_load(
    uow: UnitOfWork, agent_id: str, site_id: str, status: str, active_chats: int
) -> None:
    """An agent's load changed: consoles and supervisors show it."""
    uow.emit(
        site_topic(site_id),
        PresenceUpdate(agent_id=agent_id, status=AgentStatus(status), active_chats=active_chats),
        audience="staff",
    )


async def candidates(
    uow: UnitOfWork,
    chat: Chat,
    site: SitePolicy,
    policy: RoutingPolicy,
    exclude: frozenset[str] = frozenset(),
    prefer: str | None = None,
) -> list[Agent]:
    """Online agents with room and a live heartbeat who can take this chat, best first
    (``prefer`` before the others when they are among them)."""
    skill = chat.skill
    if (
        skill
        and site.skill_fallback
        and not await anyone_online_with(uow, chat.site_id, skill, policy)
    ):
        skill = None
    found = list(
        (await uow.session.execute(_available(chat.site_id, skill, policy, site))).scalars()
    )
    found.sort(key=lambda a: a.id != prefer)  # stable: the others keep their order
    preferred = [a for a in found if a.id not in exclude and a.id not in chat.passed_over]
    # Agents who let this chat's offer lapse get it again only when nobody else can.
    return preferred or [a for a in found if a.id not in exclude]


def _available(
    site_id: str, skill: str | None, policy: RoutingPolicy, site: SitePolicy
) -> Select[Agent]:
    alive_since = utcnow() - timedelta(seconds=policy.presence_grace_s)
    query = select(Agent).where(
        Agent.site_id == site_id,
        Agent.status == AgentStatus.ONLINE,
        Agent.active_chats < Agent.max_chats,
        Agent.last_seen_at >= alive_since,
    )
    if skill:
        query = query.join(
            AgentSkill, and_(AgentSkill.agent_id == Agent.id, AgentSkill.skill == skill)
        )
    # Least busy first, then whoever has waited longest for a chat; round robin only the latter.
    order = [] if site.assignment == "round_robin" else [Agent.active_chats]
    return query.order_by(
        *order, Agent.last_assigned_at.is_not(None), Agent.last_assigned_at, Agent.id
    )


async def anyone_online_with(
    uow: UnitOfWork, site_id: str, skill: str, policy: RoutingPolicy
) -> bool:
    alive_since = utcnow() - timedelta(seconds=policy.presence_grace_s)
    found = await uow.session.scalar(
        select(Agent.id)
        .join(AgentSkill, and_(AgentSkill.agent_id == Agent.id, AgentSkill.skill == skill))
        .where(
            Agent.site_id == site_id,
            Agent.status == AgentStatus.ONLINE,
            Agent.last_seen_at >= alive_since,
        )
        .limit(1)
    )
    return found is not None


async def could_take(
    uow: UnitOfWork, site_id: str, skill: str | None, policy: RoutingPolicy
) -> Agent | None:
    """The agent routing would pick first for a chat of this skill now (online, with room, a
    live heartbeat), or None: proactive invitations ask this before inviting."""
    site = await site_policy(uow, site_id, policy)
    found = await uow.session.execute(_available(site_id, skill, policy, site).limit(1))
    return found.scalars().first()
