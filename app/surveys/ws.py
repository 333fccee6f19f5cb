"""Socket frames of the survey domain."""

from __future__ import annotations

from app.surveys import service
from app.surveys.schemas import SurveySaved, SurveySubmit
from app.web.context import FrameContext
from app.web.dispatch import handles


@handles(SurveySubmit, "visitor")
async def on_survey_submit(ctx: FrameContext, frame: SurveySubmit) -> None:
    async with ctx.uow() as uow:
        await service.submit(uow, ctx.actor, frame.chat_id, frame.rating, frame.comment)
    ctx.reply(SurveySaved(chat_id=frame.chat_id))
