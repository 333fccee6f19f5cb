"""Surveys on the wire: the visitor's frame, its answer, and what staff read."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from app.common.types import iso
from app.common.wire import ChatId, ClientFrame, ServerFrame, WireModel
from app.surveys.models import Survey

Rating = Annotated[int, Field(ge=1, le=5)]
# Room for a few honest sentences; a survey is not a second chat.
COMMENT_MAX_LENGTH = 2000


class SurveySubmit(ClientFrame):
    """The visitor rates their chat (open or closed); sending it again changes the rating."""

    type: Literal["survey.submit"]
    chat_id: ChatId
    rating: Rating
    comment: Annotated[str, Field(max_length=COMMENT_MAX_LENGTH)] | None = None

    @field_validator("comment")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class SurveyOut(WireModel):
    chat_id: str
    rating: int
    comment: str | None
    created_at: str | None
    updated_at: str | None

    @classmethod
    def of(cls, survey: Survey) -> SurveyOut:
        return cls(
            chat_id=survey.chat_id,
            rating=survey.rating,
            comment=survey.comment,
            created_at=iso(survey.created_at),
            updated_at=iso(survey.updated_at),
        )


class SurveySaved(ServerFrame):
    audience_note = "the visitor who sent survey.submit"
    type: Literal["survey.saved"] = "survey.saved"
    chat_id: str


class ChatSurvey(ServerFrame):
    audience_note = "agents and supervisors of the chat"
    type: Literal["chat.survey"] = "chat.survey"
    chat_id: str
    survey: SurveyOut


class SurveyAnswer(WireModel):
    """``GET /chats/{id}/survey``: the chat's survey, or null when the visitor gave none."""

    chat_id: str
    survey: SurveyOut | None
