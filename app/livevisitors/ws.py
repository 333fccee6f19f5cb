"""Socket frames of the live visitors list: watching it, and saying hello by hand.

Watching follows the supervision order: subscribe (confirmed by the broker), read the
snapshot, reply, with the socket held so no delta overtakes the snapshot. Any staff socket
watches its own site's list only: there is nothing else it could name.
"""

from __future__ import annotations

import logging

from app.common.events import Event
from app.common.types import iso, utcnow
from app.livevisitors import service
from app.livevisitors.schemas import (
    VisitorInvite,
    VisitorInvited,
    VisitorsSnapshot,
    VisitorsUnwatch,
    VisitorsWatch,
)
from app.state import AppState
from app.triggers import hand
from app.visitors.live import live_topic
from app.visitors.schemas import VisitorChanged
from app.web.context import FrameContext
from app.web.dispatch import handles

log = logging.getLogger(__name__)


@handles(VisitorsWatch, "agent")
async def on_visitors_watch(ctx: FrameContext, frame: VisitorsWatch) -> None:
    ctx.conn.hold()
    try:
        await ctx.state.live_visitors.watch(ctx.conn, ctx.actor.site_id)
        async with ctx.uow() as uow:
            rows = await service.rows(uow.session, ctx.actor.site_id)
    except BaseException:
        ctx.conn.release()
        raise
    ctx.release(VisitorsSnapshot(now=iso(utcnow()) or "", visitors=rows))


@handles(VisitorsUnwatch, "agent")
async def on_visitors_unwatch(ctx: FrameContext, frame: VisitorsUnwatch) -> None:
    await ctx.state.live_visitors.unwatch(ctx.conn, ctx.actor.site_id)


@handles(VisitorInvite, "agent")
async def on_visitor_invite(ctx: FrameContext, frame: VisitorInvite) -> None:
    async with ctx.uow() as uow:
        invitation_id = await hand.say_hello(
            uow, ctx.actor, frame.visitor_id, frame.message, utcnow(), ctx.state.invite_policy()
        )
    ctx.reply(VisitorInvited(visitor_id=frame.visitor_id, invitation_id=invitation_id))


async def announce(state: AppState, site_id: str, visitor_id: str) -> None:
    """A visitor socket opened or closed (its presence row is committed by now)."""
    notice = VisitorChanged(visitor_id=visitor_id)
    try:
        await state.hub.publish(Event(live_topic(site_id), notice.dump(), "staff"))
    except Exception:  # never costs the visitor their socket; the next change shows them
        log.warning("could not announce visitor %s to live lists", visitor_id, exc_info=True)
