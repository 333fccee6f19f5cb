"""Socket frames of offline messages: FAQ suggestions for the visitor."""

from __future__ import annotations

from app.offline.schemas import FaqSearch, FaqSuggestion, FaqSuggestions
from app.replies import faq
from app.web.context import FrameContext
from app.web.dispatch import handles


@handles(FaqSearch, "visitor")
async def on_faq_search(ctx: FrameContext, frame: FaqSearch) -> None:
    async with ctx.uow() as uow:
        found = await faq.suggest(uow, ctx.actor.site_id, frame.q)
        items = [FaqSuggestion(id=r.id, title=r.title, body=r.body) for r in found]
    ctx.reply(FaqSuggestions(q=frame.q, items=items))
