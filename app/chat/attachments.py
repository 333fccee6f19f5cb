"""Uploads in chats: binding a sender's uploads to their message, and who may read them.

Both read chat data, so they live with the chats; ``app/files`` stores and checks the bytes and
knows nothing of chats.
"""

from __future__ import annotations

from app.chat.models import Chat
from app.common.actor import Actor
from app.common.errors import Forbidden, NotFound
from app.common.lookup import get_in_site
from app.common.uow import UnitOfWork
from app.files.models import Attachment


async def attach(uow: UnitOfWork, actor: Actor, chat: Chat, ids: list[str]) -> list[Attachment]:
    """Bind the sender's own uploads to the chat their message goes to."""
    found = []
    for attachment_id in dict.fromkeys(ids):
        a = await get_in_site(
            uow.session, Attachment, attachment_id, chat.site_id, f"no upload {attachment_id}"
        )
        if (a.uploader_type, a.uploader_id) != (actor.side, actor.id):
            raise Forbidden("you can only send files you uploaded")
        if a.chat_id not in (None, chat.id):
            raise Forbidden("this file belongs to another chat")
        a.chat_id = chat.id
        found.append(a)
    return found


async def readable(uow: UnitOfWork, actor: Actor | None, attachment_id: str) -> Attachment:
    """The upload, if this reader may have it: public ones for anyone, chat files for the
    chat's visitor and the site's agents, unattached ones for their uploader."""
    a = await uow.session.get(Attachment, attachment_id)
    if a is None:
        raise NotFound("no such file")
    if a.public:
        return a
    if actor is None or actor.site_id != a.site_id:
        raise NotFound("no such file")
    if (a.uploader_type, a.uploader_id) == (actor.side, actor.id):
        return a
    chat = await uow.session.get(Chat, a.chat_id) if a.chat_id else None
    if chat is None:
        raise NotFound("no such file")
    if actor.side == "visitor" and chat.visitor_id == actor.id:
        return a
    if actor.side == "agent" and (chat.agent_id == actor.id or actor.is_staff):
        return a
    raise NotFound("no such file")
