from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.common.types import UTCDateTime, new_id, utcnow
from app.db import Base


class OutboxStatus:
    PENDING = "pending"
    # Claimed by a process that is talking to the SMTP server until ``claimed_until``.
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Mail(Base):
    """One e-mail, rendered when it was asked for and kept until it is sent (or gives up).

    The row is the message: a process claims it in the database before talking to the SMTP
    server and marks it sent after, so a restart resumes the outbox and two processes never
    send the same row side by side.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (
        Index("ix_mail_outbox_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_mail_outbox_site_created", "site_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    # The chat a transcript is of; its mail goes when the chat is deleted (data protection).
    chat_id: Mapped[str | None] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), default=None, index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    to_addr: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # The same Message-ID on every attempt: a receiver that got it once can tell a repeat.
    message_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
