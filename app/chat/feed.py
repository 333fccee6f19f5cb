"""The supervisors' live feed: one row per chat, sent whenever the chat changes hands or state."""

from __future__ import annotations

from typing import Any

from app.agents.models import Agent
from app.chat.models import Chat
from app.chat.views import agent_card
from app.common.events import supervisors_topic
from app.common.types import iso
from app.common.uow import UnitOfWork
from app.visitors.models import Visitor


def chat_row(chat: Chat, visitor: Visitor, agent: Agent | None) -> dict[str, Any]:
    """One line of the supervisor grid."""
    unanswered = chat.last_visitor_message_at
    if unanswered and chat.last_agent_message_at and chat.last_agent_message_at >= unanswered:
        unanswered = None
    return {
        "id": chat.id,
        "status": chat.status,
        "skill": chat.skill,
        "visitor": {"id": visitor.id, "name": visitor.name or "Visitor"},
        "agent": agent_card(agent),
        "created_at": iso(chat.created_at),
        "queued_at": iso(chat.queued_at),
        "assigned_at": iso(chat.assigned_at),
        "closed_at": iso(chat.closed_at),
        "unanswered_since": iso(unanswered),
    }


async def publish_row(uow: UnitOfWork, chat: Chat) -> None:
    """Tell the site's supervisors how this chat stands now."""
    visitor = await uow.session.get_one(Visitor, chat.visitor_id)
    agent = await uow.session.get(Agent, chat.agent_id) if chat.agent_id else None
    uow.emit(
        supervisors_topic(chat.site_id),
        {"type": "supervisor.chat", "chat": chat_row(chat, visitor, agent)},
        audience="staff",
    )
