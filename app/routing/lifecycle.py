"""A chat entering and leaving routing: started and queued or assigned, closed by a person or
because its visitor left. These steps need chat and routing together, so they live here, above
both (docs/architecture.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.chat import abandoned, feed, messages
from app.chat.access import ChatAction
from app.chat.messages import SYSTEM
from app.chat.models import OPEN_STATUSES, Chat
from app.chat.queries import open_chat_of
from app.chat.schemas import ChatClosed, ChatStarted, ClosedBy, CloseReason
from app.chat.service import Ack, ack_for, authorized_chat, visitor_author
from app.common.actor import Actor
from app.common.enums import ChatStatus
from app.common.events import chat_topic, visitor_topic
from app.common.types import new_id, utcnow
from app.common.uow import UnitOfWork
from app.jobs import service as jobs
from app.mail import transcripts
from app.offline import service as offline
from app.offline.schemas import ChatOffline
from app.routing import assignment, claim, departments, queue
from app.routing.policy import RoutingPolicy
from app.sites.models import Site
from app.visitors import presence
from app.visitors.models import Visitor
from app.webhooks import outbox as webhooks


async def start_chat(
    uow: UnitOfWork,
    actor: Actor,
    pre_chat: dict[str, Any],
    first_message: str | None,
    client_msg_id: str | None,
    policy: RoutingPolicy,
    chat_id: str | None = None,
    now: datetime | None = None,
    prefer_agent_id: str | None = None,
) -> tuple[Chat, Ack | None]:
    """Open a chat for a visitor (or return the one already open) and route it, to
    ``prefer_agent_id`` first if they can take it (the agent who said hello); while the site
    is unavailable at ``now`` (the server's clock unless a test passes its own), keep it as an
    offline message instead."""
    await claim.lock_site(uow, actor.site_id)
    existing = await open_chat_of(uow, actor.id)
    if existing is not None:
        uow.emit(
            visitor_topic(actor.id),
            ChatStarted(chat_id=existing.id, status=ChatStatus(existing.status)),
        )
        return existing, None
    # Refused before anything is stored: an unknown department creates no chat.
    skill = await departments.skill_for(uow, actor.site_id, pre_chat.get("department"), policy)
    visitor = await uow.session.get_one(Visitor, actor.id)
    if pre_chat.get("name"):
        visitor.name = str(pre_chat["name"])
    if pre_chat.get("email"):
        visitor.email = str(pre_chat["email"])
    site = await uow.session.get_one(Site, actor.site_id)
    if not await offline.available(uow, site, now or utcnow()):
        return await _start_offline(
            uow, actor, visitor, pre_chat, first_message, client_msg_id, skill, chat_id
        )
    chat = await _new_chat(uow, actor, ChatStatus.QUEUED, skill, pre_chat, chat_id)
    uow.emit(visitor_topic(actor.id), ChatStarted(chat_id=chat.id, status=ChatStatus(chat.status)))
    # Routed before the first message is stored, so an agent who gets the chat at once is
    # already a member when that message is published.
    await assignment.assign_or_queue(uow, chat, policy, prefer_agent_id)
    ack = None
    if first_message:
        message = await messages.append(
            uow, chat.id, visitor_author(actor, visitor), first_message, client_msg_id=client_msg_id
        )
        ack = ack_for(actor, message)
    return chat, ack


async def _new_chat(
    uow: UnitOfWork,
    actor: Actor,
    status: ChatStatus,
    skill: str | None,
    pre_chat: dict[str, Any],
    chat_id: str | None,
) -> Chat:
    """A visitor's new chat, stored and announced to webhooks; an offline one keeps when the
    site was unavailable (``offline_at``)."""
    now = utcnow()
    chat = Chat(
        id=chat_id or new_id(),
        site_id=actor.site_id,
        visitor_id=actor.id,
        status=status,
        skill=skill,
        pre_chat=pre_chat,
        created_at=now,
        queued_at=now,
        offline_at=now if status == ChatStatus.OFFLINE else None,
    )
    uow.session.add(chat)
    await uow.session.flush()
    webhooks.chat_event(uow, "chat.started", chat)
    return chat


async def _start_offline(
    uow: UnitOfWork,
    actor: Actor,
    visitor: Visitor,
    pre_chat: dict[str, Any],
    first_message: str | None,
    client_msg_id: str | None,
    skill: str | None,
    chat_id: str | None,
) -> tuple[Chat, Ack | None]:
    """The site is unavailable: store the chat as an offline message (never routed). A visitor
    whose earlier offline message is still unanswered writes on in that one."""
    chat = await offline.pending_offline_chat(uow, actor.id)
    if chat is None:
        chat = await _new_chat(uow, actor, ChatStatus.OFFLINE, skill, pre_chat, chat_id)
        await feed.publish_row(uow, chat)
    uow.emit(visitor_topic(actor.id), ChatStarted(chat_id=chat.id, status=ChatStatus.OFFLINE))
    uow.emit(visitor_topic(actor.id), ChatOffline(chat_id=chat.id))
    ack = None
    if first_message:
        author = visitor_author(actor, visitor)
        message = await messages.find_duplicate(uow, chat.id, author, client_msg_id)
        if message is None:
            message = await messages.append(
                uow, chat.id, author, first_message, client_msg_id=client_msg_id
            )
        ack = ack_for(actor, message)
    return chat, ack


async def close_chat(uow: UnitOfWork, actor: Actor, chat_id: str, policy: RoutingPolicy) -> Chat:
    await claim.lock_site(uow, actor.site_id)
    chat = await authorized_chat(uow, actor, chat_id, ChatAction.WRITE)
    if chat.status != ChatStatus.CLOSED:
        await end_chat(uow, chat, actor.side, policy)
    return chat


async def end_chat(
    uow: UnitOfWork,
    chat: Chat,
    closed_by: ClosedBy,
    policy: RoutingPolicy,
    reason: CloseReason | None = None,
) -> None:
    """Close an open chat (the site is locked by the caller): free the agent's slot or the
    queue place, tell everyone in it, and let the queue move.

    ``reason`` says why the system closed it (``visitor_left``); it is stored as ``closed_by``
    and sent as ``reason`` beside ``closed_by`` = ``system``.
    """
    was_queued = chat.status == ChatStatus.QUEUED
    chat.status = ChatStatus.CLOSED
    chat.closed_at = utcnow()
    chat.closed_by = reason or closed_by
    chat.queue_position = chat.queue_eta_s = None
    if chat.agent_id is not None:
        await claim.release_slot(uow, chat.agent_id)
    await jobs.cancel(uow, assignment.offer_job_key(chat.id))
    await transcripts.on_close(uow, chat)
    await uow.session.flush()
    uow.emit(chat_topic(chat.id), ChatClosed(chat_id=chat.id, closed_by=closed_by, reason=reason))
    webhooks.chat_event(uow, "chat.closed", chat, closed_by=closed_by, reason=reason)
    await feed.publish_row(uow, chat)
    if was_queued:
        await queue.announce_queue(uow, chat.site_id, policy)
    elif chat.agent_id is not None:
        await assignment.drain_queue(uow, chat.site_id, policy)


async def close_if_gone(
    uow: UnitOfWork, chat_id: str, gone_s: float, policy: RoutingPolicy
) -> bool:
    """Close the chat if its visitor has not been there for ``gone_s``; else look again when
    they would have been gone that long. Returns whether it closed."""
    site_id = await uow.session.scalar(select(Chat.site_id).where(Chat.id == chat_id))
    if site_id is None:
        return False
    await claim.lock_site(uow, site_id)
    chat = await claim.lock_chat(uow, chat_id)
    if chat is None or chat.status not in OPEN_STATUSES:
        return False
    last = await presence.last_there(uow.session, chat.visitor_id)
    if last is not None and utcnow() - last < timedelta(seconds=gone_s):
        await jobs.schedule(
            uow,
            abandoned.gone_job_key(chat.id),
            abandoned.VISITOR_GONE_JOB,
            last + timedelta(seconds=gone_s),
            {"chat_id": chat.id},
        )
        return False
    visitor = await uow.session.get_one(Visitor, chat.visitor_id)
    if chat.status == ChatStatus.ACTIVE:  # the agent reads why the chat ended
        await messages.append(uow, chat.id, SYSTEM, f"{visitor.name or 'The visitor'} left.")
    await end_chat(uow, chat, "system", policy, reason=abandoned.REASON)
    return True
