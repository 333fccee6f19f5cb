from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.enums import AgentStatus
from app.common.types import UTCDateTime, new_id, utcnow
from app.db import Base


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="agent")
    avatar_url: Mapped[str | None] = mapped_column(String(500), default=None)
    max_chats: Mapped[int] = mapped_column(Integer, default=3)
    status: Mapped[str] = mapped_column(String(16), default=AgentStatus.OFFLINE)
    # Maintained by the routing claim in the same transaction as the chat's assignment, so
    # "has room" is one conditional UPDATE, atomic on every backend.
    active_chats: Mapped[int] = mapped_column(Integer, default=0)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Last time the agent did something in the console (not just kept a socket open).
    last_active_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A deactivated agent cannot log in, and every token and socket of theirs is refused.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Part of every token issued to the agent; bumped to revoke them all (password reset,
    # deactivation), which every process sees on its next lookup.
    token_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    skill_rows: Mapped[list[AgentSkill]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def skills(self) -> list[str]:
        return sorted(s.skill for s in self.skill_rows)


class AgentSkill(Base):
    __tablename__ = "agent_skills"

    agent_id: Mapped[str] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[str] = mapped_column(String(64), primary_key=True)


class AgentPresence(Base):
    """One period an agent spent in one status: opened when the status changes, closed by the
    next change (``ended_at`` null while it lasts). The KPIs read online time from these rows;
    the ``agents.status`` column only knows the present."""

    __tablename__ = "agent_presence"
    __table_args__ = (
        # Periods of a site ending after a window's start (open ones have ended_at null).
        Index("ix_agent_presence_site_ended", "site_id", "ended_at"),
        # The open period of an agent, closed at the next change.
        Index("ix_agent_presence_agent_ended", "agent_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
