"""Chats changing hands: accepting an offer, transfers, and agents who drop out."""

from __future__ import annotations

from sqlalchemy import select

from app.agents.models import Agent
from app.agents.schemas import AgentCard
from app.chat import feed, messages
from app.chat.access import ChatAction, authorize
from app.chat.messages import SYSTEM, agent_author
from app.chat.models import Chat
from app.common import i18n
from app.common.actor import Actor
from app.common.enums import AgentStatus, ChatStatus
from app.common.errors import Conflict
from app.common.events import agent_topic, chat_topic, site_topic
from app.common.lookup import get_in_site, in_site
from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.routing import assignment, claim
from app.routing.policy import RoutingPolicy
from app.routing.schemas import ChatTransferred, ChatUnassigned, PresenceUpdate
from app.sites.models import Site
from app.sites.service import site_language
from app.webhooks import outbox as webhooks


async def accept(uow: UnitOfWork, actor: Actor, chat_id: str) -> None:
    await claim.lock_site(uow, actor.site_id)
    chat = in_site(await claim.lock_chat(uow, chat_id), actor.site_id, "no such chat")
    if chat.agent_id != actor.id or chat.status not in (ChatStatus.OFFERED, ChatStatus.ACTIVE):
        raise Conflict("this chat is not offered to you (any more)")
    agent = await uow.session.get_one(Agent, actor.id)
    if chat.status == ChatStatus.OFFERED:
        await assignment.assign(uow, chat, agent)
    else:  # accepting twice is harmless: tell the agent again
        uow.emit(agent_topic(agent.id), await assignment.assigned_frame(uow, chat))


async def transfer(
    uow: UnitOfWork,
    actor: Actor,
    chat_id: str,
    to_agent_id: str | None,
    to_skill: str | None,
    note: str | None,
    policy: RoutingPolicy,
) -> Agent:
    """Hand an active chat to a named agent, or to the best agent of a skill, with its history.

    The target's slot is claimed like any assignment, so a full or absent target is refused
    and the chat stays where it was.
    """
    await claim.lock_site(uow, actor.site_id)
    chat = authorize(actor, ChatAction.TRANSFER, await claim.lock_chat(uow, chat_id))
    if chat.status != ChatStatus.ACTIVE:
        raise Conflict("only a chat in progress can be transferred")
    source_id = chat.agent_id
    if to_agent_id == actor.id and actor.is_staff and to_skill is None:
        target = await _take_over(uow, chat, actor, source_id)
    else:
        target = await _claim_target(uow, chat, to_agent_id, to_skill, source_id, policy)
    if source_id is not None:
        await claim.release_slot(uow, source_id)
    if to_skill:
        chat.skill = to_skill
    chat.agent_id = target.id
    chat.assigned_at = utcnow()
    chat.first_assigned_at = chat.first_assigned_at or chat.assigned_at
    await uow.session.flush()
    # The new agent joins first, so the note and the hand-over message reach them live.
    uow.emit(agent_topic(target.id), await assignment.assigned_frame(uow, chat))
    actor_agent = await uow.session.get_one(Agent, actor.id)
    if note:
        await messages.append(uow, chat.id, agent_author(actor_agent), note, kind="note")
    await messages.append(uow, chat.id, SYSTEM, f"{target.name} is taking over this chat.")
    uow.emit(
        chat_topic(chat.id),
        ChatTransferred(
            chat_id=chat.id,
            from_agent_id=source_id,
            to_agent_id=target.id,
            to_skill=to_skill,
            agent=AgentCard.of(target),
        ),
    )
    webhooks.chat_event(
        uow,
        "chat.transferred",
        chat,
        from_agent_id=source_id,
        to_skill=to_skill,
        agent=webhooks.agent_data(target),
    )
    await feed.publish_row(uow, chat)
    return target


async def _take_over(uow: UnitOfWork, chat: Chat, actor: Actor, source_id: str | None) -> Agent:
    """A supervisor or admin takes the chat themself: no free slot or online status needed
    (they are usually away, watching), only that the chat is not theirs already."""
    if source_id == actor.id:
        raise Conflict("the chat is already yours")
    await claim.force_slot(uow, actor.id)
    me = await uow.session.get_one(Agent, actor.id)
    await uow.session.refresh(me)
    return me


async def _claim_target(
    uow: UnitOfWork,
    chat: Chat,
    to_agent_id: str | None,
    to_skill: str | None,
    source_id: str | None,
    policy: RoutingPolicy,
) -> Agent:
    if to_agent_id:
        target = await get_in_site(uow.session, Agent, to_agent_id, chat.site_id, "no such agent")
        if target.id == source_id:
            raise Conflict("the chat is already with this agent")
        if target.status != AgentStatus.ONLINE:
            raise Conflict(f"{target.name} is {target.status} and cannot take chats now")
        if not await claim.take_slot(uow, target.id):
            raise Conflict(f"{target.name} has no room for another chat")
        await uow.session.refresh(target)
        return target
    if not to_skill:
        raise Conflict("name an agent or a skill to transfer to")
    site = await claim.site_policy(uow, chat.site_id, policy)
    probe = Chat(site_id=chat.site_id, skill=to_skill, passed_over=[])
    exclude = frozenset({source_id} if source_id else set())
    for agent in await claim.candidates(uow, probe, site, policy, exclude=exclude):
        if await claim.take_slot(uow, agent.id):
            await uow.session.refresh(agent)
            return agent
    raise Conflict(f"nobody with the skill {to_skill!r} has room right now")


async def _lost_connection_text(uow: UnitOfWork, agent: Agent) -> str:
    """What the visitor reads when their agent drops out: plain words for a shopper, by the
    agent's first name, in the site's language."""
    site = await uow.session.get(Site, agent.site_id)
    gettext = i18n.translations(site_language(site) if site else "en").gettext
    first = agent.name.split()[0] if agent.name.split() else agent.name
    return gettext(
        "%(name)s lost their connection. We're finding you someone else; you're first in line."
    ) % {"name": first}


async def requeue_chats_of(uow: UnitOfWork, agent: Agent, policy: RoutingPolicy) -> int:
    """An agent dropped out: their open chats go back to the front of the queue, each visitor
    is told, and the queue is drained again. Returns how many chats were handed back."""
    await claim.lock_site(uow, agent.site_id)
    chats = list(
        (
            await uow.session.execute(
                select(Chat)
                .where(
                    Chat.agent_id == agent.id,
                    Chat.status.in_((ChatStatus.ACTIVE, ChatStatus.OFFERED)),
                )
                .order_by(Chat.queued_at)
                .with_for_update()
            )
        ).scalars()
    )
    lost = await _lost_connection_text(uow, agent)
    for chat in chats:
        was_active = chat.status == ChatStatus.ACTIVE
        chat.status = ChatStatus.QUEUED
        chat.agent_id = None
        chat.offered_at = None
        chat.priority = 1
        chat.passed_over = [*chat.passed_over, agent.id]
        await uow.session.flush()
        uow.emit(
            agent_topic(agent.id),
            ChatUnassigned(chat_id=chat.id, reason="agent_offline"),
        )
        await feed.publish_row(uow, chat)
        if was_active:
            await messages.append(uow, chat.id, SYSTEM, lost)
    agent.active_chats = 0
    await uow.session.flush()
    if chats:
        uow.emit(
            site_topic(agent.site_id),
            PresenceUpdate(agent_id=agent.id, status=AgentStatus(agent.status), active_chats=0),
            audience="staff",
        )
        await assignment.drain_queue(uow, agent.site_id, policy)
    return len(chats)
