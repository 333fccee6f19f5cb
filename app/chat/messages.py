"""Appending a message: numbered inside the writing transaction, idempotent per client_msg_id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select, update

from app.agents.models import Agent
from app.chat.models import Chat, Message
from app.chat.views import iso, message_view
from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.realtime.events import chat_topic, supervisors_topic

AuthorType = Literal["visitor", "agent", "system"]
Kind = Literal["public", "whisper", "note"]


@dataclass(frozen=True, slots=True)
class Author:
    type: AuthorType
    id: str | None
    name: str | None
    avatar_url: str | None = None


SYSTEM = Author(type="system", id=None, name=None)


def agent_author(agent: Agent) -> Author:
    return Author(type="agent", id=agent.id, name=agent.name, avatar_url=agent.avatar_url)


async def find_duplicate(
    uow: UnitOfWork, chat_id: str, author: Author, client_msg_id: str | None
) -> Message | None:
    if client_msg_id is None:
        return None
    result = await uow.session.execute(
        select(Message).where(
            Message.chat_id == chat_id,
            Message.author_type == author.type,
            Message.author_id == author.id,
            Message.client_msg_id == client_msg_id,
        )
    )
    return result.scalar_one_or_none()


async def append(
    uow: UnitOfWork,
    chat_id: str,
    author: Author,
    body: str,
    kind: Kind = "public",
    client_msg_id: str | None = None,
    attachments: list[dict[str, object]] | None = None,
) -> Message:
    """Store a message and emit ``message.new``; the caller has checked access and duplicates.

    The counters are bumped by one UPDATE ... RETURNING, which takes the chat row's write lock
    until commit, so two concurrent senders never share a number and no number is skipped.
    """
    public = kind == "public"
    now = utcnow()
    stamps: dict[str, object] = {}
    if public and author.type == "visitor":
        stamps["last_visitor_message_at"] = now
    elif public and author.type == "agent":
        stamps["last_agent_message_at"] = now
    counters = (
        await uow.session.execute(
            update(Chat)
            .where(Chat.id == chat_id)
            .values(
                last_seq=Chat.last_seq + 1,
                last_public_seq=Chat.last_public_seq + (1 if public else 0),
                **stamps,
            )
            .returning(Chat.last_seq, Chat.last_public_seq, Chat.site_id)
        )
    ).one()
    message = Message(
        chat_id=chat_id,
        seq=counters.last_seq,
        public_seq=counters.last_public_seq if public else None,
        kind=kind,
        author_type=author.type,
        author_id=author.id,
        author_name=author.name,
        author_avatar_url=author.avatar_url,
        body=body,
        client_msg_id=client_msg_id,
        attachments=attachments or [],
        created_at=now,
    )
    uow.session.add(message)
    await uow.session.flush()
    uow.emit(
        chat_topic(chat_id),
        {"type": "message.new", "chat_id": chat_id, "message": message_view(message)},
        audience="everyone" if public else "staff",
    )
    if stamps:
        # Supervisors see "waiting for an answer since" without a query per message.
        uow.emit(
            supervisors_topic(counters.site_id),
            {
                "type": "supervisor.activity",
                "chat_id": chat_id,
                "author_type": author.type,
                "at": iso(now),
            },
            audience="staff",
        )
    return message
