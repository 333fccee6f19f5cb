from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.common.types import UTCDateTime, new_id, utcnow
from app.db import Base


class Visitor(Base):
    __tablename__ = "visitors"
    # A verified customer (``user.id`` with a valid identity hash) is one visitor per site.
    __table_args__ = (UniqueConstraint("site_id", "external_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(200), default=None)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The shop's own id for the customer, set only from a verified identity (docs/crm.md).
    external_id: Mapped[str | None] = mapped_column(String(255), default=None)
    visit_count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PageView(Base):
    __tablename__ = "page_views"
    # Visitors seen in a window (conversion KPIs).
    __table_args__ = (Index("ix_page_views_site_created", "site_id", "created_at", "visitor_id"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    visitor_id: Mapped[str] = mapped_column(
        ForeignKey("visitors.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[str | None] = mapped_column(String(32), default=None)
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(String(500), default=None)
    referrer: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VisitorSocket(Base):
    """One open visitor socket, on any process, refreshed by that process's heartbeat.

    Whether a visitor is still there is read from these rows, not from one process's memory:
    with several tabs or processes, a visitor has left only when none of their rows is fresh.
    A process that dies leaves rows that simply stop being refreshed.
    """

    __tablename__ = "visitor_sockets"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    visitor_id: Mapped[str] = mapped_column(
        ForeignKey("visitors.id", ondelete="CASCADE"), index=True
    )
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class VisitorEvent(Base):
    """Something the shop's page reported about a visitor (``Parley.track``): ``cart.updated``
    with its value, ``order.completed``, or a name of the shop's own such as ``trial_started``.

    Kept per visitor and read by name, newest first: triggers ask for the last ``cart.updated``
    and whether a named event happened, KPIs count ``order.completed`` after chats, agents see
    them in the visitor's trail.
    """

    __tablename__ = "visitor_events"
    __table_args__ = (
        Index("ix_visitor_events_visitor_name", "visitor_id", "name", "id"),
        Index("ix_visitor_events_site_name_created", "site_id", "name", "created_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The page the visitor was on (their latest page view), for the agent's trail.
    url: Mapped[str | None] = mapped_column(Text, default=None)
    chat_id: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
