"""Routing's frames: offers, assignments, the queue and agents' presence."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from app.agents.schemas import AgentCard, AgentOut
from app.chat.schemas import ChatRef, ChatSummary
from app.common.enums import AgentStatus
from app.common.wire import ChatId, ClientFrame, ServerFrame, omitted


class ChatQueued(ServerFrame):
    audience_note = "the visitor, at once and whenever position or estimate change"
    type: Literal["chat.queued"] = "chat.queued"
    chat_id: str
    position: int = Field(description="in the queue of its skill")
    estimated_wait_s: int
    skill: str | None
    agents_available: bool = Field(description="false when nobody who could take it is online")


class ChatOffered(ServerFrame):
    audience_note = "the agent offered the chat"
    type: Literal["chat.offered"] = "chat.offered"
    chat_id: str
    chat: ChatSummary
    expires_in_s: int


class ChatAssigned(ServerFrame):
    """To the agent with the chat summary; to the visitor with only the chat's id and the
    agent's card."""

    audience_note = "the agent; also the visitor, with agent {id, name, avatar_url}"
    type: Literal["chat.assigned"] = "chat.assigned"
    chat_id: str
    chat: ChatSummary | ChatRef
    agent: AgentCard | None = omitted("to the visitor: who answers")


class ChatOfferExpired(ServerFrame):
    audience_note = "the agent who let an offer lapse"
    type: Literal["chat.offer_expired"] = "chat.offer_expired"
    chat_id: str


class ChatUnassigned(ServerFrame):
    audience_note = "an agent whose chats were taken back (went offline)"
    type: Literal["chat.unassigned"] = "chat.unassigned"
    chat_id: str
    reason: Literal["agent_offline"]


class ChatTransferred(ServerFrame):
    audience_note = "everyone in the chat"
    type: Literal["chat.transferred"] = "chat.transferred"
    chat_id: str
    from_agent_id: str | None
    to_agent_id: str
    to_skill: str | None
    agent: AgentCard | None


class QueueUpdate(ServerFrame):
    audience_note = "agents of the site"
    type: Literal["queue.update"] = "queue.update"
    waiting: dict[str, int] = Field(description='waiting chats per skill, "" for none')
    total: int


PresenceReason = Literal["idle", "connection_lost", "deactivated"]


class PresenceUpdate(ServerFrame):
    audience_note = "agents of the site"
    type: Literal["presence.update"] = "presence.update"
    agent_id: str
    status: AgentStatus
    active_chats: int
    reason: PresenceReason | None = omitted("why the system changed the status")


class AgentHello(ServerFrame):
    """The first frame of an agent socket: who they are and their open chats."""

    audience_note = "a new agent socket"
    type: Literal["hello"] = "hello"
    agent: AgentOut
    chats: list[ChatSummary]


class ChatAccept(ClientFrame):
    type: Literal["chat.accept"]
    chat_id: ChatId


class ChatTransfer(ClientFrame):
    type: Literal["chat.transfer"]
    chat_id: ChatId
    to_agent_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    to_skill: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    note: Annotated[str, Field(max_length=5000)] | None = None
