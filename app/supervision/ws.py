"""Socket frames of supervision.

Always in this order: authorise, subscribe (confirmed by the broker), read the snapshot,
reply. A refused frame leaves no subscription behind, and nothing committed between the
snapshot and the subscription can fall between the two.
"""

from __future__ import annotations

from app.chat.access import ChatAction
from app.chat.service import authorized_chat
from app.common.events import chat_topic
from app.supervision import service
from app.supervision.schemas import ChatJoin, ChatMonitor
from app.web.context import FrameContext
from app.web.dispatch import handles


@handles(ChatMonitor, "agent")
async def on_chat_monitor(ctx: FrameContext, frame: ChatMonitor) -> None:
    async with ctx.uow() as uow:
        chat = await authorized_chat(uow, ctx.actor, frame.chat_id, ChatAction.SUPERVISE)
    await ctx.hub.subscribe(ctx.conn, chat_topic(chat.id))
    async with ctx.uow() as uow:
        reply = await service.monitor(uow, ctx.actor, chat.id)
    ctx.reply(reply)


@handles(ChatJoin, "agent")
async def on_chat_join(ctx: FrameContext, frame: ChatJoin) -> None:
    async with ctx.uow() as uow:
        chat = await authorized_chat(uow, ctx.actor, frame.chat_id, ChatAction.SUPERVISE)
    await ctx.hub.subscribe(ctx.conn, chat_topic(chat.id))
    async with ctx.uow() as uow:
        reply = await service.join(uow, ctx.actor, chat.id)
    ctx.reply(reply)
