"""REST answers about visitors: the widget's session, and a visitor as staff see them
(the visitor socket's frames are in ``schemas.py``).

The visitor card fields are spelled out here rather than taken from ``chat.schemas.VisitorCard``:
chat imports visitors, so visitors may not import chat back.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.agents.models import Agent
from app.agents.schemas import AgentCard
from app.common.enums import ChatStatus
from app.common.i18n import Language
from app.common.types import iso
from app.common.wire import WireModel, omitted
from app.sites.service import AskContact
from app.visitors.models import PageView, Visitor
from app.visitors.schemas import ActiveChat, EventOut


class DepartmentChoice(WireModel):
    """A department as the widget offers it: the label, and the value it sends back."""

    label: str
    value: str = Field(description="what the pre-chat form sends as ``department``")


class WidgetVisitor(WireModel):
    id: str
    name: str | None
    email: str | None
    returning: bool = Field(description="the token named a visitor the site knows")


class WidgetSite(WireModel):
    id: str
    name: str


class WidgetTheme(WireModel):
    color: str


class WidgetActiveChat(ActiveChat):
    """The visitor's open chat, to resume on load, and who answers it."""

    agent: AgentCard | None

    @classmethod
    def of(cls, chat_id: str, status: str, agent: Agent | None) -> WidgetActiveChat:
        return cls(id=chat_id, status=ChatStatus(status), agent=AgentCard.of(agent))


class WidgetConfig(WireModel):
    site: WidgetSite
    theme: WidgetTheme
    greeting: str
    agents_online: bool
    available: bool = Field(
        description="a chat started now goes to an agent: in office hours and an agent online"
    )
    hide_when_offline: bool = Field(description="hide the bubble while not available")
    active_chat: WidgetActiveChat | None
    transcripts: bool = Field(description="the widget offers to e-mail the transcript")
    departments: list[DepartmentChoice] | None = omitted("the pre-chat form's topics, if any")
    language: Language = Field(description="the site's language: the widget's texts and dates")
    language_from_browser: bool = Field(
        description="the widget speaks the browser's language instead, when Parley has it"
    )
    ask_contact: AskContact = Field(
        default="after",
        description="when to ask name and e-mail: with the question, after it, or never",
    )
    logo_url: str | None = Field(default=None, description="the shop's logo for the header")
    team: list[AgentCard] = Field(
        default_factory=list, description="a few of the agents online now: faces for the header"
    )
    reply_time_s: int | None = Field(
        default=None,
        description=(
            "the site's typical time to a first answer, in seconds: the median first response"
            " time of its chats of the last 7 days (docs/kpis.md); null with fewer than 5"
            " answered chats, or while no agent is online or the site is not available"
        ),
        examples=[150],
    )


class WidgetSession(WireModel):
    """The widget's start: a visitor token to keep, who the visitor is, and how to look."""

    visitor_token: str
    visitor: WidgetVisitor
    config: WidgetConfig


class VisitorProfile(WireModel):
    """A visitor as staff see them, with the CRM attributes."""

    id: str
    name: str | None
    email: str | None
    visit_count: int
    external_id: str | None = Field(description="the shop's customer id, once verified")
    attributes: dict[str, Any]


class PageSeen(WireModel):
    url: str
    title: str | None
    at: str | None

    @classmethod
    def of(cls, view: PageView) -> PageSeen:
        return cls(url=view.url, title=view.title, at=iso(view.created_at))


class EarlierChat(WireModel):
    id: str
    status: ChatStatus
    created_at: str | None
    closed_at: str | None
    agent_id: str | None


class VisitorDetail(VisitorProfile):
    """A visitor, the pages they looked at and what they did recently, and their chats, newest
    first."""

    first_seen_at: str | None
    last_seen_at: str | None
    pages: list[PageSeen]
    events: list[EventOut] = Field(description="what the shop's page tracked (Parley.track)")
    chats: list[EarlierChat]

    @classmethod
    def of(
        cls,
        visitor: Visitor,
        pages: list[PageSeen],
        events: list[EventOut],
        chats: list[EarlierChat],
    ) -> VisitorDetail:
        return cls(
            **VisitorProfile.model_validate(visitor).model_dump(),
            first_seen_at=iso(visitor.first_seen_at),
            last_seen_at=iso(visitor.last_seen_at),
            pages=pages,
            events=events,
            chats=chats,
        )
