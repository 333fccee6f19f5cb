"""REST answers of saved replies."""

from __future__ import annotations

from app.common.wire import WireModel
from app.replies.models import SavedReply


class ReplyOut(WireModel):
    id: str
    shortcut: str
    title: str
    body: str
    skill: str | None
    shared: bool
    faq: bool
    usage_count: int

    @classmethod
    def of(cls, r: SavedReply) -> ReplyOut:
        return cls(
            id=r.id,
            shortcut=r.shortcut,
            title=r.title,
            body=r.body,
            skill=r.skill,
            shared=r.owner_id is None,
            faq=r.faq,
            usage_count=r.usage_count,
        )


class FilledReply(WireModel):
    """The text to insert into the composer, placeholders filled for the chat."""

    body: str
