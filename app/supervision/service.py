"""What supervisors see and do: every open chat live, monitoring, joining, taking over."""

from __future__ import annotations

from sqlalchemy import select

from app.agents.models import Agent
from app.agents.schemas import AgentCard, AgentOut
from app.chat import messages, queries
from app.chat.access import ChatAction, authorize
from app.chat.messages import SYSTEM
from app.chat.models import OPEN_STATUSES, Chat
from app.chat.schemas import ChatSummary, SupervisorRow
from app.common.actor import Actor
from app.common.enums import ChatStatus
from app.common.errors import Conflict
from app.common.events import chat_topic
from app.common.uow import UnitOfWork
from app.routing import queue
from app.supervision.schemas import ChatJoined, ChatMonitoring, Overview
from app.visitors.models import Visitor


async def overview(uow: UnitOfWork, site_id: str) -> Overview:
    rows = (
        (
            await uow.session.execute(
                select(Chat, Visitor)
                .join(Visitor, Visitor.id == Chat.visitor_id)
                .where(Chat.site_id == site_id, Chat.status.in_(OPEN_STATUSES))
                .order_by(Chat.created_at)
            )
        )
        .tuples()
        .all()
    )
    agents = list(
        (
            await uow.session.execute(
                select(Agent).where(Agent.site_id == site_id).order_by(Agent.name)
            )
        ).scalars()
    )
    by_id = {a.id: a for a in agents}
    return Overview(
        chats=[SupervisorRow.of(c, v, by_id.get(c.agent_id or "")) for c, v in rows],
        queue=await queue.queue_counts(uow, site_id),
        agents=[AgentOut.of(a) for a in agents],
    )


async def monitor(uow: UnitOfWork, actor: Actor, chat_id: str) -> ChatMonitoring:
    """Silently look at a chat: nobody in it is told."""
    chat = await _staff_chat(uow, actor, chat_id)
    return ChatMonitoring(chat_id=chat.id, chat=await _snapshot(uow, chat))


async def join(uow: UnitOfWork, actor: Actor, chat_id: str) -> ChatMonitoring:
    """Take part visibly: the visitor reads that the supervisor joined."""
    chat = await _staff_chat(uow, actor, chat_id)
    if chat.status == ChatStatus.CLOSED:
        raise Conflict("this chat is closed")
    me = await uow.session.get_one(Agent, actor.id)
    await messages.append(uow, chat.id, SYSTEM, f"{me.name} joined the chat.")
    uow.emit(chat_topic(chat.id), ChatJoined(chat_id=chat.id, agent=AgentCard.model_validate(me)))
    return ChatMonitoring(chat_id=chat.id, joined=True, chat=await _snapshot(uow, chat))


async def _snapshot(uow: UnitOfWork, chat: Chat) -> ChatSummary:
    visitor = await uow.session.get_one(Visitor, chat.visitor_id)
    return ChatSummary.of(chat, visitor, await queries.previous_chats(uow, chat))


async def _staff_chat(uow: UnitOfWork, actor: Actor, chat_id: str) -> Chat:
    return authorize(actor, ChatAction.SUPERVISE, await uow.session.get(Chat, chat_id))
