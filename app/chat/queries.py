"""Read queries on chats that other domains share (routing, supervision, the socket edge)."""

from __future__ import annotations

from sqlalchemy import select

from app.chat.models import OPEN_STATUSES, Chat
from app.common.uow import UnitOfWork


async def open_chat_of(uow: UnitOfWork, visitor_id: str) -> Chat | None:
    result = await uow.session.execute(
        select(Chat)
        .where(Chat.visitor_id == visitor_id, Chat.status.in_(OPEN_STATUSES))
        .order_by(Chat.created_at.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def previous_chats(uow: UnitOfWork, chat: Chat, limit: int = 10) -> list[Chat]:
    result = await uow.session.execute(
        select(Chat)
        .where(Chat.visitor_id == chat.visitor_id, Chat.id != chat.id)
        .order_by(Chat.created_at.desc())
        .limit(limit)
    )
    return list(result.scalars())
