"""Messages in a chat: send (idempotent by client_msg_id), acknowledge, resume. Knows nothing
of sockets or HTTP; starting and closing chats need routing and live in routing/lifecycle.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.agents.models import Agent
from app.chat import attachments, messages
from app.chat.access import ChatAction, ChatFacts, authorize
from app.chat.messages import Author, Kind
from app.chat.models import Chat, Message
from app.chat.schemas import MessageAck, MessageOut
from app.common.actor import Actor
from app.common.enums import ChatStatus
from app.common.errors import Conflict, Forbidden, NotFound
from app.common.uow import UnitOfWork
from app.files.schemas import AttachmentOut
from app.realtime.visibility import message_for
from app.sites.models import Site
from app.visitors.models import Visitor


@dataclass(frozen=True, slots=True)
class Ack:
    chat_id: str
    client_msg_id: str | None
    message_id: str
    seq: int

    def frame(self) -> MessageAck:
        return MessageAck(
            chat_id=self.chat_id,
            client_msg_id=self.client_msg_id,
            message_id=self.message_id,
            seq=self.seq,
        )


def ack_for(actor: Actor, message: Message) -> Ack:
    seq = message.public_seq if actor.side == "visitor" else message.seq
    assert seq is not None
    return Ack(message.chat_id, message.client_msg_id, message.id, seq)


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
    attached = await attachments.attach(uow, actor, chat, attachment_ids) if attachment_ids else []
    message = await messages.append(
        uow,
        chat.id,
        author,
        body,
        kind,
        client_msg_id,
        [AttachmentOut.of(a).dump() for a in attached],
    )
    note_first_response(chat, actor, message)
    return ack_for(actor, message)


async def post_as(
    uow: UnitOfWork,
    actor: Actor,
    chat_id: str,
    body: str,
    as_agent_id: str | None,
    integration: bool,
    client_msg_id: str | None = None,
) -> Message:
    """A public message from REST: an integration (API token) writes as the site (author
    ``system``, the site's name) or as a named active agent of its site; a person writes as
    themselves only. The visitor hears it live like any message."""
    chat = await authorized_chat(uow, actor, chat_id, ChatAction.WRITE)
    if integration and as_agent_id is None:
        site = await uow.session.get_one(Site, chat.site_id)
        author = Author(type="system", id=None, name=site.name)
    else:
        named = as_agent_id or actor.id
        if not integration and named != actor.id:
            raise Forbidden("an agent posts as themselves only")
        agent = await uow.session.get(Agent, named)
        if agent is None or agent.site_id != chat.site_id or not agent.active:
            raise NotFound("no such agent")
        author = messages.agent_author(agent)
    duplicate = await messages.find_duplicate(uow, chat.id, author, client_msg_id)
    if duplicate is not None:
        return duplicate
    check_open(chat)
    message = await messages.append(uow, chat.id, author, body, "public", client_msg_id)
    if author.type == "agent" and chat.first_response_at is None:
        chat.first_response_at = message.created_at
    return message


def check_kind(actor: Actor, kind: Kind) -> None:
    if actor.side == "visitor" and kind != "public":
        raise Forbidden("visitors send public messages only")


def check_open(chat: ChatFacts) -> None:
    """A new message needs an open chat (a resend of a stored one is answered before this)."""
    if chat.status == ChatStatus.CLOSED:
        raise Conflict("this chat is closed")


def note_first_response(chat: Chat, actor: Actor, message: Message) -> None:
    if actor.side == "agent" and message.kind == "public" and chat.first_response_at is None:
        chat.first_response_at = message.created_at


def is_duplicate_race(exc: IntegrityError) -> bool:
    """Two sends of one client_msg_id raced; retrying finds the stored one."""
    return "client_msg" in str(exc.orig).lower() or "unique" in str(exc.orig).lower()


# Messages per resume reply; a longer chat is sent in pages ("more" in resume.done).
RESUME_PAGE = 500


async def history(
    uow: UnitOfWork, actor: Actor, chat_id: str, after_seq: int, limit: int = RESUME_PAGE
) -> tuple[Chat, list[dict[str, Any]]]:
    """Messages after ``after_seq`` in the actor's own numbering, as the actor may see them."""
    chat = await authorized_chat(uow, actor, chat_id, ChatAction.READ)
    query = select(Message).where(Message.chat_id == chat.id)
    if actor.side == "visitor":
        query = query.where(Message.kind == "public", Message.public_seq > after_seq).order_by(
            Message.public_seq
        )
    else:
        query = query.where(Message.seq > after_seq).order_by(Message.seq)
    rows = (await uow.session.execute(query.limit(limit))).scalars()
    shown = [message_for(actor.side, MessageOut.of(m).dump()) for m in rows]
    return chat, [m for m in shown if m is not None]


async def authorized_chat(uow: UnitOfWork, actor: Actor, chat_id: str, action: ChatAction) -> Chat:
    """The chat, loaded and checked against the one access policy (app/chat/access.py)."""
    return authorize(actor, action, await uow.session.get(Chat, chat_id))


def visitor_author(actor: Actor, visitor: Visitor) -> Author:
    return Author(type="visitor", id=actor.id, name=visitor.name or "Visitor")


async def _load_author(uow: UnitOfWork, actor: Actor) -> Author:
    if actor.side == "visitor":
        return visitor_author(actor, await uow.session.get_one(Visitor, actor.id))
    return messages.agent_author(await uow.session.get_one(Agent, actor.id))


def answered(chat: Chat, name: str | None, email: str | None, transcript: bool) -> None:
    """Name, e-mail (and the transcript on close) given in the open chat rather than in the
    pre-chat form (a site that asks ``after``): kept as the chat's pre-chat answers, as if given
    there, so the transcript on close finds ``pre_chat.email``. What was left out stays."""
    given = {"name": name, "email": email, "transcript": transcript or None}
    chat.pre_chat = {**chat.pre_chat, **{k: v for k, v in given.items() if v}}
