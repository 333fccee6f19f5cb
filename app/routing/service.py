"""Who gets a chat: an atomic claim in the database, offers, and a fair queue per skill.

Nothing here trusts a decision held in memory. A chat slot is taken by one conditional UPDATE
(``active_chats < max_chats``) and the chat row is locked before it changes hands, inside the
caller's transaction: on PostgreSQL those row locks serialise concurrent claims from any process;
on SQLite every write transaction is already exclusive (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import Select, and_, func, select, update

from app.agents.models import Agent, AgentSkill
from app.chat.models import Chat
from app.chat.views import agent_card, chat_summary
from app.common.errors import BadRequest
from app.common.events import agent_topic, site_topic, visitor_topic
from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.jobs import service as jobs
from app.routing import departments
from app.routing.policy import RoutingPolicy, SitePolicy
from app.sites.models import Site
from app.supervision import feed
from app.visitors.models import Visitor

# Used for the wait estimate until the site has closed chats to learn handling time from.
DEFAULT_HANDLING_S = 180
_RECENT_CHATS = 50
OFFER_TIMEOUT_JOB = "offer_timeout"


def offer_job_key(chat_id: str) -> str:
    return f"offer:{chat_id}"


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


async def route(uow: UnitOfWork, chat_id: str, policy: RoutingPolicy) -> Agent | None:
    """Give a queued chat to (or offer it to) the best agent with room; None: it waits."""
    chat = await lock_chat(uow, chat_id)
    if chat is None:
        return None
    await lock_site(uow, chat.site_id)
    if chat.status != "queued":
        return None
    site = await site_policy(uow, chat.site_id, policy)
    for agent in await candidates(uow, chat, site, policy):
        if not await take_slot(uow, agent.id):
            continue
        if site.auto_accept:
            await assign(uow, chat, agent)
        else:
            await _offer(uow, chat, agent, site)
        return agent
    return None


async def assign_or_queue(uow: UnitOfWork, chat: Chat, policy: RoutingPolicy) -> Agent | None:
    agent = await route(uow, chat.id, policy)
    if agent is None:
        await feed.publish_row(uow, chat)
        await announce_queue(uow, chat.site_id, policy)
        await schedule_recheck(uow, chat.site_id)
    return agent


async def drain_queue(uow: UnitOfWork, site_id: str, policy: RoutingPolicy) -> int:
    """Route waiting chats, longest-waiting first; a skill nobody can take is skipped, so it
    never holds up chats of other skills. Returns how many found an agent."""
    await lock_site(uow, site_id)
    routed = 0
    stuck: set[str | None] = set()
    for chat in await _queued(uow, site_id):
        if chat.skill in stuck:
            continue
        if await route(uow, chat.id, policy) is None:
            stuck.add(chat.skill)
        else:
            routed += 1
    await announce_queue(uow, site_id, policy)
    return routed


async def take_slot(uow: UnitOfWork, agent_id: str) -> bool:
    """Claim one chat slot of an online agent with room, atomically; False if none is left."""
    claimed = (
        await uow.session.execute(
            update(Agent)
            .where(
                Agent.id == agent_id, Agent.status == "online", Agent.active_chats < Agent.max_chats
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
        {
            "type": "presence.update",
            "agent_id": agent_id,
            "status": status,
            "active_chats": active_chats,
        },
        audience="staff",
    )


async def assign(uow: UnitOfWork, chat: Chat, agent: Agent) -> None:
    """Make ``agent`` (whose slot is already taken) the chat's agent, and tell both sides."""
    chat.status = "active"
    chat.agent_id = agent.id
    chat.assigned_at = utcnow()
    chat.offered_at = None
    chat.queue_position = chat.queue_eta_s = None
    await jobs.cancel(uow, offer_job_key(chat.id))
    await uow.session.flush()
    uow.emit(agent_topic(agent.id), await assigned_frame(uow, chat))
    uow.emit(
        visitor_topic(chat.visitor_id),
        {
            "type": "chat.assigned",
            "chat_id": chat.id,
            "chat": {"id": chat.id},
            "agent": agent_card(agent),
        },
    )
    await feed.publish_row(uow, chat)


async def assigned_frame(
    uow: UnitOfWork, chat: Chat, kind: str = "chat.assigned"
) -> dict[str, object]:
    """``chat.assigned``/``chat.offered`` as the agent receives it: chat, visitor, past chats."""
    visitor = await uow.session.get_one(Visitor, chat.visitor_id)
    previous = await previous_chats(uow, chat)
    return {"type": kind, "chat_id": chat.id, "chat": chat_summary(chat, visitor, previous)}


async def _offer(uow: UnitOfWork, chat: Chat, agent: Agent, site: SitePolicy) -> None:
    now = utcnow()
    chat.status = "offered"
    chat.agent_id = agent.id
    chat.offered_at = now
    chat.queue_position = chat.queue_eta_s = None
    await uow.session.flush()
    await jobs.schedule(
        uow,
        offer_job_key(chat.id),
        OFFER_TIMEOUT_JOB,
        now + timedelta(seconds=site.offer_timeout_s),
        {"chat_id": chat.id, "agent_id": agent.id},
    )
    frame = await assigned_frame(uow, chat, "chat.offered")
    frame["expires_in_s"] = site.offer_timeout_s
    uow.emit(agent_topic(agent.id), frame)
    await feed.publish_row(uow, chat)


async def offer_expired(
    uow: UnitOfWork, chat_id: str, agent_id: str, policy: RoutingPolicy
) -> None:
    """The agent let the offer lapse: take it back and try the next agent."""
    site_id = await uow.session.scalar(select(Chat.site_id).where(Chat.id == chat_id))
    if site_id is None:
        return
    await lock_site(uow, site_id)
    chat = await lock_chat(uow, chat_id)
    if chat is None or chat.status != "offered" or chat.agent_id != agent_id:
        return
    await release_slot(uow, agent_id)
    chat.status = "queued"
    chat.agent_id = None
    chat.offered_at = None
    chat.passed_over = [*chat.passed_over, agent_id]
    await uow.session.flush()
    uow.emit(agent_topic(agent_id), {"type": "chat.offer_expired", "chat_id": chat.id})
    await assign_or_queue(uow, chat, policy)


async def candidates(
    uow: UnitOfWork,
    chat: Chat,
    site: SitePolicy,
    policy: RoutingPolicy,
    exclude: frozenset[str] = frozenset(),
) -> list[Agent]:
    """Online agents with room and a live heartbeat who can take this chat, best first."""
    skill = chat.skill
    if (
        skill
        and site.skill_fallback
        and not await _anyone_online_with(uow, chat.site_id, skill, policy)
    ):
        skill = None
    found = list(
        (await uow.session.execute(_available(chat.site_id, skill, policy, site))).scalars()
    )
    preferred = [a for a in found if a.id not in exclude and a.id not in chat.passed_over]
    # Agents who let this chat's offer lapse get it again only when nobody else can.
    return preferred or [a for a in found if a.id not in exclude]


def _available(
    site_id: str, skill: str | None, policy: RoutingPolicy, site: SitePolicy
) -> Select[Agent]:
    alive_since = utcnow() - timedelta(seconds=policy.presence_grace_s)
    query = select(Agent).where(
        Agent.site_id == site_id,
        Agent.status == "online",
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


async def _anyone_online_with(
    uow: UnitOfWork, site_id: str, skill: str, policy: RoutingPolicy
) -> bool:
    alive_since = utcnow() - timedelta(seconds=policy.presence_grace_s)
    found = await uow.session.scalar(
        select(Agent.id)
        .join(AgentSkill, and_(AgentSkill.agent_id == Agent.id, AgentSkill.skill == skill))
        .where(
            Agent.site_id == site_id, Agent.status == "online", Agent.last_seen_at >= alive_since
        )
        .limit(1)
    )
    return found is not None


async def announce_queue(uow: UnitOfWork, site_id: str, policy: RoutingPolicy) -> None:
    """Tell each waiting visitor their place in their skill's queue and the expected wait,
    whenever either changed since they were last told."""
    await lock_site(uow, site_id)
    queued = await _queued(uow, site_id)
    waiting: dict[str, int] = {}
    for chat in queued:
        waiting[chat.skill or ""] = waiting.get(chat.skill or "", 0) + 1
    uow.emit(
        site_topic(site_id),
        {"type": "queue.update", "waiting": waiting, "total": len(queued)},
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
            {
                "type": "chat.queued",
                "chat_id": chat.id,
                "position": position,
                "estimated_wait_s": eta,
                "skill": key,
                "agents_available": capacity[key] > 0,
            },
        )
    await uow.session.flush()


async def queue_counts(uow: UnitOfWork, site_id: str) -> dict[str, int]:
    """Waiting chats per skill ("" for chats without one), for consoles."""
    rows = await uow.session.execute(
        select(Chat.skill, func.count())
        .where(Chat.site_id == site_id, Chat.status == "queued")
        .group_by(Chat.skill)
    )
    return {skill or "": count for skill, count in rows.tuples()}


async def previous_chats(uow: UnitOfWork, chat: Chat, limit: int = 10) -> list[Chat]:
    result = await uow.session.execute(
        select(Chat)
        .where(Chat.visitor_id == chat.visitor_id, Chat.id != chat.id)
        .order_by(Chat.created_at.desc())
        .limit(limit)
    )
    return list(result.scalars())


async def _queued(uow: UnitOfWork, site_id: str) -> list[Chat]:
    result = await uow.session.execute(
        select(Chat)
        .where(Chat.site_id == site_id, Chat.status == "queued")
        .order_by(Chat.priority.desc(), Chat.queued_at, Chat.id)
    )
    return list(result.scalars())


async def _handling_time_s(uow: UnitOfWork, site_id: str) -> float:
    recent = (
        select(Chat.assigned_at, Chat.closed_at)
        .where(
            Chat.site_id == site_id,
            Chat.status == "closed",
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
    if skill and site.skill_fallback and not await _anyone_online_with(uow, site_id, skill, policy):
        skill = None
    alive_since = utcnow() - timedelta(seconds=policy.presence_grace_s)
    query = select(func.coalesce(func.sum(Agent.max_chats), 0)).where(
        Agent.site_id == site_id, Agent.status == "online", Agent.last_seen_at >= alive_since
    )
    if skill:
        query = query.join(
            AgentSkill, and_(AgentSkill.agent_id == Agent.id, AgentSkill.skill == skill)
        )
    return int(await uow.session.scalar(query) or 0)


async def skill_for(
    uow: UnitOfWork, site_id: str, department: object, policy: RoutingPolicy
) -> str | None:
    """The skill a new chat needs.

    A pre-chat department is one of the site's public departments (by value or label) or a
    skill the site knows (defined, or carried by one of its agents), in any letter case; one
    the site does not know is refused, because a chat needing it would wait forever. Without a
    department the site's default skill applies (None: any agent may take the chat).
    """
    if department is None or (isinstance(department, str) and not department.strip()):
        return (await site_policy(uow, site_id, policy)).default_skill
    if not isinstance(department, str):
        raise BadRequest("pre_chat.department must be a string")
    site = await uow.session.get_one(Site, site_id)
    listed = departments.match(departments.departments_of(site.settings), department)
    if listed is not None:
        return listed.skill
    known = await departments.known_skill(uow, site_id, department)
    if known is None:
        raise BadRequest(f"We have no department called {department.strip()!r}.")
    return known


QUEUE_RECHECK_JOB = "queue_recheck"
# While chats wait, the queue is looked at again this often even if no event wakes it, so a
# missed trigger (a crashed process, a clock-driven change) never leaves a visitor stuck.
QUEUE_RECHECK_S = 15.0


async def schedule_recheck(uow: UnitOfWork, site_id: str) -> None:
    await jobs.schedule(
        uow,
        f"queue:{site_id}",
        QUEUE_RECHECK_JOB,
        utcnow() + timedelta(seconds=QUEUE_RECHECK_S),
        {"site_id": site_id},
    )


async def recheck(uow: UnitOfWork, site_id: str, policy: RoutingPolicy) -> None:
    await lock_site(uow, site_id)
    await drain_queue(uow, site_id, policy)
    if await _queued(uow, site_id):
        await schedule_recheck(uow, site_id)
