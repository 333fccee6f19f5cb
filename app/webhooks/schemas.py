"""Webhooks on the wire: the admin REST API's requests and answers, and the events' data."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator

from app.common.types import iso
from app.common.wire import WireModel

EventName = Literal[
    "chat.started",
    "chat.assigned",
    "chat.transferred",
    "chat.closed",
    "message.created",
    "survey.submitted",
    "visitor.identified",
    "trigger.fired",
]
EVENTS: tuple[str, ...] = get_args(EventName)
DeliveryStatus = Literal["pending", "delivered", "failed"]

# Times leave as ISO 8601 in UTC with a "Z", like every other time Parley sends.
Time = Annotated[datetime, PlainSerializer(iso, return_type=str)]
MaybeTime = Annotated[datetime | None, PlainSerializer(iso, return_type=str | None)]

Url = Annotated[str, Field(min_length=1, max_length=2000, examples=["https://crm.example/hook"])]


def _unique(events: list[EventName] | None) -> list[EventName] | None:
    return None if events is None else list(dict.fromkeys(events))


class WebhookIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"url": "https://crm.example/parley", "events": ["chat.closed", "message.created"]}
            ]
        }
    )

    url: Url
    events: list[EventName] = Field(min_length=1, max_length=len(EVENTS))

    _dedupe = field_validator("events")(_unique)


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"enabled": True}]})

    url: Url | None = None
    events: list[EventName] | None = Field(default=None, min_length=1, max_length=len(EVENTS))
    # true re-enables an endpoint that was switched off for failing (and clears the reason).
    enabled: bool | None = None

    _dedupe = field_validator("events")(_unique)


class WebhookOut(WireModel):
    id: str
    url: str
    events: list[str]
    enabled: bool
    # Set when Parley switched the endpoint off because it failed for a day: the admin's cue.
    disabled_at: MaybeTime
    disabled_reason: str | None
    # After a rotation (POST /webhooks/{id}/secret): until when the previous secret signs too.
    previous_secret_expires_at: MaybeTime = None
    created_at: Time


class WebhookCreated(WebhookOut):
    """As created: the only answer that shows the signing secret."""

    secret: str


class WebhookSecret(WireModel):
    """A rotated secret: the only answer that shows it. Until ``previous_secret_expires_at``
    deliveries are signed with the previous secret too (``X-Parley-Signature`` lists both)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "6f1c0d8e2b5a4c7e9d3f1a2b3c4d5e6f",
                    "secret": "whsec_Jx0...",
                    "previous_secret_expires_at": "2026-11-28T09:00:00Z",
                }
            ]
        }
    )

    id: str
    secret: str
    previous_secret_expires_at: Time


class WebhookList(WireModel):
    items: list[WebhookOut]
    next_cursor: str | None = None


class DeliveryOut(WireModel):
    id: str
    event: str
    created_at: Time
    status: DeliveryStatus
    attempts: int
    next_attempt_at: MaybeTime
    last_attempt_at: MaybeTime
    delivered_at: MaybeTime
    response_status: int | None
    response_time_s: float | None
    # The receiver's answer, cut to its first 1 KB.
    response_body: str | None
    error: str | None


class DeliveryPage(WireModel):
    items: list[DeliveryOut]
    next_cursor: str | None


class Envelope(WireModel):
    """The POSTed body; signed as sent (``X-Parley-Signature``)."""

    event: str
    delivery_id: str
    created_at: str
    site_id: str
    data: dict[str, Any]


# The events' data. Built from the chat domain's rows by attribute, so this domain needs
# nothing of chat's (chat and routing call into here, never the other way).


class EventChat(WireModel):
    id: str
    status: str
    visitor_id: str
    agent_id: str | None
    skill: str | None
    pre_chat: dict[str, Any]
    created_at: Time
    assigned_at: MaybeTime
    closed_at: MaybeTime
    closed_by: str | None


class EventAgent(WireModel):
    id: str
    name: str
    email: str


class EventAuthor(WireModel):
    type: str
    id: str | None
    name: str | None


class EventMessage(WireModel):
    id: str
    chat_id: str
    # The message's number among the chat's public messages (what the visitor sees).
    seq: int
    author: EventAuthor
    body: str
    attachments: list[dict[str, Any]]
    created_at: Time
