"""REST answers about uploads besides the upload itself (that one is ``AttachmentOut``)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.common.wire import WireModel


class SignedLink(WireModel):
    """A link that opens the file for a few minutes without a token."""

    url: str
    ttl_s: int = Field(description="seconds the link works")


# What GET /uploads/{id} answers: the stored bytes, with the type they were checked to be.
FILE_BYTES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the file's bytes, with its checked content type",
        # Any type: each file is answered with its own (image/png, application/pdf, ...).
        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
    }
}
