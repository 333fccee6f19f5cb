from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.common.types import UTCDateTime, new_id, utcnow
from app.db import Base


class AuditEntry(Base):
    """Who erased or exported what, and when: the proof an erasure request was honoured.

    It names the visitor by id and says how many rows of each kind went (``counts``), never
    what they held: the log must not keep what the erasure removed. The actor's name is copied,
    so the entry still reads right after the agent or token is gone.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_site_at", "site_id", "at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "agent", "api_token" or "system" (the retention job).
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str | None] = mapped_column(String(32), default=None)
    actor_name: Mapped[str | None] = mapped_column(String(200), default=None)
    # visitor.erased, visitor.exported, retention.purged, retention.changed
    action: Mapped[str] = mapped_column(String(32))
    visitor_id: Mapped[str | None] = mapped_column(String(32), default=None)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
