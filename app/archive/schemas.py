"""The archive's export: past chats as JSON (with their public messages) or CSV rows."""

from __future__ import annotations

from pydantic import Field

from app.common.wire import WireModel


class ExportedMessage(WireModel):
    at: str | None
    author_type: str
    author_name: str | None
    body: str


class ArchivedChat(WireModel):
    id: str
    status: str
    created_at: str | None
    closed_at: str | None
    skill: str | None
    visitor_id: str
    visitor_name: str | None
    visitor_email: str | None
    agent_id: str | None
    agent_name: str | None
    rating: int | None
    comment: str | None
    messages: list[ExportedMessage] = Field(description="public messages only, oldest first")


class ArchiveExport(WireModel):
    """``GET /chats/export?format=json``."""

    items: list[ArchivedChat]
    truncated: bool = Field(description="more chats matched than one export holds")


# The CSV columns, in order: one line per chat, no messages.
CSV_COLUMNS = [
    "id", "status", "created_at", "closed_at", "skill", "visitor_id", "visitor_name",
    "visitor_email", "agent_id", "agent_name", "rating", "comment", "messages",
]  # fmt: skip
