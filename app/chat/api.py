"""REST: chats and their messages, for the console and integrations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from app.agents.service import actor_of
from app.archive import service as archive
from app.archive.service import ArchiveFilter
from app.chat import service
from app.chat.access import ChatAction, authorize
from app.chat.models import Chat, Message
from app.chat.schemas import ChatSummary, MessageOut, MessagePost
from app.common.lists import Page
from app.common.lookup import get_in_site
from app.realtime.visibility import message_for
from app.web.deps import CurrentAgent, SessionDep, StateDep, api_token_of
from app.web.errors import ERRORS
from app.web.idempotency import IdempotencyKey

router = APIRouter(prefix="/api/v1", tags=["chats"], responses=ERRORS)


@router.get("/chats")
async def list_chats(
    agent: CurrentAgent,
    session: SessionDep,
    status: str | None = None,
    agent_id: str | None = None,
    visitor_id: str | None = None,
    skill: str | None = None,
    rating: Annotated[int | None, Query(ge=1, le=5)] = None,
    q: Annotated[str | None, Query(max_length=200, description="words of the messages")] = None,
    from_: Annotated[datetime | None, Query(alias="from", description="started from")] = None,
    to: Annotated[datetime | None, Query(description="started before")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> Page[ChatSummary]:
    filters = ArchiveFilter(status, agent_id, visitor_id, skill, rating, q, from_, to)
    query = archive.chats_query(actor_of(agent), session.get_bind().dialect.name, filters)
    if cursor:
        anchor = await get_in_site(session, Chat, cursor, agent.site_id, "unknown cursor")
        query = archive.after(query, anchor)
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
    cursor: Annotated[
        str | None, Query(pattern=r"^[0-9]{1,18}$", description="``next_cursor`` of a page")
    ] = None,
) -> Page[MessageOut]:
    """Every kind of message (agents see whispers and notes), through the visibility rule;
    oldest first. ``cursor`` (the ``next_cursor`` of the previous page) and ``after_seq`` both
    start after a message number."""
    chat = authorize(actor_of(agent), ChatAction.READ, await session.get(Chat, chat_id))
    start = max(after_seq, int(cursor)) if cursor else after_seq
    rows = list(
        (
            await session.execute(
                select(Message)
                .where(Message.chat_id == chat.id, Message.seq > start)
                .order_by(Message.seq)
                .limit(limit + 1)
            )
        ).scalars()
    )
    more = len(rows) > limit
    rows = rows[:limit]
    shown = (message_for("agent", MessageOut.of(m).model_dump()) for m in rows)
    items = [MessageOut.model_validate(m) for m in shown if m is not None]
    return Page(items=items, next_cursor=str(rows[-1].seq) if more else None)


@router.post("/chats/{chat_id}/messages", status_code=201, response_model=MessageOut)
async def post_message(
    chat_id: str,
    body: MessagePost,
    agent: CurrentAgent,
    state: StateDep,
    request: Request,
    idempotency: IdempotencyKey,
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
