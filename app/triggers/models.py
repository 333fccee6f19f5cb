"""Triggers, the visit state they are evaluated on, and the invitations they fired."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from app.common.types import UTCDateTime, new_id, utcnow
from app.db import Base


class Trigger(Base):
    """A shop's rule for inviting visitors to chat (conditions as in docs/triggers.md)."""

    __tablename__ = "triggers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON)
    exclude_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The first variant's text (the whole text of a trigger without variants).
    message: Mapped[str] = mapped_column(Text)
    # A/B variants [{id, message, weight}]; None: the one variant ``message`` (see variants.py).
    variants: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)
    open_panel: Mapped[bool] = mapped_column(Boolean, default=False)
    when_unavailable: Mapped[bool] = mapped_column(Boolean, default=False)
    # Fires only while an agent with this skill could take the chat (None: any agent).
    skill: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TriggerSet(Base):
    """A site's triggers as a whole: ``version`` goes up in the transaction of every change to
    any of them (created, edited, enabled or disabled, deleted). Each process keeps the site's
    enabled triggers compiled in memory (app/triggers/compiled.py) and reads this number with
    the visit row it locks on every page view anyway: a new number, whichever process changed
    a trigger, makes it load them again, in that same transaction. No row: the site has never
    had a trigger, and nothing is loaded."""

    __tablename__ = "trigger_sets"

    site_id: Mapped[str] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)


class TriggerVisit(Base):
    """The visitor's current visit as rules see it: one row per visitor, updated on each page
    view and event, so evaluating a trigger never scans page views."""

    __tablename__ = "trigger_visits"

    visitor_id: Mapped[str] = mapped_column(
        ForeignKey("visitors.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    # Counts the visits seen here; one invitation per (visitor, visit_no).
    visit_no: Mapped[int] = mapped_column(Integer, default=1)
    visit_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_view_at: Mapped[datetime] = mapped_column(UTCDateTime)
    page_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Page views of this visit: time on page restarts with each; 0 before the first one.
    page_views: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str] = mapped_column(Text, default="")
    referrer: Mapped[str | None] = mapped_column(Text, default=None)
    language: Mapped[str | None] = mapped_column(String(35), default=None)
    # The last cart.updated event's data.value (kept across visits: carts outlive a visit).
    cart_value: Mapped[float | None] = mapped_column(Float, default=None)
    # Names of the visitor.events of this visit (bounded, see service.MAX_EVENT_NAMES).
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Since when a trigger holds but nobody can answer: an agent becoming available wakes the
    # visitor's timer (service.wake_waiting). None: not waiting.
    awaiting_agent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # When the visitor's timer (the ``trigger:<id>`` job) was last set for, None: cleared. A page
    # view whose triggers give the same moment (most often: none, nothing can hold on this
    # page) leaves the job row alone. Kept with the job in the same transactions.
    timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Invitation(Base):
    """One invitation sent to a visitor, and what became of it (for the KPI dashboard)."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("visitor_id", "visit_no"),
        # The KPIs: invitations fired in a window of a site, and the invitation a chat came from.
        Index("ix_invitations_site_fired", "site_id", "fired_at"),
        Index("ix_invitations_chat", "chat_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    trigger_id: Mapped[str | None] = mapped_column(
        ForeignKey("triggers.id", ondelete="SET NULL"), index=True, default=None
    )
    # Looked up through the unique (visitor_id, visit_no) index.
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"))
    visit_no: Mapped[int] = mapped_column(Integer)
    agent_id: Mapped[str | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    message: Mapped[str] = mapped_column(Text)
    # The trigger's A/B variant shown (None: an invitation not made by a trigger).
    variant_id: Mapped[str | None] = mapped_column(String(32), default=None)
    url: Mapped[str] = mapped_column(Text)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the widget reported the teaser (or the panel) on screen; once.
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    chat_id: Mapped[str | None] = mapped_column(String(32), default=None)
    # Sent by ``agent_id`` by hand from the live visitors list (no trigger), not by a rule.
    by_hand: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
