"""Data protection on the wire: the staff frame of an erasure, and the REST answers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, computed_field

from app.common.types import iso
from app.common.wire import ServerFrame, WireModel, WireTime
from app.privacy.models import AuditEntry

# The longest retention period an admin may set (ten years).
MAX_RETENTION_DAYS = 3650


class VisitorErased(ServerFrame):
    """The site's consoles drop the erased visitor's chats from their lists."""

    audience_note = "agents of the site"
    type: Literal["visitor.erased"] = "visitor.erased"
    visitor_id: str
    chat_ids: list[str] = Field(description="the visitor's chats, all deleted")


class AuditEntryOut(WireModel):
    """One line of the audit log: who did what to which visitor, and how many rows of each
    kind it touched (never their content)."""

    id: str
    at: str
    actor_type: Literal["agent", "api_token", "system"]
    actor_id: str | None
    actor_name: str | None
    action: Literal["visitor.erased", "visitor.exported", "retention.purged", "retention.changed"]
    visitor_id: str | None
    counts: dict[str, int] = Field(description="rows per kind (retention.changed: days)")

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            id=entry.id,
            at=iso(entry.at) or "",
            actor_type=entry.actor_type,
            actor_id=entry.actor_id,
            actor_name=entry.actor_name,
            action=entry.action,
            visitor_id=entry.visitor_id,
            counts={k: int(v) for k, v in entry.counts.items()},
        )


class Retention(WireModel):
    """How long a site keeps chats: closed chats older than ``days`` are deleted; null: kept."""

    days: int | None = Field(ge=1, le=MAX_RETENTION_DAYS)


class RetentionIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"days": 365}, {"days": None}]})

    days: int | None = Field(ge=1, le=MAX_RETENTION_DAYS)


class ExportedVisitor(WireModel):
    id: str
    name: str | None
    email: str | None
    external_id: str | None
    attributes: dict[str, Any]
    visit_count: int
    first_seen_at: WireTime
    last_seen_at: WireTime


class ExportedAttachment(WireModel):
    id: str
    chat_id: str | None
    filename: str
    content_type: str
    size: int
    uploaded_by: str = Field(
        description="visitor or agent",
        validation_alias=AliasChoices("uploaded_by", "uploader_type"),
    )
    created_at: WireTime

    @computed_field(description="downloads the file with a staff token")  # type: ignore[prop-decorator]
    @property
    def url(self) -> str:
        return f"/api/v1/uploads/{self.id}"


class ExportedMessage(WireModel):
    id: str
    seq: int
    kind: str = Field(description="public, whisper, note or system")
    author_type: str
    author_name: str | None
    body: str
    attachments: list[dict[str, Any]]
    created_at: WireTime


class ExportedSurvey(WireModel):
    rating: int
    comment: str | None
    created_at: WireTime


class ExportedChat(WireModel):
    id: str
    status: str
    skill: str | None
    agent_id: str | None
    pre_chat: dict[str, Any]
    created_at: WireTime
    closed_at: WireTime
    messages: list[ExportedMessage]
    survey: ExportedSurvey | None


class ExportedPageView(WireModel):
    url: str
    title: str | None
    referrer: str | None
    chat_id: str | None
    at: WireTime = Field(validation_alias=AliasChoices("at", "created_at"))


class ExportedEvent(WireModel):
    name: str
    data: dict[str, Any]
    url: str | None
    chat_id: str | None
    at: WireTime = Field(validation_alias=AliasChoices("at", "created_at"))


class ExportedInvitation(WireModel):
    message: str
    url: str
    fired_at: WireTime
    accepted_at: WireTime
    dismissed_at: WireTime
    chat_id: str | None


class ExportedMail(WireModel):
    kind: str
    to: str = Field(validation_alias=AliasChoices("to", "to_addr"))
    subject: str
    text_body: str
    status: str
    chat_id: str | None
    created_at: WireTime


class VisitorExport(WireModel):
    """Everything Parley holds about one visitor (a data subject's access request)."""

    exported_at: str
    visitor: ExportedVisitor
    chats: list[ExportedChat]
    page_views: list[ExportedPageView]
    events: list[ExportedEvent]
    invitations: list[ExportedInvitation]
    uploads: list[ExportedAttachment]
    mails: list[ExportedMail]
