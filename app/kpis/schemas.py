"""The KPI answer (PROTOCOL.md, "Second wave: exact shapes" → KPIs). A figure with no data
behind it is null, and so is a whole block whose feature has not recorded anything yet."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.common.wire import WireModel

GroupBy = Literal["agent", "hour", "day", "skill", "site", "trigger"]


class FirstResponse(WireModel):
    avg: float | None
    p50: float | None
    p90: float | None


class Wait(WireModel):
    avg: float | None
    p90: float | None


class Duration(WireModel):
    avg: float | None


class Csat(WireModel):
    avg: float | None
    count: int
    distribution: dict[str, int]


class Invitations(WireModel):
    fired: int = Field(description="invitations fired in the window")
    shown: int = Field(description="of those, reported on screen by the widget")
    accepted: int = Field(description="of those, taken up (teaser clicked or a chat started)")
    dismissed: int = Field(description="of those, dismissed by the visitor")
    chats: int = Field(description="of those, followed by a chat started from the invitation")
    by_hand: int = Field(
        default=0, description="of those, sent by an agent by hand (say hello), not a trigger"
    )


class Orders(WireModel):
    assisted: int = Field(description="order.completed after an agent answered the visitor")
    revenue: float = Field(description="sum of those orders' data.value")


class Figures(WireModel):
    chats: int = Field(description="chats started in the window, missed and offline included")
    missed: int = Field(description="the visitor wrote and no agent answered before the close")
    offline: int | None = Field(description="chats started as offline messages (never missed)")
    first_response_s: FirstResponse
    wait_s: Wait
    duration_s: Duration
    answered_within_60s_pct: float | None
    csat: Csat = Field(description="post-chat survey ratings of the window's chats")
    invitations: Invitations | None = Field(
        description="invitations fired in the window; null in agent and skill groups"
    )
    orders: Orders | None = Field(
        description="chat-assisted orders of the window; null in agent, skill, trigger groups"
    )


class VariantFigures(WireModel):
    """One A/B variant of a trigger: its invitations and the orders they assisted."""

    key: str | None = Field(description="the variant id; null for invitations without one")
    label: str = Field(description="the variant's text now, or its id if it is gone")
    weight: float | None = Field(description="its weight now; null if it is gone")
    invitations: Invitations
    orders: Orders = Field(
        description="assisted orders whose answered chat came from an invitation of the variant"
    )


class Group(Figures):
    key: str | None = Field(
        description="agent id, skill, trigger id, site id, or the ISO start of the hour or day"
    )
    label: str
    variants: list[VariantFigures] | None = Field(
        default=None, description="by trigger only: the trigger's A/B variants; else null"
    )


class KpiReport(WireModel):
    from_: str = Field(alias="from")
    to: str
    timezone: str
    group_by: GroupBy | None
    totals: Figures
    groups: list[Group]


class QuestionExample(WireModel):
    chat_id: str
    text: str


class Question(WireModel):
    label: str = Field(description="the group's most central question, as a visitor wrote it")
    count: int
    examples: list[QuestionExample]


class TopQuestions(WireModel):
    sampled: int = Field(description="first messages read: the window's newest, at most 1,500")
    questions: list[Question]
