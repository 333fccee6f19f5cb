"""REST: the widget's session (who the visitor is, and how the widget should look)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from app.agents.models import Agent
from app.chat.models import Chat
from app.chat.service import open_chat_of
from app.chat.views import agent_card
from app.common.errors import Forbidden, NotFound
from app.common.tokens import issue
from app.common.uow import UnitOfWork
from app.sites.service import origin_allowed, site_by_key
from app.visitors import service
from app.web.deps import StateDep

router = APIRouter(prefix="/api/v1", tags=["widget"])


class SessionIn(BaseModel):
    site_key: str = Field(min_length=1, max_length=64)
    visitor_token: str | None = Field(default=None, max_length=2000)


@router.post("/widget/session")
async def widget_session(body: SessionIn, request: Request, state: StateDep) -> dict[str, Any]:
    async with state.uow() as uow:
        site = await site_by_key(uow.session, body.site_key)
        if site is None:
            raise NotFound("unknown site_key")
        if not origin_allowed(site, request.headers.get("origin")):
            raise Forbidden("this origin may not embed the widget of this site")
        visitor, returning = await service.recognise(
            uow.session, site, body.visitor_token, state.settings.secret_key
        )
        chat = await open_chat_of(uow, visitor.id)
        online = await uow.session.scalar(
            select(Agent.id).where(Agent.site_id == site.id, Agent.status == "online").limit(1)
        )
        active = await _active_chat(uow, chat)
        config = {
            "site": {"id": site.id, "name": site.name},
            "theme": {"color": site.theme_color},
            "greeting": site.greeting,
            "agents_online": online is not None,
            "active_chat": active,
        }
        token = issue(
            state.settings.secret_key,
            service.claims_for(visitor),
            state.settings.visitor_token_ttl_s,
        )
        visitor_out = {
            "id": visitor.id,
            "name": visitor.name,
            "email": visitor.email,
            "returning": returning,
        }
    return {"visitor_token": token, "visitor": visitor_out, "config": config}


async def _active_chat(uow: UnitOfWork, chat: Chat | None) -> dict[str, Any] | None:
    if chat is None:
        return None
    agent = await uow.session.get(Agent, chat.agent_id) if chat.agent_id else None
    return {"id": chat.id, "status": chat.status, "agent": agent_card(agent)}
