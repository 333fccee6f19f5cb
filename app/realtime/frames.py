"""Inbound socket frames, parsed once at the edge into typed models (discriminated on ``type``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

import orjson
from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from app.common.errors import BadRequest, TooLarge

ChatId = Annotated[str, Field(min_length=1, max_length=64)]
ClientMsgId = Annotated[str, Field(min_length=1, max_length=64)]
Body = Annotated[str, Field(min_length=1, max_length=5000)]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Ping(_Frame):
    type: Literal["ping"]


class PageView(_Frame):
    type: Literal["page.view"]
    url: Annotated[str, Field(min_length=1, max_length=2000)]
    title: Annotated[str, Field(max_length=500)] | None = None
    referrer: Annotated[str, Field(max_length=2000)] | None = None
    # The browser's language (navigator.language), for `language` trigger rules.
    language: Annotated[str, Field(max_length=35)] | None = None


class VisitorEvent(_Frame):
    """Something the shop reported of the visitor (``Parley.track(name, data)``)."""

    type: Literal["visitor.event"]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    data: dict[str, Any] = Field(default_factory=dict)


InvitationId = Annotated[str, Field(min_length=1, max_length=64)]


class InvitationAccept(_Frame):
    type: Literal["invitation.accept"]
    invitation_id: InvitationId


class InvitationDismiss(_Frame):
    type: Literal["invitation.dismiss"]
    invitation_id: InvitationId


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


class ChatStart(_Frame):
    type: Literal["chat.start"]
    pre_chat: PreChat = Field(default_factory=PreChat)
    message: Body | None = None
    client_msg_id: ClientMsgId | None = None
    # The proactive invitation the visitor accepted by starting this chat.
    invitation_id: InvitationId | None = None


class MessageSend(_Frame):
    type: Literal["message.send"]
    chat_id: ChatId
    client_msg_id: ClientMsgId
    body: Body
    kind: Literal["public", "whisper", "note"] = "public"
    attachment_ids: Annotated[list[str], Field(max_length=10)] = Field(default_factory=list)


class Typing(_Frame):
    type: Literal["typing"]
    chat_id: ChatId
    active: bool


class ChatClose(_Frame):
    type: Literal["chat.close"]
    chat_id: ChatId


class Resume(_Frame):
    type: Literal["resume"]
    chat_id: ChatId
    after_seq: Annotated[int, Field(ge=0)]


class PresenceSet(_Frame):
    type: Literal["presence.set"]
    status: Literal["online", "busy", "away"]


class ChatAccept(_Frame):
    type: Literal["chat.accept"]
    chat_id: ChatId


class ChatTransfer(_Frame):
    type: Literal["chat.transfer"]
    chat_id: ChatId
    to_agent_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    to_skill: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    note: Annotated[str, Field(max_length=5000)] | None = None


class ChatMonitor(_Frame):
    type: Literal["chat.monitor"]
    chat_id: ChatId


class ChatJoin(_Frame):
    type: Literal["chat.join"]
    chat_id: ChatId


class Activity(_Frame):
    """The agent is at the console (typing, clicking): keeps them from turning away."""

    type: Literal["activity"]


VisitorFrame = Annotated[
    Ping
    | PageView
    | VisitorEvent
    | InvitationAccept
    | InvitationDismiss
    | ChatStart
    | MessageSend
    | Typing
    | ChatClose
    | Resume,
    Field(discriminator="type"),
]
AgentFrame = Annotated[
    Ping
    | PresenceSet
    | ChatAccept
    | ChatTransfer
    | ChatMonitor
    | ChatJoin
    | Activity
    | MessageSend
    | Typing
    | ChatClose
    | Resume,
    Field(discriminator="type"),
]
_VISITOR = TypeAdapter[Any](VisitorFrame)
_AGENT = TypeAdapter[Any](AgentFrame)


def _types_of(union: Any) -> frozenset[str]:
    """The ``type`` values a discriminated union accepts, read from its members."""
    members = get_args(get_args(union)[0])
    return frozenset(get_args(m.model_fields["type"].annotation)[0] for m in members)


_VISITOR_TYPES = _types_of(VisitorFrame)
_AGENT_TYPES = _types_of(AgentFrame)


def frame_types(role: Literal["visitor", "agent"]) -> frozenset[str]:
    """The frame types a socket of this side may send."""
    return _VISITOR_TYPES if role == "visitor" else _AGENT_TYPES


def type_of(model: type[BaseModel]) -> str:
    """The ``type`` value of a frame model."""
    value: str = get_args(model.model_fields["type"].annotation)[0]
    return value


def parse(raw: str | bytes, role: Literal["visitor", "agent"], max_bytes: int) -> BaseModel:
    """A typed frame, or BadRequest/TooLarge carrying a message a developer can act on."""
    if len(raw) > max_bytes:
        raise TooLarge(f"frame larger than {max_bytes} bytes")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequest("frame is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("frame must be a JSON object")
    kind = data.get("type")
    allowed = _VISITOR_TYPES if role == "visitor" else _AGENT_TYPES
    if not isinstance(kind, str) or kind not in allowed:
        raise BadRequest(f"unknown frame type {kind!r}")
    adapter = _VISITOR if role == "visitor" else _AGENT
    try:
        frame: BaseModel = adapter.validate_python(data)
    except ValidationError as exc:
        raise BadRequest(_describe(exc)) from None
    return frame


def client_ref(raw: str | bytes) -> str | None:
    """The client_msg_id of a frame, if one can be read, so an error can name what it refuses."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    ref = data.get("client_msg_id") if isinstance(data, dict) else None
    return ref if isinstance(ref, str) else None


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err["loc"][1:]) or "frame"
        parts.append(f"{loc}: {err['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)
