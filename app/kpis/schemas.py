"""The KPI answer (PROTOCOL.md, "Second wave: exact shapes" → KPIs). A figure with no data
behind it is null, and so is a whole block whose feature has not recorded anything yet."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.common.enums import AgentStatus
from app.common.wire import ServerFrame, WireModel

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


class Utilisation(WireModel):
    online_s: float | None = Field(
        description="seconds agents were online or busy in the window; null: nothing recorded"
    )
    chat_s: float = Field(description="seconds with at least one chat of the agent, summed")
    pct: float | None = Field(
        description="share of online_s with at least one chat, in percent to one decimal"
    )
    agent_s_per_chat: float | None = Field(description="online_s / chats an agent took")
    agent_s_per_order: float | None = Field(
        description="online_s / assisted orders; null in agent groups"
    )


class Concurrent(WireModel):
    peak: int = Field(description="most chats handled at one moment in the window")
    avg: float | None = Field(description="handled chat-seconds / seconds of the window")


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
    utilisation: Utilisation | None = Field(
        default=None,
        description="agent time from status periods; null in skill, trigger, hour, day groups",
    )
    concurrent: Concurrent | None = Field(
        default=None, description="chats handled at once; null in skill, trigger, hour, day groups"
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


class StaffingHour(WireModel):
    weekday: int = Field(description="ISO weekday in the report's time zone, 1 = Monday")
    hour: int = Field(description="0-23 in the report's time zone")
    chats: int = Field(description="chats started in this hour of the week")
    waiting_avg: float | None = Field(description="mean number of chats waiting for an agent")
    agents_online_avg: float | None = Field(description="mean number of agents online or busy")


class ConversionSide(WireModel):
    visitors: int
    ordered: int
    pct: float | None


class Conversion(WireModel):
    seen: int = Field(description="visitors with a page view in the window")
    with_chat: ConversionSide = Field(description="of those, answered by an agent in a chat")
    without_chat: ConversionSide


class KpiReport(WireModel):
    from_: str = Field(alias="from")
    to: str
    timezone: str
    group_by: GroupBy | None
    totals: Figures
    groups: list[Group]
    staffing: list[StaffingHour] = Field(
        default_factory=list, description="the 168 hours of the week, Monday 00:00 first"
    )
    conversion: Conversion | None = None


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


class TileAgent(WireModel):
    id: str
    name: str
    status: AgentStatus
    active_chats: int
    max_chats: int


class KpiTiles(ServerFrame):
    """The dashboard's live tiles, computed by the server from the database when something
    changed (at most once a second per site) and every 30 s (docs/kpis.md, "Live tiles")."""

    audience_note = "supervisors and admins of the site"
    type: Literal["kpi.tiles"] = "kpi.tiles"
    chats_active: int = Field(description="chats with an agent now (status active)")
    queue: int = Field(description="chats waiting in the queue (status queued)")
    offered: int = Field(description="chats being offered to an agent")
    longest_wait_since: str | None = Field(
        description="when the longest-waiting queued chat joined the queue; null: none waits"
    )
    agents_online: int = Field(description="agents with status online")
    load: int = Field(description="chats of the agents online")
    capacity: int = Field(description="the most chats the agents online take (max_chats)")
    agents: list[TileAgent] = Field(description="agents not offline, by name")
    answered_within_60s_pct_today: float | None = Field(
        description="answered_within_60s_pct of the chats started today in the site's zone"
    )
    alert_after_s: int = Field(description="the site's waiting-alert threshold")
    timezone: str = Field(description="the site's zone, which 'today' is in")
