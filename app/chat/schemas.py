"""Chats and messages on the wire: the shapes every client reads, and the chat domain's frames."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from app.agents.models import Agent
from app.agents.schemas import AgentCard
from app.chat.models import Chat, Message
from app.common.enums import ChatStatus
from app.common.types import iso
from app.common.wire import (
    Body,
    ChatId,
    ClientFrame,
    ClientMsgId,
    ServerFrame,
    WireModel,
    omitted,
)
from app.files.schemas import AttachmentOut
from app.visitors.models import Visitor

MessageKind = Literal["public", "whisper", "note"]
AuthorType = Literal["visitor", "agent", "system"]


class Author(WireModel):
    type: AuthorType
    id: str | None
    name: str | None
    avatar_url: str | None = None


class MessageOut(WireModel):
    """A stored message. ``public_seq`` only travels inside the server: the visibility rule
    turns it into the visitor's ``seq`` and removes it before any client sees the message."""

    id: str
    chat_id: str
    seq: int
    public_seq: SkipJsonSchema[int | None] = omitted()
    kind: MessageKind
    author: Author
    body: str
    created_at: str
    client_msg_id: str | None
    attachments: list[AttachmentOut]

    @classmethod
    def of(cls, m: Message) -> MessageOut:
        return cls(
            id=m.id,
            chat_id=m.chat_id,
            seq=m.seq,
            public_seq=m.public_seq,
            kind=m.kind,
            author=Author(
                type=m.author_type,
                id=m.author_id,
                name=m.author_name,
                avatar_url=m.author_avatar_url,
            ),
            body=m.body,
            created_at=iso(m.created_at) or "",
            client_msg_id=m.client_msg_id,
            attachments=[AttachmentOut.model_validate(a) for a in m.attachments],
        )


class MessagePost(BaseModel):
    """``POST /chats/{id}/messages``: a public message from an integration or an agent."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"body": "Your order has shipped."}]})

    body: Body
    # An API token may name an agent of its site to write as; a person may name only themselves.
    as_agent_id: str | None = Field(default=None, max_length=32)
    # Makes a retried POST store one message (like a socket's client_msg_id).
    client_msg_id: ClientMsgId | None = None


class VisitorCard(WireModel):
    id: str
    name: str | None
    email: str | None
    visit_count: int


class PreviousChat(WireModel):
    id: str
    created_at: str | None
    closed_at: str | None
    status: ChatStatus


class ChatSummary(WireModel):
    """A chat as agents and supervisors see it in lists and offers."""

    id: str
    status: ChatStatus
    visitor: VisitorCard
    skill: str | None
    pre_chat: dict[str, Any]
    agent_id: str | None
    last_seq: int
    created_at: str | None
    assigned_at: str | None
    closed_at: str | None
    previous_chats: list[PreviousChat]

    @classmethod
    def of(cls, chat: Chat, visitor: Visitor, previous: list[Chat] | None = None) -> ChatSummary:
        return cls(
            id=chat.id,
            status=ChatStatus(chat.status),
            visitor=VisitorCard.model_validate(visitor),
            skill=chat.skill,
            pre_chat=chat.pre_chat,
            agent_id=chat.agent_id,
            last_seq=chat.last_seq,
            created_at=iso(chat.created_at),
            assigned_at=iso(chat.assigned_at),
            closed_at=iso(chat.closed_at),
            previous_chats=[
                PreviousChat(
                    id=p.id,
                    created_at=iso(p.created_at),
                    closed_at=iso(p.closed_at),
                    status=ChatStatus(p.status),
                )
                for p in (previous or [])
            ],
        )


class ChatRef(WireModel):
    """A chat as its visitor is told of it: which one, nothing of the staff's view."""

    id: str


class ChatStarted(ServerFrame):
    audience_note = "the visitor"
    type: Literal["chat.started"] = "chat.started"
    chat_id: str
    status: ChatStatus


class MessageAck(ServerFrame):
    audience_note = "the sender"
    type: Literal["message.ack"] = "message.ack"
    chat_id: str
    client_msg_id: str | None
    message_id: str
    seq: int


class MessageNew(ServerFrame):
    audience_note = "chat members; whispers and notes to agents and supervisors only"
    type: Literal["message.new"] = "message.new"
    chat_id: str
    message: MessageOut

    @staticmethod
    def replay(chat_id: str, shown: dict[str, Any]) -> dict[str, Any]:
        """A stored message already dumped and passed through the visibility rule, as the
        ``message.new`` frame ``resume`` replays (not validated again: up to 500 per page)."""
        return {"type": "message.new", "chat_id": chat_id, "message": shown}


class TypingAuthor(WireModel):
    type: Literal["visitor", "agent"]
    id: str
    name: str | None


class TypingNotice(ServerFrame):
    audience_note = "the other side of the chat"
    type: Literal["typing"] = "typing"
    chat_id: str
    author: TypingAuthor
    active: bool


CloseReason = Literal["visitor_left"]
ClosedBy = Literal["visitor", "agent", "system"]


class ChatClosed(ServerFrame):
    audience_note = "everyone in the chat"
    type: Literal["chat.closed"] = "chat.closed"
    chat_id: str
    closed_by: ClosedBy
    reason: CloseReason | None = omitted("why the system closed it")


class ResumeDone(ServerFrame):
    audience_note = "the client that sent resume"
    type: Literal["resume.done"] = "resume.done"
    chat_id: str
    last_seq: int
    status: ChatStatus
    more: bool = Field(description="the chat has more: resume again from last_seq")


class SupervisorVisitor(WireModel):
    id: str
    name: str


class SupervisorRow(WireModel):
    """One line of the supervisor grid."""

    id: str
    status: ChatStatus
    skill: str | None
    visitor: SupervisorVisitor
    agent: AgentCard | None
    created_at: str | None
    queued_at: str | None
    assigned_at: str | None
    closed_at: str | None
    unanswered_since: str | None

    @classmethod
    def of(cls, chat: Chat, visitor: Visitor, agent: Agent | None) -> SupervisorRow:
        unanswered = chat.last_visitor_message_at
        if unanswered and chat.last_agent_message_at and chat.last_agent_message_at >= unanswered:
            unanswered = None
        return cls(
            id=chat.id,
            status=ChatStatus(chat.status),
            skill=chat.skill,
            visitor=SupervisorVisitor(id=visitor.id, name=visitor.name or "Visitor"),
            agent=AgentCard.of(agent),
            created_at=iso(chat.created_at),
            queued_at=iso(chat.queued_at),
            assigned_at=iso(chat.assigned_at),
            closed_at=iso(chat.closed_at),
            unanswered_since=iso(unanswered),
        )


class SupervisorChat(ServerFrame):
    audience_note = "supervisors and admins of the site"
    type: Literal["supervisor.chat"] = "supervisor.chat"
    chat: SupervisorRow


class SupervisorActivity(ServerFrame):
    audience_note = "supervisors and admins of the site"
    type: Literal["supervisor.activity"] = "supervisor.activity"
    chat_id: str
    author_type: Literal["visitor", "agent"]
    at: str


# --- What clients send -------------------------------------------------------------------

# Bounds on a shop's own pre-chat questions: stored with every chat and shown to agents.
PRE_CHAT_MAX_KEYS = 20
PRE_CHAT_MAX_KEY_LENGTH = 64
PRE_CHAT_MAX_VALUE_LENGTH = 500


class PreChat(BaseModel):
    # Shops add their own questions, so unknown keys are kept: a bounded number of short
    # answers (strings, numbers, yes/no), never nested data.
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)
    name: Annotated[str, Field(max_length=100)] | None = None
    email: EmailStr | None = None
    department: Annotated[str, Field(max_length=64)] | None = None

    @model_validator(mode="after")
    def _bounded(self) -> PreChat:
        extra = self.model_extra or {}
        if len(self.model_fields_set | extra.keys()) > PRE_CHAT_MAX_KEYS:
            raise ValueError(f"at most {PRE_CHAT_MAX_KEYS} fields")
        for key, value in extra.items():
            if len(key) > PRE_CHAT_MAX_KEY_LENGTH:
                raise ValueError(f"field names may be at most {PRE_CHAT_MAX_KEY_LENGTH} characters")
            if value is not None and not isinstance(value, str | int | float | bool):
                raise ValueError(f"{key}: answers must be text, a number or true/false")
            if isinstance(value, str) and len(value) > PRE_CHAT_MAX_VALUE_LENGTH:
                raise ValueError(
                    f"{key}: answers may be at most {PRE_CHAT_MAX_VALUE_LENGTH} characters"
                )
        return self


class ChatStart(ClientFrame):
    type: Literal["chat.start"]
    pre_chat: PreChat = Field(default_factory=PreChat)
    message: Body | None = None
    client_msg_id: ClientMsgId | None = None
    # The proactive invitation the visitor accepted by starting this chat.
    invitation_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class MessageSend(ClientFrame):
    type: Literal["message.send"]
    chat_id: ChatId
    client_msg_id: ClientMsgId
    body: Body
    kind: MessageKind = "public"
    attachment_ids: Annotated[list[str], Field(max_length=10)] = Field(default_factory=list)


class Typing(ClientFrame):
    type: Literal["typing"]
    chat_id: ChatId
    active: bool


class ChatClose(ClientFrame):
    type: Literal["chat.close"]
    chat_id: ChatId


class Resume(ClientFrame):
    type: Literal["resume"]
    chat_id: ChatId
    after_seq: Annotated[int, Field(ge=0)]
