from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.common.types import UTCDateTime, new_id, utcnow
from app.db import Base


class Skill(Base):
    """A topic a chat can need (billing, sales, …); agents carry skills by name."""

    __tablename__ = "skills"
    __table_args__ = (UniqueConstraint("site_id", "name", name="uq_skills_site_name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
