"""Socket frames of the visitor domain."""

from __future__ import annotations

from app.chat.queries import open_chat_of
from app.common.types import utcnow
from app.triggers import service as triggers
from app.triggers.ws import wake_at_due
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
        # Time on page starts again; proactive-invitation rules are judged on the new page.
        due = await triggers.page_viewed(
            uow,
            ctx.actor.id,
            ctx.actor.site_id,
            frame.url,
            frame.referrer,
            frame.language,
            utcnow(),
            ctx.state.invite_policy(),
        )
    wake_at_due(ctx, due)


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
        # Proactive-invitation rules on events (`event`, `cart_value`) are judged now.
        due = await triggers.event_seen(
            uow,
            ctx.actor.id,
            ctx.actor.site_id,
            frame.name,
            dict(frame.data),
            utcnow(),
            ctx.state.invite_policy(),
        )
    wake_at_due(ctx, due)
