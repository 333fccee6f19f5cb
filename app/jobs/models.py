from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.common.types import UTCDateTime, new_id, utcnow
from app.db import Base


class Job(Base):
    """A durable timer: any process may run it once it is due.

    ``key`` names what the timer is about (e.g. the offer of one chat), so scheduling it again
    replaces the old one instead of adding a second.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_run_at", "run_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
