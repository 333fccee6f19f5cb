"""Socket frames of proactive invitations: what the visitor does, and does with an invitation."""

from __future__ import annotations

from datetime import datetime

from app.common.errors import NotFound
from app.common.types import utcnow
from app.triggers import service
from app.triggers.schemas import InvitationAccept, InvitationDismiss, InvitationShown
from app.web.context import FrameContext
from app.web.dispatch import handles


@handles(InvitationDismiss, "visitor")
async def on_invitation_dismiss(ctx: FrameContext, frame: InvitationDismiss) -> None:
    async with ctx.uow() as uow:
        if not await service.dismiss(uow, ctx.actor.id, frame.invitation_id, utcnow()):
            raise NotFound("no such invitation")


@handles(InvitationAccept, "visitor")
async def on_invitation_accept(ctx: FrameContext, frame: InvitationAccept) -> None:
    async with ctx.uow() as uow:
        if not await service.accept(uow, ctx.actor.id, frame.invitation_id, None, utcnow()):
            raise NotFound("no such invitation")


@handles(InvitationShown, "visitor")
async def on_invitation_shown(ctx: FrameContext, frame: InvitationShown) -> None:
    async with ctx.uow() as uow:
        if not await service.shown(uow, ctx.actor.id, frame.invitation_id, utcnow()):
            raise NotFound("no such invitation")


def wake_at_due(ctx: FrameContext, due: datetime | None) -> None:
    """The visitor's trigger timer, just set (or cleared) here, runs on time on this process."""
    ctx.state.job_alarm.set(service.job_key(ctx.actor.id), due)
