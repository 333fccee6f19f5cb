"""Supervision's frames: a chat watched silently or joined."""

from __future__ import annotations

from typing import Literal

from app.agents.schemas import AgentCard, AgentOut
from app.chat.schemas import ChatSummary, SupervisorRow
from app.common.wire import ChatId, ClientFrame, ServerFrame, WireModel, omitted


class Overview(WireModel):
    """Everything live of a site at once; updates then arrive as frames."""

    chats: list[SupervisorRow]
    queue: dict[str, int]
    agents: list[AgentOut]


class ChatMonitoring(ServerFrame):
    """The snapshot a supervisor gets on ``chat.monitor`` (or ``chat.join``, with ``joined``)."""

    audience_note = "the supervisor who monitors or joins"
    type: Literal["chat.monitoring"] = "chat.monitoring"
    chat_id: str
    joined: bool | None = omitted("true after chat.join: public messages may be sent")
    chat: ChatSummary


class ChatJoined(ServerFrame):
    audience_note = "everyone in the chat"
    type: Literal["chat.joined"] = "chat.joined"
    chat_id: str
    agent: AgentCard


class ChatMonitor(ClientFrame):
    type: Literal["chat.monitor"]
    chat_id: ChatId


class ChatJoin(ClientFrame):
    type: Literal["chat.join"]
    chat_id: ChatId
