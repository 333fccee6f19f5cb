"""Visitors on the wire: the visitor socket's greeting and the live page trail agents follow."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from app.common.enums import ChatStatus
from app.common.wire import ClientFrame, ServerFrame, WireModel


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


class VisitorActivity(ServerFrame):
    audience_note = "agents of the site"
    type: Literal["visitor.activity"] = "visitor.activity"
    visitor_id: str
    url: str
    title: str | None
    at: str
    chat_id: str | None


class PageView(ClientFrame):
    type: Literal["page.view"]
    url: Annotated[str, Field(min_length=1, max_length=2000)]
    title: Annotated[str, Field(max_length=500)] | None = None
    referrer: Annotated[str, Field(max_length=2000)] | None = None
    # The browser's language (navigator.language), for `language` trigger rules.
    language: Annotated[str, Field(max_length=35)] | None = None
