"""Socket frames of the mail domain."""

from __future__ import annotations

from app.mail import transcripts
from app.mail.schemas import TranscriptQueued, TranscriptRequest
from app.web.context import FrameContext
from app.web.dispatch import handles


@handles(TranscriptRequest, "visitor")
async def on_transcript_request(ctx: FrameContext, frame: TranscriptRequest) -> None:
    mailer = ctx.state.mailer
    async with ctx.uow() as uow:
        await transcripts.request(uow, mailer, ctx.actor, frame.chat_id, frame.email)
    mailer.wake.set()
    ctx.reply(TranscriptQueued(chat_id=frame.chat_id))
