from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from app.common.types import UTCDateTime, new_id, utcnow
from app.db import Base


class WebhookEndpoint(Base):
    """Where a site wants its events POSTed, which ones, and the key that signs them.

    The secret is kept as is (not hashed): every delivery is signed with it. ``lease_*`` say
    which process is sending this endpoint's deliveries right now, so one endpoint is sent to
    by one process at a time, in event order (see app/webhooks/sender.py).
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(100))
    # After a rotation the replaced secret still signs (beside the new one) until this time.
    previous_secret: Mapped[str | None] = mapped_column(String(100), default=None)
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Set when the endpoint was switched off because it kept failing; cleared when re-enabled.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    disabled_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    lease_owner: Mapped[str | None] = mapped_column(String(32), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def previous_secret_expires_at(self) -> datetime | None:
        """Until when the rotated-out secret still signs; None when none does."""
        until = self.previous_secret_until
        return until if until is not None and until > utcnow() else None


class WebhookDelivery(Base):
    """One event for one endpoint: the outbox row, written in the event's own transaction.

    ``body`` is the exact JSON sent (and signed), so every retry sends the same bytes.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_order", "endpoint_id", "created_at", "position"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    site_id: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    # When the event happened; ``position`` orders the events of one transaction.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # pending (to send, at next_attempt_at), delivered, failed (given up).
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    # The first failed attempt of the current run of failures: retries stop a day after it.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    response_status: Mapped[int | None] = mapped_column(Integer, default=None)
    response_time_s: Mapped[float | None] = mapped_column(Float, default=None)
    response_body: Mapped[str | None] = mapped_column(Text, default=None)
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
