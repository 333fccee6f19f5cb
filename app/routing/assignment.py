"""Assignment: who gets a chat; given at once, or offered with a timeout; the queue drained."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.agents.models import Agent
from app.agents.schemas import AgentCard
from app.chat import feed
from app.chat.models import Chat
from app.chat.queries import previous_chats
from app.chat.schemas import ChatRef, ChatSummary
from app.common.enums import ChatStatus
from app.common.events import agent_topic, visitor_topic
from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.jobs import service as jobs
from app.routing.claim import candidates, lock_chat, lock_site, release_slot, site_policy, take_slot
from app.routing.policy import RoutingPolicy, SitePolicy
from app.routing.queue import announce_queue, queued_chats, schedule_recheck
from app.routing.schemas import ChatAssigned, ChatOffered, ChatOfferExpired
from app.visitors.models import Visitor
from app.webhooks import outbox as webhooks

OFFER_TIMEOUT_JOB = "offer_timeout"


def offer_job_key(chat_id: str) -> str:
    return f"offer:{chat_id}"


async def route(
    uow: UnitOfWork, chat_id: str, policy: RoutingPolicy, prefer: str | None = None
) -> Agent | None:
    """Give a queued chat to (or offer it to) the best agent with room (``prefer`` first, if
    they are among them); None: it waits."""
    chat = await lock_chat(uow, chat_id)
    if chat is None:
        return None
    await lock_site(uow, chat.site_id)
    if chat.status != ChatStatus.QUEUED:
        return None
    site = await site_policy(uow, chat.site_id, policy)
    for agent in await candidates(uow, chat, site, policy, prefer=prefer):
        if not await take_slot(uow, agent.id):
            continue
        if site.auto_accept:
            await assign(uow, chat, agent)
        else:
            await _offer(uow, chat, agent, site)
        return agent
    return None


async def assign_or_queue(
    uow: UnitOfWork, chat: Chat, policy: RoutingPolicy, prefer: str | None = None
) -> Agent | None:
    agent = await route(uow, chat.id, policy, prefer)
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
    for chat in await queued_chats(uow, site_id):
        if chat.skill in stuck:
            continue
        if await route(uow, chat.id, policy) is None:
            stuck.add(chat.skill)
        else:
            routed += 1
    await announce_queue(uow, site_id, policy)
    for listener in policy.on_capacity:
        await listener(uow, site_id)
    return routed


async def assign(uow: UnitOfWork, chat: Chat, agent: Agent) -> None:
    """Make ``agent`` (whose slot is already taken) the chat's agent, and tell both sides."""
    chat.status = ChatStatus.ACTIVE
    chat.agent_id = agent.id
    chat.assigned_at = utcnow()
    chat.first_assigned_at = chat.first_assigned_at or chat.assigned_at
    chat.offered_at = None
    chat.queue_position = chat.queue_eta_s = None
    await jobs.cancel(uow, offer_job_key(chat.id))
    await uow.session.flush()
    uow.emit(agent_topic(agent.id), await assigned_frame(uow, chat))
    uow.emit(
        visitor_topic(chat.visitor_id),
        ChatAssigned(chat_id=chat.id, chat=ChatRef(id=chat.id), agent=AgentCard.of(agent)),
    )
    webhooks.chat_event(uow, "chat.assigned", chat, agent=webhooks.agent_data(agent))
    await feed.publish_row(uow, chat)


async def agent_view_of(uow: UnitOfWork, chat: Chat) -> ChatSummary:
    """The chat as the agent it is offered or assigned to sees it: visitor, past chats."""
    visitor = await uow.session.get_one(Visitor, chat.visitor_id)
    return ChatSummary.of(chat, visitor, await previous_chats(uow, chat))


async def assigned_frame(uow: UnitOfWork, chat: Chat) -> ChatAssigned:
    """``chat.assigned`` as the agent receives it."""
    return ChatAssigned(chat_id=chat.id, chat=await agent_view_of(uow, chat))


async def _offer(uow: UnitOfWork, chat: Chat, agent: Agent, site: SitePolicy) -> None:
    now = utcnow()
    chat.status = ChatStatus.OFFERED
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
    summary = await agent_view_of(uow, chat)
    uow.emit(
        agent_topic(agent.id),
        ChatOffered(chat_id=chat.id, chat=summary, expires_in_s=site.offer_timeout_s),
    )
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
    if chat is None or chat.status != ChatStatus.OFFERED or chat.agent_id != agent_id:
        return
    await release_slot(uow, agent_id)
    chat.status = ChatStatus.QUEUED
    chat.agent_id = None
    chat.offered_at = None
    chat.passed_over = [*chat.passed_over, agent_id]
    await uow.session.flush()
    uow.emit(agent_topic(agent_id), ChatOfferExpired(chat_id=chat.id))
    await assign_or_queue(uow, chat, policy)


async def recheck(uow: UnitOfWork, site_id: str, policy: RoutingPolicy) -> None:
    await lock_site(uow, site_id)
    await drain_queue(uow, site_id, policy)
    if await queued_chats(uow, site_id):
        await schedule_recheck(uow, site_id)
