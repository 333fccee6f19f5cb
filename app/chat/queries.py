"""Read queries on chats that other domains share (routing, supervision, the socket edge)."""

from __future__ import annotations

from sqlalchemy import ScalarSelect, select

from app.chat.models import OPEN_STATUSES, Chat
from app.common.enums import ChatStatus
from app.common.uow import UnitOfWork


async def open_chat_of(uow: UnitOfWork, visitor_id: str) -> Chat | None:
    result = await uow.session.execute(
        select(Chat)
        .where(Chat.visitor_id == visitor_id, Chat.status.in_(OPEN_STATUSES))
        .order_by(Chat.created_at.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


def open_chat_id_of(visitor_id: str) -> ScalarSelect[str]:
    """The id of the visitor's open chat (NULL: none) as a subquery, for a caller that reads it
    together with other facts in one statement (the triggers' check on a page view)."""
    return (
        select(Chat.id)
        .where(Chat.visitor_id == visitor_id, Chat.status.in_(OPEN_STATUSES))
        .limit(1)
        .scalar_subquery()
    )


async def current_chat_of(uow: UnitOfWork, visitor_id: str) -> Chat | None:
    """The chat a visitor's widget shows on load: the open one, else an offline message still
    waiting (a returning visitor reads the answer there)."""
    chat = await open_chat_of(uow, visitor_id)
    if chat is not None:
        return chat
    return await uow.session.scalar(
        select(Chat)
        .where(Chat.visitor_id == visitor_id, Chat.status == ChatStatus.OFFLINE)
        .order_by(Chat.created_at.desc())
        .limit(1)
    )


async def previous_chats(uow: UnitOfWork, chat: Chat, limit: int = 10) -> list[Chat]:
    result = await uow.session.execute(
        select(Chat)
        .where(Chat.visitor_id == chat.visitor_id, Chat.id != chat.id)
        .order_by(Chat.created_at.desc())
        .limit(limit)
    )
    return list(result.scalars())
