"""REST: chats and their messages, for the console and integrations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from app.agents.service import actor_of
from app.chat import service
from app.chat.access import ChatAction, authorize
from app.chat.models import Chat, Message
from app.chat.schemas import MessageOut, MessagePost
from app.chat.views import chat_summary, message_view
from app.common.lookup import get_in_site
from app.realtime.visibility import message_for
from app.visitors.models import Visitor
from app.web.deps import CurrentAgent, SessionDep, StateDep, api_token_of
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
) -> dict[str, Any]:
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
    items = [chat_summary(c, v) for c, v in rows[:limit]]
    next_cursor = items[-1]["id"] if len(rows) > limit else None
    return {"items": items, "next_cursor": next_cursor}


@router.get("/chats/{chat_id}/messages")
async def list_messages(
    chat_id: str,
    agent: CurrentAgent,
    session: SessionDep,
    after_seq: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    chat = authorize(actor_of(agent), ChatAction.READ, await session.get(Chat, chat_id))
    rows = (
        await session.execute(
            select(Message)
            .where(Message.chat_id == chat.id, Message.seq > after_seq)
            .order_by(Message.seq)
            .limit(limit)
        )
    ).scalars()
    items = [message_for("agent", message_view(m)) for m in rows]
    return {"items": items}


@router.post("/chats/{chat_id}/messages", status_code=201, response_model=MessageOut)
async def post_message(
    chat_id: str, body: MessagePost, agent: CurrentAgent, state: StateDep, request: Request
) -> MessageOut:
    """A public message: with an API token as the site or as ``as_agent_id``; with an agent's
    token as that agent. Delivered live to the visitor like any other message."""
    async with state.uow() as uow:
        message = await service.post_as(
            uow,
            actor_of(agent),
            chat_id,
            body.body,
            body.as_agent_id,
            integration=api_token_of(request) is not None,
            client_msg_id=body.client_msg_id,
        )
        return MessageOut.of(message)
