"""Visitors on the wire: the visitor socket's greeting and the live page trail agents follow."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, EmailStr, Field, model_validator

from app.common.enums import ChatStatus
from app.common.types import iso
from app.common.wire import ClientFrame, ServerFrame, WireModel, omitted
from app.visitors.models import Visitor as StoredVisitor
from app.visitors.models import VisitorEvent as StoredEvent

# Bounds on a visitor.event (Parley.track): a name the shop chose and a small flat object, stored
# with the visitor for triggers, KPIs and the agent's view, so never large or nested.
EVENT_MAX_KEYS = 20
EVENT_MAX_KEY_LENGTH = 64
EVENT_MAX_VALUE_LENGTH = 500
# Events whose numbers Parley reads itself (cart value triggers, assisted orders).
_NUMERIC_VALUE_EVENTS = frozenset({"cart.updated", "order.completed"})

EventValue = str | bool | int | float | None


class HelloVisitor(WireModel):
    id: str
    name: str | None


class ActiveChat(WireModel):
    id: str
    status: ChatStatus


class VisitorHello(ServerFrame):
    """The first frame of a visitor socket: who they are and their open chat, if any."""

    audience_note = "a new visitor socket"
    type: Literal["hello"] = "hello"
    visitor: HelloVisitor
    active_chat: ActiveChat | None


class EventOut(WireModel):
    """A tracked event (``Parley.track``) as agents see it in the visitor's trail."""

    name: str
    data: dict[str, EventValue]
    url: str | None
    at: str | None

    @classmethod
    def of(cls, event: StoredEvent) -> EventOut:
        return cls(name=event.name, data=event.data, url=event.url, at=iso(event.created_at))


class VisitorActivity(ServerFrame):
    """A page view or tracked event of a visitor in a chat, for that chat's trail."""

    audience_note = "the staff of the visitor's open chat (its agent; supervisors monitoring it)"
    type: Literal["visitor.activity"] = "visitor.activity"
    visitor_id: str
    url: str | None = Field(description="the page; for an event, the page it happened on")
    title: str | None
    at: str
    chat_id: str | None
    event: EventOut | None = omitted("set when the activity is a tracked event")


class PageView(ClientFrame):
    type: Literal["page.view"]
    url: Annotated[str, Field(min_length=1, max_length=2000)]
    title: Annotated[str, Field(max_length=500)] | None = None
    referrer: Annotated[str, Field(max_length=2000)] | None = None
    # The browser's language (navigator.language), for `language` trigger rules.
    language: Annotated[str, Field(max_length=35)] | None = None


class VisitorEvent(ClientFrame):
    """Something the shop's page reported (``Parley.track(name, data)``), e.g. ``cart.updated``."""

    type: Literal["visitor.event"]
    name: Annotated[str, Field(min_length=1, max_length=EVENT_MAX_KEY_LENGTH)]
    data: dict[str, EventValue] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _bounded(self) -> VisitorEvent:
        if len(self.data) > EVENT_MAX_KEYS:
            raise ValueError(f"data: at most {EVENT_MAX_KEYS} fields")
        for key, value in self.data.items():
            if not key or len(key) > EVENT_MAX_KEY_LENGTH:
                raise ValueError(f"data: field names are 1 to {EVENT_MAX_KEY_LENGTH} characters")
            if isinstance(value, str) and len(value) > EVENT_MAX_VALUE_LENGTH:
                raise ValueError(f"data.{key}: at most {EVENT_MAX_VALUE_LENGTH} characters")
        value = self.data.get("value")
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if self.name in _NUMERIC_VALUE_EVENTS and value is not None and not numeric:
            raise ValueError(f"data.value of {self.name} must be a number")
        return self


class VisitorContact(ClientFrame):
    """Name and e-mail a visitor gives after their first message (the in-chat card of a site
    that asks ``after``), bounded like the pre-chat form's (app/chat/schemas.py PreChat)."""

    model_config = ConfigDict(str_strip_whitespace=True)
    type: Literal["visitor.contact"]
    name: Annotated[str, Field(max_length=100)] | None = None
    email: EmailStr | None = None
    # The transcript when the open chat closes, as the pre-chat form's tick box asks for it.
    transcript: bool = False

    @model_validator(mode="after")
    def _something(self) -> VisitorContact:
        if not self.name and not self.email:
            raise ValueError("give a name, an e-mail address or both")
        if self.transcript and not self.email:
            raise ValueError("transcript: give the e-mail address to send it to")
        return self


class VisitorContactSaved(ServerFrame):
    """The visitor's ``visitor.contact`` is stored: the widget can stop asking."""

    audience_note = "the visitor who sent `visitor.contact`"
    type: Literal["visitor.contact.saved"] = "visitor.contact.saved"
    name: str | None
    email: str | None


class VisitorUpdated(ServerFrame):
    """The visitor told us who they are during the chat; the staff following it relabel it."""

    audience_note = (
        "the staff of the visitor's open chat (its agent; supervisors monitoring it)"
        " and the site's supervisors (their grid)"
    )
    type: Literal["visitor.updated"] = "visitor.updated"
    visitor_id: str
    chat_id: str
    name: str | None
    email: str | None


class VisitorListed(WireModel):
    """A visitor in ``GET /visitors``: who they are to the shop, and when they were here."""

    id: str
    name: str | None
    email: str | None
    external_id: str | None
    attributes: dict[str, object]
    visit_count: int
    first_seen_at: str | None
    last_seen_at: str | None

    @classmethod
    def of(cls, v: StoredVisitor) -> VisitorListed:
        return cls(
            id=v.id,
            name=v.name,
            email=v.email,
            external_id=v.external_id,
            attributes=dict(v.attributes or {}),
            visit_count=v.visit_count,
            first_seen_at=iso(v.first_seen_at),
            last_seen_at=iso(v.last_seen_at),
        )


class VisitorList(WireModel):
    items: list[VisitorListed]
    next_cursor: str | None


class IdentityUser(WireModel):
    """``user`` in ``POST /widget/session``: the shop's signed-in customer (docs/crm.md).

    ``hash`` is the hex HMAC-SHA256 of ``id`` keyed with the site's identity secret.
    """

    id: str = Field(min_length=1, max_length=255)
    email: str | None = Field(default=None, max_length=320)
    # As long as the widget lets through (widget/src/api.js cleanUser); stored cut to 200.
    name: str | None = Field(default=None, max_length=320)
    hash: str | None = Field(default=None, max_length=128)


class VisitorChanged(ServerFrame):
    """Something a live visitors list shows changed for this visitor (a page, an event, a socket
    opened or closed, an invitation, a chat). Published on the site's ``visitors:`` topic only
    to the processes where someone watches the list; they read the visitor's row themselves and
    send it batched (``visitors.delta``). No socket ever receives this frame."""

    audience_note = "internal: the processes watching the site's visitors list (never a socket)"
    type: Literal["visitor.changed"] = "visitor.changed"
    visitor_id: str
