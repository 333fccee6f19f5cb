"""Socket frames of the routing domain."""

from __future__ import annotations

from app.chat.models import Chat
from app.common.errors import Conflict, NotFound
from app.realtime.context import FrameContext
from app.realtime.frames import ChatAccept
from app.routing.service import chat_assigned_frame


async def on_chat_accept(ctx: FrameContext, frame: ChatAccept) -> None:
    """With auto-accept every chat arrives assigned; accepting it again is harmless."""
    async with ctx.uow() as uow:
        chat = await uow.session.get(Chat, frame.chat_id)
        if chat is None or chat.site_id != ctx.actor.site_id:
            raise NotFound("no such chat")
        if chat.agent_id != ctx.actor.id or chat.status != "active":
            raise Conflict("this chat is not offered to you")
        assigned = await chat_assigned_frame(uow, chat)
    ctx.reply(assigned)
