from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.common.types import UTCDateTime, new_id, utcnow
from app.db import Base


class IdempotencyKey(Base):
    """A POST's ``Idempotency-Key`` and the answer it got, kept 24 h (app/web/idempotency.py).

    One row per caller (``principal``: the agent or API token) and key, so two callers never
    see each other's answers. ``fingerprint`` is the hash of method, path and body: the same key
    with another request is refused, not answered with the first one's result.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("principal", "key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    principal: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
