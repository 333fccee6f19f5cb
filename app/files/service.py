"""Uploads: checked on their bytes, stored behind the storage interface, read with checks."""

from __future__ import annotations

import re

from app.common.actor import Actor
from app.common.errors import BadRequest, NotFound, TooLarge
from app.common.types import new_id
from app.common.uow import UnitOfWork
from app.files.models import Attachment
from app.files.sniff import ALLOWED, IMAGES, sniff
from app.files.storage import Storage

_UNSAFE = re.compile(r"[^\w.\- ()]+")


def safe_name(name: str | None) -> str:
    base = (name or "file").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .") or "file"
    return cleaned[:200]


async def store(
    uow: UnitOfWork,
    storage: Storage,
    actor: Actor,
    filename: str | None,
    data: bytes,
    max_bytes: int,
    public: bool = False,
) -> Attachment:
    if len(data) > max_bytes:
        raise TooLarge(f"files may be at most {max_bytes // (1024 * 1024)} MB")
    if not data:
        raise BadRequest("the file is empty")
    kind = sniff(data)
    if kind not in ALLOWED:
        raise BadRequest(
            "this kind of file cannot be sent (images, PDF, text and office documents can)"
        )
    if public and kind not in IMAGES:
        raise BadRequest("a photo must be an image")
    # The id is chosen here, not at flush: the storage key is built from it, and a key built
    # from an id not yet assigned put every upload of a site into one file.
    attachment_id = new_id()
    attachment = Attachment(
        id=attachment_id,
        site_id=actor.site_id,
        uploader_type=actor.side,
        uploader_id=actor.id,
        filename=safe_name(filename),
        content_type=kind,
        size=len(data),
        storage_key=f"{actor.site_id}/{attachment_id}",
        public=public,
    )
    uow.session.add(attachment)
    # The row first: the unique storage key refuses a collision before any bytes are written.
    await uow.session.flush()
    await storage.save(attachment.storage_key, data)
    return attachment


async def by_id(uow: UnitOfWork, attachment_id: str) -> Attachment:
    a = await uow.session.get(Attachment, attachment_id)
    if a is None:
        raise NotFound("no such file")
    return a
