"""Chat lifecycle: start, send, close, resume. Knows nothing of sockets or HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.agents.models import Agent
from app.chat import messages
from app.chat.access import ChatAction, authorize
from app.chat.messages import Author, Kind
from app.chat.models import OPEN_STATUSES, Chat, Message
from app.chat.views import message_view
from app.common.actor import Actor
from app.common.errors import Conflict, Forbidden
from app.common.events import chat_topic, visitor_topic
from app.common.types import new_id, utcnow
from app.common.uow import UnitOfWork
from app.files import service as files
from app.jobs import service as jobs
from app.realtime.visibility import message_for
from app.routing import service as routing
from app.routing.policy import RoutingPolicy
from app.supervision import feed
from app.visitors.models import Visitor


@dataclass(frozen=True, slots=True)
class Ack:
    chat_id: str
    client_msg_id: str | None
    message_id: str
    seq: int

    def frame(self) -> dict[str, Any]:
        return {
            "type": "message.ack",
            "chat_id": self.chat_id,
            "client_msg_id": self.client_msg_id,
            "message_id": self.message_id,
            "seq": self.seq,
        }


def ack_for(actor: Actor, message: Message) -> Ack:
    seq = message.public_seq if actor.type == "visitor" else message.seq
    assert seq is not None
    return Ack(message.chat_id, message.client_msg_id, message.id, seq)


async def open_chat_of(uow: UnitOfWork, visitor_id: str) -> Chat | None:
    result = await uow.session.execute(
        select(Chat)
        .where(Chat.visitor_id == visitor_id, Chat.status.in_(OPEN_STATUSES))
        .order_by(Chat.created_at.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def start_chat(
    uow: UnitOfWork,
    actor: Actor,
    pre_chat: dict[str, Any],
    first_message: str | None,
    client_msg_id: str | None,
    policy: RoutingPolicy,
    chat_id: str | None = None,
) -> tuple[Chat, Ack | None]:
    """Open a chat for a visitor (or return the one already open) and route it."""
    await routing.lock_site(uow, actor.site_id)
    existing = await open_chat_of(uow, actor.id)
    if existing is not None:
        uow.emit(
            visitor_topic(actor.id),
            {"type": "chat.started", "chat_id": existing.id, "status": existing.status},
        )
        return existing, None
    # Refused before anything is stored: an unknown department creates no chat.
    skill = await routing.skill_for(uow, actor.site_id, pre_chat.get("department"), policy)
    visitor = await uow.session.get_one(Visitor, actor.id)
    if pre_chat.get("name"):
        visitor.name = str(pre_chat["name"])
    if pre_chat.get("email"):
        visitor.email = str(pre_chat["email"])
    now = utcnow()
    chat = Chat(
        id=chat_id or new_id(),
        site_id=actor.site_id,
        visitor_id=actor.id,
        status="queued",
        skill=skill,
        pre_chat=pre_chat,
        created_at=now,
        queued_at=now,
    )
    uow.session.add(chat)
    await uow.session.flush()
    uow.emit(
        visitor_topic(actor.id), {"type": "chat.started", "chat_id": chat.id, "status": chat.status}
    )
    # Routed before the first message is stored, so an agent who gets the chat at once is
    # already a member when that message is published.
    await routing.assign_or_queue(uow, chat, policy)
    ack = None
    if first_message:
        message = await messages.append(
            uow, chat.id, _author(actor, visitor), first_message, client_msg_id=client_msg_id
        )
        ack = ack_for(actor, message)
    return chat, ack


async def send_message(
    uow: UnitOfWork,
    actor: Actor,
    chat_id: str,
    body: str,
    kind: Kind,
    client_msg_id: str,
    attachment_ids: list[str] | None = None,
) -> Ack:
    """Store one message; a repeated client_msg_id returns the first one's ack."""
    chat = await authorized_chat(uow, actor, chat_id, ChatAction.WRITE)
    check_kind(actor, kind)
    author = await _load_author(uow, actor)
    duplicate = await messages.find_duplicate(uow, chat.id, author, client_msg_id)
    if duplicate is not None:
        return ack_for(actor, duplicate)
    check_open(chat)
    attachments = await files.attach(uow, actor, chat, attachment_ids) if attachment_ids else []
    message = await messages.append(
        uow,
        chat.id,
        author,
        body,
        kind,
        client_msg_id,
        [files.attachment_view(a) for a in attachments],
    )
    note_first_response(chat, actor, message)
    return ack_for(actor, message)


def check_kind(actor: Actor, kind: Kind) -> None:
    if actor.type == "visitor" and kind != "public":
        raise Forbidden("visitors send public messages only")


def check_open(chat: Chat) -> None:
    """A new message needs an open chat (a resend of a stored one is answered before this)."""
    if chat.status == "closed":
        raise Conflict("this chat is closed")


def note_first_response(chat: Chat, actor: Actor, message: Message) -> None:
    if actor.type == "agent" and message.kind == "public" and chat.first_response_at is None:
        chat.first_response_at = message.created_at


def is_duplicate_race(exc: IntegrityError) -> bool:
    """Two sends of one client_msg_id raced; retrying finds the stored one."""
    return "client_msg" in str(exc.orig).lower() or "unique" in str(exc.orig).lower()


async def close_chat(uow: UnitOfWork, actor: Actor, chat_id: str, policy: RoutingPolicy) -> Chat:
    await routing.lock_site(uow, actor.site_id)
    chat = await authorized_chat(uow, actor, chat_id, ChatAction.WRITE)
    if chat.status != "closed":
        await end_chat(uow, chat, actor.type, policy)
    return chat


async def end_chat(
    uow: UnitOfWork,
    chat: Chat,
    closed_by: str,
    policy: RoutingPolicy,
    reason: str | None = None,
) -> None:
    """Close an open chat (the site is locked by the caller): free the agent's slot or the
    queue place, tell everyone in it, and let the queue move.

    ``reason`` says why the system closed it (``visitor_left``); it is stored as ``closed_by``
    and sent as ``reason`` beside ``closed_by`` = ``system``.
    """
    was_queued = chat.status == "queued"
    chat.status = "closed"
    chat.closed_at = utcnow()
    chat.closed_by = reason or closed_by
    chat.queue_position = chat.queue_eta_s = None
    if chat.agent_id is not None:
        await routing.release_slot(uow, chat.agent_id)
    await jobs.cancel(uow, routing.offer_job_key(chat.id))
    await uow.session.flush()
    frame: dict[str, Any] = {"type": "chat.closed", "chat_id": chat.id, "closed_by": closed_by}
    if reason:
        frame["reason"] = reason
    uow.emit(chat_topic(chat.id), frame)
    await feed.publish_row(uow, chat)
    if was_queued:
        await routing.announce_queue(uow, chat.site_id, policy)
    elif chat.agent_id is not None:
        await routing.drain_queue(uow, chat.site_id, policy)


# Messages per resume reply; a longer chat is sent in pages ("more" in resume.done).
RESUME_PAGE = 500


async def history(
    uow: UnitOfWork, actor: Actor, chat_id: str, after_seq: int, limit: int = RESUME_PAGE
) -> tuple[Chat, list[dict[str, Any]]]:
    """Messages after ``after_seq`` in the actor's own numbering, as the actor may see them."""
    chat = await authorized_chat(uow, actor, chat_id, ChatAction.READ)
    query = select(Message).where(Message.chat_id == chat.id)
    if actor.type == "visitor":
        query = query.where(Message.kind == "public", Message.public_seq > after_seq).order_by(
            Message.public_seq
        )
    else:
        query = query.where(Message.seq > after_seq).order_by(Message.seq)
    rows = (await uow.session.execute(query.limit(limit))).scalars()
    shown = [message_for(actor.viewer, message_view(m)) for m in rows]
    return chat, [m for m in shown if m is not None]


async def authorized_chat(uow: UnitOfWork, actor: Actor, chat_id: str, action: ChatAction) -> Chat:
    """The chat, loaded and checked against the one access policy (app/chat/access.py)."""
    return authorize(actor, action, await uow.session.get(Chat, chat_id))


def _author(actor: Actor, visitor: Visitor) -> Author:
    return Author(type="visitor", id=actor.id, name=visitor.name or "Visitor")


async def _load_author(uow: UnitOfWork, actor: Actor) -> Author:
    if actor.type == "visitor":
        return _author(actor, await uow.session.get_one(Visitor, actor.id))
    return messages.agent_author(await uow.session.get_one(Agent, actor.id))
