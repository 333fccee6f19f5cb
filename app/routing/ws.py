"""Socket frames of the routing domain."""

from __future__ import annotations

from app.routing import handover
from app.routing.schemas import ChatAccept, ChatTransfer
from app.web.context import FrameContext
from app.web.dispatch import handles


@handles(ChatAccept, "agent")
async def on_chat_accept(ctx: FrameContext, frame: ChatAccept) -> None:
    async with ctx.uow() as uow:
        await handover.accept(uow, ctx.actor, frame.chat_id)


@handles(ChatTransfer, "agent")
async def on_chat_transfer(ctx: FrameContext, frame: ChatTransfer) -> None:
    async with ctx.uow() as uow:
        await handover.transfer(
            uow, ctx.actor, frame.chat_id, frame.to_agent_id, frame.to_skill, frame.note, ctx.policy
        )
