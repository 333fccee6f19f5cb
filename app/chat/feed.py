"""The supervisors' live feed: one row per chat, sent whenever the chat changes hands or state."""

from __future__ import annotations

from app.agents.models import Agent
from app.chat.models import Chat
from app.chat.schemas import SupervisorChat, SupervisorRow
from app.common.events import supervisors_topic
from app.common.uow import UnitOfWork
from app.visitors import live
from app.visitors.models import Visitor


async def publish_row(uow: UnitOfWork, chat: Chat) -> None:
    """Tell the site's supervisors how this chat stands now."""
    visitor = await uow.session.get_one(Visitor, chat.visitor_id)
    agent = await uow.session.get(Agent, chat.agent_id) if chat.agent_id else None
    uow.emit(
        supervisors_topic(chat.site_id),
        SupervisorChat(chat=SupervisorRow.of(chat, visitor, agent)),
        audience="staff",
    )
    live.changed(uow, chat.site_id, chat.visitor_id)  # chatting, and with whom
