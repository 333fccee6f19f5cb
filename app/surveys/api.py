"""REST: a chat's post-chat survey, for the console's chat view and archive."""

from __future__ import annotations

from fastapi import APIRouter

from app.agents.service import actor_of
from app.surveys import service
from app.surveys.schemas import SurveyAnswer, SurveyOut
from app.web.deps import CurrentAgent, StateDep
from app.web.errors import ERRORS

router = APIRouter(prefix="/api/v1", tags=["surveys"], responses=ERRORS)


@router.get("/chats/{chat_id}/survey", response_model=SurveyAnswer)
async def chat_survey(chat_id: str, agent: CurrentAgent, state: StateDep) -> SurveyAnswer:
    async with state.uow() as uow:
        chat, survey = await service.of_chat(uow, actor_of(agent), chat_id)
    return SurveyAnswer(chat_id=chat.id, survey=SurveyOut.of(survey) if survey else None)
