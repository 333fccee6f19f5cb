"""What clients are told of an upload."""

from __future__ import annotations

from app.common.wire import WireModel
from app.files.models import Attachment
from app.files.sniff import IMAGES


class AttachmentOut(WireModel):
    id: str
    name: str
    content_type: str
    size: int
    url: str
    is_image: bool

    @classmethod
    def of(cls, a: Attachment) -> AttachmentOut:
        return cls(
            id=a.id,
            name=a.filename,
            content_type=a.content_type,
            size=a.size,
            url=f"/api/v1/uploads/{a.id}",
            is_image=a.content_type in IMAGES,
        )
