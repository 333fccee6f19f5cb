"""Socket frames of the visitor domain."""

from __future__ import annotations

from app.chat.queries import open_chat_of
from app.visitors import service
from app.visitors.schemas import PageView, VisitorEvent
from app.web.context import FrameContext
from app.web.dispatch import handles


@handles(PageView, "visitor")
async def on_page_view(ctx: FrameContext, frame: PageView) -> None:
    async with ctx.uow() as uow:
        chat = await open_chat_of(uow, ctx.actor.id)
        await service.record_page_view(
            uow,
            ctx.actor.id,
            ctx.actor.site_id,
            frame.url,
            frame.title,
            frame.referrer,
            chat.id if chat else None,
        )


@handles(VisitorEvent, "visitor")
async def on_visitor_event(ctx: FrameContext, frame: VisitorEvent) -> None:
    async with ctx.uow() as uow:
        chat = await open_chat_of(uow, ctx.actor.id)
        await service.record_event(
            uow,
            ctx.actor.id,
            ctx.actor.site_id,
            frame.name,
            dict(frame.data),
            chat.id if chat else None,
        )
