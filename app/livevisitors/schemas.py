"""The live visitors list on the wire: who is on the site now, and saying hello by hand."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from app.common.enums import ChatStatus
from app.common.wire import ClientFrame, ServerFrame, WireModel


class LiveChat(WireModel):
    id: str
    status: ChatStatus
    agent_id: str | None
    agent_name: str | None


class LiveInvitation(WireModel):
    """The visitor's open invitation (neither accepted nor dismissed yet)."""

    id: str
    by_hand: bool = Field(description="an agent said hello; else a trigger fired")
    agent_id: str | None
    agent_name: str | None
    fired_at: str | None


class LiveVisitor(WireModel):
    """A visitor on the site now (a widget socket open), as the live list shows them. Times are
    the server's; the list ticks them client-side against ``now`` of the frame."""

    id: str
    name: str | None
    email: str | None
    url: str | None = Field(description="the current page (null before the first page view)")
    title: str | None
    page_started_at: str | None = Field(description="since when on this page")
    visit_started_at: str | None = Field(description="since when on the site (this visit)")
    page_views: int = Field(description="page views in this visit")
    visit_count: int
    returning: bool
    cart_value: float | None = Field(description="data.value of the last cart.updated")
    referrer: str | None = Field(description="where this visit came from")
    invitation: LiveInvitation | None
    chat: LiveChat | None = Field(description="the visitor's open chat, and with whom")


class VisitorsWatch(ClientFrame):
    """Follow the site's live visitors list: answered with ``visitors.snapshot``, then
    ``visitors.delta`` frames (at most one a second) until ``visitors.unwatch`` or the end of
    the socket."""

    type: Literal["visitors.watch"]


class VisitorsUnwatch(ClientFrame):
    type: Literal["visitors.unwatch"]


class VisitorsSnapshot(ServerFrame):
    audience_note = "the staff socket that sent visitors.watch"
    type: Literal["visitors.snapshot"] = "visitors.snapshot"
    now: str = Field(description="the server's clock, to tick times against")
    visitors: list[LiveVisitor]


class VisitorsDelta(ServerFrame):
    """What changed since the last frame, batched per watching process (at most one a second):
    rows to add or replace, and visitors who left."""

    audience_note = "staff sockets watching the site's visitors"
    type: Literal["visitors.delta"] = "visitors.delta"
    now: str
    updated: list[LiveVisitor]
    left: list[str] = Field(description="ids of visitors no longer on the site")


class VisitorInvite(ClientFrame):
    """Say hello: invite this visitor by hand, as the calling agent."""

    type: Literal["visitor.invite"]
    visitor_id: Annotated[str, Field(min_length=1, max_length=64)]
    message: Annotated[str, Field(min_length=1, max_length=1000)] | None = None


class VisitorInvited(ServerFrame):
    audience_note = "the staff socket that sent visitor.invite"
    type: Literal["visitor.invited"] = "visitor.invited"
    visitor_id: str
    invitation_id: str
