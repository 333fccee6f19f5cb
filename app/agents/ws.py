"""Socket frames of the agents domain."""

from __future__ import annotations

from app.agents.schemas import Activity, PresenceSet
from app.routing import staff
from app.web.context import FrameContext
from app.web.dispatch import handles


@handles(PresenceSet, "agent")
async def on_presence_set(ctx: FrameContext, frame: PresenceSet) -> None:
    async with ctx.uow() as uow:
        await staff.set_status_by_id(uow, ctx.actor.id, frame.status, ctx.policy)


@handles(Activity, "agent")
async def on_activity(ctx: FrameContext, frame: Activity) -> None:
    """Nothing to store now: the socket's activity flag reaches the database with the next
    heartbeat, so a busy console costs no write per keystroke."""
