"""Appending a message: numbered inside the writing transaction, idempotent per client_msg_id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select, update

from app.agents.models import Agent
from app.chat.models import Chat, Message
from app.chat.offline import follow_up
from app.chat.schemas import MessageNew, MessageOut, SupervisorActivity
from app.common.enums import ChatStatus
from app.common.events import chat_topic, supervisors_topic
from app.common.types import iso, new_id, utcnow
from app.common.uow import UnitOfWork
from app.webhooks import outbox as webhooks

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
    stamps = _stamps(author, kind, now)
    counters = (
        await uow.session.execute(
            update(Chat)
            .where(Chat.id == chat_id)
            .values(
                last_seq=Chat.last_seq + 1,
                last_public_seq=Chat.last_public_seq + (1 if public else 0),
                **stamps,
                **(
                    {"first_visitor_message_at": func.coalesce(Chat.first_visitor_message_at, now)}
                    if "last_visitor_message_at" in stamps
                    else {}
                ),
            )
            .returning(Chat.last_seq, Chat.last_public_seq, Chat.site_id, Chat.status)
        )
    ).one()
    message = _message(
        chat_id, counters.last_seq, counters.last_public_seq if public else None,
        author, body, kind, client_msg_id, attachments, now,
    )  # fmt: skip
    uow.session.add(message)
    await uow.session.flush()
    _announce(uow, message, counters.site_id, bool(stamps))
    _offline_follow_up(uow, counters.status, message)
    return message


def append_locked(
    uow: UnitOfWork, chat: Chat, author: Author, body: str, kind: Kind, client_msg_id: str
) -> Message:
    """``append`` for a chat row this transaction has already locked and loaded.

    Numbers come from the loaded counters, which the lock keeps current; the row is written
    back at the next flush, so many messages can share one flush (see ``app.chat.batch``).
    """
    public = kind == "public"
    now = utcnow()
    stamps = _stamps(author, kind, now)
    chat.last_seq += 1
    if public:
        chat.last_public_seq += 1
    for column, value in stamps.items():
        setattr(chat, column, value)
    if "last_visitor_message_at" in stamps and chat.first_visitor_message_at is None:
        chat.first_visitor_message_at = now
    message = _message(
        chat.id, chat.last_seq, chat.last_public_seq if public else None,
        author, body, kind, client_msg_id, None, now,
    )  # fmt: skip
    uow.session.add(message)
    _announce(uow, message, chat.site_id, bool(stamps))
    _offline_follow_up(uow, chat.status, message)
    return message


def _offline_follow_up(uow: UnitOfWork, status: str, message: Message) -> None:
    """Public messages of an offline chat are mailed (never a whisper or a note)."""
    if status == ChatStatus.OFFLINE and message.kind == "public":
        follow_up(uow, message.chat_id, message.author_type)


def _stamps(author: Author, kind: Kind, now: datetime) -> dict[str, datetime]:
    if kind == "public" and author.type == "visitor":
        return {"last_visitor_message_at": now}
    if kind == "public" and author.type == "agent":
        return {"last_agent_message_at": now}
    return {}


def _message(
    chat_id: str,
    seq: int,
    public_seq: int | None,
    author: Author,
    body: str,
    kind: Kind,
    client_msg_id: str | None,
    attachments: list[dict[str, object]] | None,
    now: datetime,
) -> Message:
    return Message(
        id=new_id(),
        chat_id=chat_id,
        seq=seq,
        public_seq=public_seq,
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


def _announce(uow: UnitOfWork, message: Message, site_id: str, stamped: bool) -> None:
    public = message.kind == "public"
    uow.emit(
        chat_topic(message.chat_id),
        MessageNew(chat_id=message.chat_id, message=MessageOut.of(message)),
        audience="everyone" if public else "staff",
    )
    if public:  # never a whisper or a note
        webhooks.record(
            uow, site_id, "message.created", {"message": webhooks.message_data(message)}
        )
    if stamped:
        # Supervisors see "waiting for an answer since" without a query per message.
        uow.emit(
            supervisors_topic(site_id),
            SupervisorActivity(
                chat_id=message.chat_id,
                author_type=message.author_type,
                at=iso(message.created_at) or "",
            ),
            audience="staff",
        )
