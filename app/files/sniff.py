"""What a file really is, from its bytes (never from its name or the browser's claim)."""

from __future__ import annotations

import filetype

# What a chat may carry: images, PDF, plain text and the usual office documents.
ALLOWED = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}
IMAGES = frozenset(m for m in ALLOWED if m.startswith("image/"))


def sniff(data: bytes) -> str | None:
    """The MIME type the content has, or None when it is nothing we recognise."""
    kind = filetype.guess(data[:8192])
    if kind is not None:
        return str(kind.mime)
    if _is_text(data):
        return "text/plain"
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data[:8192]:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
