"""Mail on the wire: what the mail routes answer, and the transcript frames."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr

from app.common.types import iso
from app.common.wire import ChatId, ClientFrame, ServerFrame
from app.mail.models import Mail

Status = Literal["pending", "sending", "sent", "failed"]


class OutboxItem(BaseModel):
    """One mail as an admin sees it: to whom, what, and how delivery is going."""

    id: str
    kind: str
    chat_id: str | None
    to: str
    subject: str
    status: Status
    attempts: int
    last_error: str | None
    created_at: str
    next_attempt_at: str | None
    sent_at: str | None

    @classmethod
    def of(cls, mail: Mail) -> OutboxItem:
        waiting = mail.status == "pending"
        return cls(
            id=mail.id,
            kind=mail.kind,
            chat_id=mail.chat_id,
            to=mail.to_addr,
            subject=mail.subject,
            status=mail.status,
            attempts=mail.attempts,
            last_error=mail.last_error,
            created_at=_iso(mail.created_at),
            next_attempt_at=_iso(mail.next_attempt_at) if waiting else None,
            sent_at=iso(mail.sent_at),
        )


def _iso(when: datetime) -> str:
    shown = iso(when)
    assert shown is not None
    return shown


class OutboxPage(BaseModel):
    items: list[OutboxItem]
    next_cursor: str | None


class MailStatus(BaseModel):
    """Whether this server sends e-mail, for the console to explain a disabled button."""

    enabled: bool
    reason: str | None


class TranscriptIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"email": "customer@example.com"}]})

    email: EmailStr


class TranscriptAccepted(BaseModel):
    """``POST /chats/{id}/transcript``: the mail is stored and will be sent."""

    chat_id: str
    mail_id: str
    status: Literal["queued"] = "queued"


class TranscriptRequest(ClientFrame):
    """The visitor asks for the chat's public messages by e-mail."""

    type: Literal["transcript.request"]
    chat_id: ChatId
    email: EmailStr


class TranscriptQueued(ServerFrame):
    audience_note = "the visitor who sent transcript.request"
    type: Literal["transcript.queued"] = "transcript.queued"
    chat_id: str
