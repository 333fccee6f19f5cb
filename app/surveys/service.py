"""Storing a post-chat survey: the chat's own visitor only, once per chat."""

from __future__ import annotations

from sqlalchemy import select

from app.chat.access import ChatAction, authorize
from app.chat.models import Chat
from app.common.actor import Actor
from app.common.errors import NotFound
from app.common.events import chat_topic
from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.surveys.models import Survey
from app.surveys.schemas import ChatSurvey, SurveyOut
from app.webhooks import outbox as webhooks


async def submit(
    uow: UnitOfWork, actor: Actor, chat_id: str, rating: int, comment: str | None
) -> Survey:
    """Store (or update) the rating of the visitor's own chat; anyone else's is NotFound."""
    if actor.side != "visitor":
        raise NotFound("no such chat")
    chat = authorize(actor, ChatAction.READ, await uow.session.get(Chat, chat_id))
    survey = (
        await uow.session.execute(select(Survey).where(Survey.chat_id == chat.id))
    ).scalar_one_or_none()
    now = utcnow()
    if survey is None:
        survey = Survey(chat_id=chat.id, site_id=chat.site_id, created_at=now)
        uow.session.add(survey)
    survey.rating, survey.comment, survey.updated_at = rating, comment, now
    await uow.session.flush()
    out = SurveyOut.of(survey)
    uow.emit(chat_topic(chat.id), ChatSurvey(chat_id=chat.id, survey=out), audience="staff")
    # The same shape as the other chat events: {"chat": {...}, "survey": {...}}.
    webhooks.chat_event(uow, "survey.submitted", chat, survey=out.dump())
    return survey


async def of_chat(uow: UnitOfWork, actor: Actor, chat_id: str) -> tuple[Chat, Survey | None]:
    """A chat's survey, for whoever may read the chat."""
    chat = authorize(actor, ChatAction.READ, await uow.session.get(Chat, chat_id))
    survey = (
        await uow.session.execute(select(Survey).where(Survey.chat_id == chat.id))
    ).scalar_one_or_none()
    return chat, survey
