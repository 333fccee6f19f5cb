"""Socket frames of the agents domain."""

from __future__ import annotations

from app.agents import service
from app.realtime.context import FrameContext
from app.realtime.frames import PresenceSet


async def on_presence_set(ctx: FrameContext, frame: PresenceSet) -> None:
    async with ctx.uow() as uow:
        await service.set_status(uow, ctx.actor.id, frame.status, ctx.policy)
