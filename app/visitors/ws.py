"""Socket frames of the visitor domain."""

from __future__ import annotations

from app.chat.queries import open_chat_of
from app.chat.service import answered
from app.common.types import utcnow
from app.triggers import service as triggers
from app.triggers.ws import wake_at_due
from app.visitors import service
from app.visitors.schemas import PageView, VisitorContact, VisitorContactSaved, VisitorEvent
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


@handles(VisitorContact, "visitor")
async def on_visitor_contact(ctx: FrameContext, frame: VisitorContact) -> None:
    """A visitor's own record only: the socket's visitor is the one updated, nothing to name."""
    async with ctx.uow() as uow:
        chat = await open_chat_of(uow, ctx.actor.id)
        visitor = await service.save_contact(
            uow,
            ctx.actor.id,
            ctx.actor.site_id,
            frame.name,
            frame.email,
            chat.id if chat else None,
        )
        if chat is not None:
            answered(chat, frame.name, frame.email, frame.transcript)
        saved = VisitorContactSaved(name=visitor.name, email=visitor.email)
    ctx.reply(saved)
