"""REST: the widget's session (who the visitor is, and how the widget should look)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from app.agents.models import Agent
from app.agents.schemas import AgentCard
from app.agents.service import actor_of
from app.chat.access import authorize_visitor
from app.chat.models import Chat
from app.chat.queries import current_chat_of
from app.common.enums import AgentStatus, ChatStatus
from app.common.errors import Forbidden, NotFound
from app.common.tokens import issue
from app.common.types import iso, utcnow
from app.common.uow import UnitOfWork
from app.identity import service as identity
from app.offline import service as offline
from app.routing import departments
from app.sites.service import (
    ask_contact,
    language_from_browser,
    origin_allowed,
    site_by_key,
    site_language,
    transcripts_enabled,
)
from app.visitors import service
from app.visitors.models import PageView, Visitor
from app.visitors.rest_schemas import (
    EarlierChat,
    PageSeen,
    VisitorDetail,
    VisitorProfile,
    WidgetActiveChat,
    WidgetConfig,
    WidgetSession,
    WidgetSite,
    WidgetTheme,
    WidgetVisitor,
)
from app.visitors.schemas import EventOut, IdentityUser, VisitorList, VisitorListed
from app.web.deps import CurrentAgent, StateDep
from app.web.errors import ERRORS
from app.web.limits import ClientAddress

router = APIRouter(prefix="/api/v1", tags=["widget"], responses=ERRORS)

TEAM_FACES = 3


class SessionIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "site_key": "demo-nordlys",
                    "user": {
                        "id": "cust-42",
                        "email": "ann@shop.example",
                        "name": "Ann",
                        "hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                    },
                }
            ]
        }
    )

    site_key: str = Field(min_length=1, max_length=64)
    visitor_token: str | None = Field(default=None, max_length=2000)
    # The shop's signed-in customer (Parley.setUser); trusted only with a valid hash.
    user: IdentityUser | None = None


@router.post("/widget/session")
async def widget_session(
    body: SessionIn, request: Request, state: StateDep, address: ClientAddress
) -> WidgetSession:
    await state.limiter.hit("widget_session", address)
    async with state.uow() as uow:
        site = await site_by_key(uow.session, body.site_key)
        if site is None:
            raise NotFound("unknown site_key")
        if not origin_allowed(site, request.headers.get("origin")):
            raise Forbidden("this origin may not embed the widget of this site")
        user = identity.User(**body.user.model_dump()) if body.user is not None else None
        # Checked before anything is written: a forged or (when required) missing hash is 403.
        if user is not None and identity.verified(site, user):
            browser = await service.from_token(
                uow.session, site, body.visitor_token, state.settings.secret_key
            )
            visitor, created = await identity.identify(uow, site, browser, user)
            service.touch(visitor)
            returning = not created or browser is not None
        else:
            visitor, returning = await service.recognise(
                uow.session, site, body.visitor_token, state.settings.secret_key
            )
            if user is not None:
                identity.fill_blanks(visitor, user)
        chat = await current_chat_of(uow, visitor.id)
        # A few of the agents online now: their faces in the widget's header (and whether
        # anyone is online at all).
        team = list(
            await uow.session.scalars(
                select(Agent)
                .where(Agent.site_id == site.id, Agent.status == AgentStatus.ONLINE)
                .order_by(Agent.avatar_url.is_(None), Agent.name)
                .limit(TEAM_FACES)
            )
        )
        online = team[0].id if team else None
        offered = departments.departments_of(site.settings)
        now = state.clock()
        available = offline.is_available(site, now, online is not None)
        # Only worth reading while someone online can answer: the header hides it otherwise.
        answering = available and online is not None
        reply_time = (
            await state.reply_times.of(uow.session, site.id, utcnow()) if answering else None
        )
        config = WidgetConfig(
            site=WidgetSite(id=site.id, name=site.name),
            theme=WidgetTheme(color=site.theme_color),
            greeting=site.greeting,
            agents_online=online is not None,
            available=available,
            hide_when_offline=offline.hide_when_offline(site),
            active_chat=await _active_chat(uow, chat),
            transcripts=state.mailer.enabled and transcripts_enabled(site),
            departments=departments.public_view(offered) if offered else None,
            language=site_language(site),
            language_from_browser=language_from_browser(site),
            ask_contact=ask_contact(site),
            logo_url=site.settings.get("logo_url") or None,
            team=[card for card in map(AgentCard.of, team) if card is not None],
            reply_time_s=reply_time,
        )
        token = issue(
            state.settings.secret_key,
            service.claims_for(visitor),
            state.settings.visitor_token_ttl_s,
        )
        visitor_out = WidgetVisitor(
            id=visitor.id, name=visitor.name, email=visitor.email, returning=returning
        )
    return WidgetSession(visitor_token=token, visitor=visitor_out, config=config)


async def _active_chat(uow: UnitOfWork, chat: Chat | None) -> WidgetActiveChat | None:
    if chat is None:
        return None
    agent = await uow.session.get(Agent, chat.agent_id) if chat.agent_id else None
    return WidgetActiveChat.of(chat.id, chat.status, agent)


class VisitorUpdate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "Ann", "attributes": {"plan": "gold", "lifetime_value": "1200"}}]
        }
    )

    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    attributes: dict[str, Any] | None = None


@router.get("/visitors", response_model=VisitorList)
async def list_visitors(
    request: Request,
    agent: CurrentAgent,
    state: StateDep,
    email: str | None = None,
    external_id: str | None = None,
    seen_after: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> VisitorList:
    """The site's visitors, most recently seen first. ``attribute.<key>=value`` (repeatable)
    filters on CRM attributes, compared as text."""
    attributes = {
        key.removeprefix("attribute."): value
        for key, value in request.query_params.items()
        if key.startswith("attribute.") and len(key) > len("attribute.")
    }
    async with state.uow() as uow:
        rows, next_cursor = await service.listed(
            uow.session,
            agent.site_id,
            email=email,
            external_id=external_id,
            attributes=attributes,
            seen_after=seen_after,
            cursor=cursor,
            limit=limit,
        )
        return VisitorList(items=[VisitorListed.of(v) for v in rows], next_cursor=next_cursor)


@router.get("/visitors/{visitor_id}")
async def get_visitor(visitor_id: str, agent: CurrentAgent, state: StateDep) -> VisitorDetail:
    """Who the visitor is, what they looked at and did recently, and their earlier chats."""
    async with state.uow() as uow:
        visitor = authorize_visitor(actor_of(agent), await uow.session.get(Visitor, visitor_id))
        views = (
            await uow.session.execute(
                select(PageView)
                .where(PageView.visitor_id == visitor.id)
                .order_by(PageView.created_at.desc(), PageView.id.desc())
                .limit(30)
            )
        ).scalars()
        events = await service.recent_events(uow.session, visitor.id)
        chats = (
            await uow.session.execute(
                select(Chat)
                .where(Chat.visitor_id == visitor.id)
                .order_by(Chat.created_at.desc())
                .limit(20)
            )
        ).scalars()
        return VisitorDetail.of(
            visitor,
            pages=[PageSeen.of(v) for v in views],
            events=[EventOut.of(e) for e in events],
            chats=[
                EarlierChat(
                    id=c.id,
                    status=ChatStatus(c.status),
                    created_at=iso(c.created_at),
                    closed_at=iso(c.closed_at),
                    agent_id=c.agent_id,
                )
                for c in chats
            ],
        )


@router.patch("/visitors/{visitor_id}")
async def update_visitor(
    visitor_id: str, body: VisitorUpdate, agent: CurrentAgent, state: StateDep
) -> VisitorProfile:
    """CRM attributes (merged), name and e-mail."""
    async with state.uow() as uow:
        visitor = authorize_visitor(actor_of(agent), await uow.session.get(Visitor, visitor_id))
        if body.name is not None:
            visitor.name = body.name
        if body.email is not None:
            visitor.email = body.email
        if body.attributes is not None:
            visitor.attributes = {**visitor.attributes, **body.attributes}
        await uow.session.flush()
        return VisitorProfile.model_validate(visitor)
