"""Socket frames of supervision."""

from __future__ import annotations

from app.realtime.context import FrameContext
from app.realtime.events import chat_topic
from app.realtime.frames import ChatJoin, ChatMonitor
from app.supervision import service


async def on_chat_monitor(ctx: FrameContext, frame: ChatMonitor) -> None:
    async with ctx.uow() as uow:
        reply = await service.monitor(uow, ctx.actor, frame.chat_id)
    await ctx.hub.subscribe(ctx.conn, chat_topic(frame.chat_id))
    ctx.reply(reply)


async def on_chat_join(ctx: FrameContext, frame: ChatJoin) -> None:
    await ctx.hub.subscribe(ctx.conn, chat_topic(frame.chat_id))
    async with ctx.uow() as uow:
        reply = await service.join(uow, ctx.actor, frame.chat_id)
    ctx.reply(reply)
