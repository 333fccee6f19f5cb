"""REST: chats and their messages, for the console and integrations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from app.agents.service import actor_of
from app.chat.access import ChatAction, authorize
from app.chat.models import Chat, Message
from app.chat.schemas import ChatSummary, MessageOut
from app.common.lists import Items, Page
from app.common.lookup import get_in_site
from app.realtime.visibility import message_for
from app.visitors.models import Visitor
from app.web.deps import CurrentAgent, SessionDep
from app.web.errors import ERRORS

router = APIRouter(prefix="/api/v1", tags=["chats"], responses=ERRORS)


@router.get("/chats")
async def list_chats(
    agent: CurrentAgent,
    session: SessionDep,
    status: str | None = None,
    agent_id: str | None = None,
    visitor_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> Page[ChatSummary]:
    query = (
        select(Chat, Visitor)
        .join(Visitor, Visitor.id == Chat.visitor_id)
        .where(Chat.site_id == agent.site_id)
        .order_by(Chat.created_at.desc(), Chat.id.desc())
    )
    if status:
        query = query.where(Chat.status == status)
    if agent_id:
        query = query.where(Chat.agent_id == agent_id)
    if visitor_id:
        query = query.where(Chat.visitor_id == visitor_id)
    if cursor:
        anchor = await get_in_site(session, Chat, cursor, agent.site_id, "unknown cursor")
        query = query.where(
            (Chat.created_at < anchor.created_at)
            | ((Chat.created_at == anchor.created_at) & (Chat.id < anchor.id))
        )
    rows = (await session.execute(query.limit(limit + 1))).all()
    items = [ChatSummary.of(c, v) for c, v in rows[:limit]]
    return Page(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


@router.get("/chats/{chat_id}/messages")
async def list_messages(
    chat_id: str,
    agent: CurrentAgent,
    session: SessionDep,
    after_seq: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Items[MessageOut]:
    """Every kind of message (agents see whispers and notes), through the visibility rule."""
    chat = authorize(actor_of(agent), ChatAction.READ, await session.get(Chat, chat_id))
    rows = (
        await session.execute(
            select(Message)
            .where(Message.chat_id == chat.id, Message.seq > after_seq)
            .order_by(Message.seq)
            .limit(limit)
        )
    ).scalars()
    shown = (message_for("agent", MessageOut.of(m).model_dump()) for m in rows)
    return Items(items=[MessageOut.model_validate(m) for m in shown if m is not None])
