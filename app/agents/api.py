"""REST: login and the calling agent."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, UploadFile
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import select

from app.agents import service
from app.agents.models import Agent
from app.agents.schemas import AgentOut
from app.common.enums import Role
from app.common.errors import Forbidden, Unauthorized
from app.common.lists import SHORT_LIST_LIMIT, SHORT_LIST_MAX, Page, page_of
from app.files import service as files
from app.routing import staff
from app.state import AppState
from app.web.deps import AdminAgent, CurrentAgent, CurrentPerson, SessionDep, StateDep
from app.web.errors import ERRORS
from app.web.idempotency import IdempotencyKey
from app.web.limits import ClientAddress
from app.web.schemas import AccessToken

router = APIRouter(prefix="/api/v1", tags=["agents"], responses=ERRORS)


class LoginIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"email": "ann@shop.example", "password": "correct horse battery"}]
        }
    )

    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=500)


@router.post("/auth/login")
async def login(
    body: LoginIn, session: SessionDep, state: StateDep, address: ClientAddress
) -> AccessToken:
    # Failed attempts are counted, per account and per address; once either is used up, even
    # the right password waits (the lockout is what stops guessing).
    limiter = state.limiter
    account = body.email.strip().lower()
    async with limiter.one_at_a_time(f"address:{address}", f"account:{account}"):
        await limiter.check("login_address", address)
        await limiter.check("login_account", account)
        try:
            agent = await service.authenticate(session, body.email, body.password)
        except Unauthorized:
            await limiter.count("login_address", address)
            await limiter.count("login_account", account)
            raise
    ttl = state.settings.access_token_ttl_s
    return AccessToken.of(service.issue_token(agent, state.settings.secret_key, ttl), ttl, agent)


@router.get("/agents/me")
async def me(agent: CurrentPerson) -> AgentOut:
    return AgentOut.of(agent)


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Ann from Support"}]})

    name: str = Field(min_length=1, max_length=200)


@router.patch("/agents/me")
async def update_me(body: ProfileUpdate, agent: CurrentPerson, state: StateDep) -> AgentOut:
    """An agent's own display name, as visitors see it on every message."""
    async with state.uow() as uow:
        me = await uow.session.get_one(Agent, agent.id)
        me.name = body.name
        await uow.session.flush()
        return AgentOut.of(me)


@router.post("/agents/me/avatar")
async def upload_avatar(file: UploadFile, agent: CurrentPerson, state: StateDep) -> AgentOut:
    """An agent's photo: an image, stored as a public file visitors may load."""
    actor = service.actor_of(agent)
    data = await file.read(state.settings.max_upload_bytes + 1)
    async with state.uow() as uow:
        photo = await files.store(
            uow,
            state.storage(),
            actor,
            file.filename,
            data,
            state.settings.max_upload_bytes,
            public=True,
        )
        me = await uow.session.get_one(Agent, agent.id)
        me.avatar_url = f"/api/v1/uploads/{photo.id}"
        await uow.session.flush()
        return AgentOut.of(me)


_AVATAR = re.compile(
    r"^(https?://[^\s\"'<>]+|/api/v1/uploads/\w+|data:image/(png|jpeg|gif|webp|svg\+xml)[;,][^\s\"'<>]*)$",
    re.IGNORECASE,
)


def _safe_avatar(url: str | None) -> str | None:
    """A photo address a browser only ever loads as an image: never ``javascript:``."""
    if url is not None and url != "" and not _AVATAR.match(url):
        raise ValueError("must be an http(s) address, an uploaded photo or an image data URL")
    return url or None


AvatarUrl = Annotated[str | None, Field(max_length=500), AfterValidator(_safe_avatar)]


class AgentIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "ben@shop.example",
                    "name": "Ben",
                    "password": "a-long-password",
                    "role": "agent",
                    "skills": ["sales"],
                    "max_chats": 3,
                }
            ]
        }
    )

    email: str = Field(min_length=3, max_length=320)
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=8, max_length=500)
    role: Role = Role.AGENT
    skills: list[str] = Field(default_factory=list, max_length=50)
    max_chats: int = Field(default=3, ge=1, le=50)


class AgentUpdate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"role": "supervisor", "max_chats": 5}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role | None = None
    skills: list[str] | None = Field(default=None, max_length=50)
    max_chats: int | None = Field(default=None, ge=1, le=50)
    avatar_url: AvatarUrl = None


def _id(agent: AgentOut) -> str:
    return agent.id


@router.get("/agents")
async def list_agents(
    agent: CurrentAgent,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=SHORT_LIST_MAX)] = SHORT_LIST_LIMIT,
    cursor: str | None = None,
) -> Page[AgentOut]:
    """By name; ``limit`` and ``cursor`` as on every list."""
    rows = await session.execute(
        select(Agent).where(Agent.site_id == agent.site_id).order_by(Agent.name, Agent.id)
    )
    page, next_cursor = page_of([AgentOut.of(a) for a in rows.scalars()], limit, cursor, _id)
    return Page(items=page, next_cursor=next_cursor)


@router.post("/agents", status_code=201)
async def create_agent(
    body: AgentIn, admin: AdminAgent, session: SessionDep, idempotency: IdempotencyKey
) -> AgentOut:
    created = await service.create_agent(
        session,
        admin.site_id,
        body.email,
        body.name,
        body.password,
        role=body.role,
        skills=body.skills,
        max_chats=body.max_chats,
    )
    return AgentOut.of(created)


@router.patch("/agents/{agent_id}")
async def update_agent(
    agent_id: str, body: AgentUpdate, admin: AdminAgent, state: StateDep
) -> AgentOut:
    async with state.uow() as uow:
        updated = await staff.update_agent(
            uow,
            admin.site_id,
            agent_id,
            body.model_dump(exclude_unset=True),
            state.routing_policy(),
        )
        return AgentOut.of(updated)


class PasswordReset(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"password": "a-new-long-password"}]})

    password: str = Field(min_length=8, max_length=500)


class PasswordChange(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"current_password": "the-old-password", "new_password": "a-new-long-password"}
            ]
        }
    )

    current_password: str = Field(min_length=1, max_length=500)
    new_password: str = Field(min_length=8, max_length=500)


@router.post("/agents/me/password")
async def change_password(
    body: PasswordChange, agent: CurrentPerson, state: StateDep
) -> AccessToken:
    """The agent's own change: every other session ends; this one gets a fresh token. Wrong
    current passwords count against the account like failed logins: a stolen token must not
    become a way to guess the password."""
    limiter = state.limiter
    account = agent.email
    async with limiter.one_at_a_time(f"account:{account}"):
        await limiter.check("login_account", account)
        try:
            async with state.uow() as uow:
                me = await service.change_own_password(
                    uow, agent.id, body.current_password, body.new_password
                )
        except Forbidden:
            await limiter.count("login_account", account)
            raise
    ttl = state.settings.access_token_ttl_s
    return AccessToken.of(service.issue_token(me, state.settings.secret_key, ttl), ttl, me)


@router.post("/agents/{agent_id}/deactivate")
async def deactivate_agent(agent_id: str, admin: AdminAgent, state: StateDep) -> AgentOut:
    """The agent is signed out everywhere at once; their open chats go back to the queue."""
    return await _set_active(agent_id, False, admin, state)


@router.post("/agents/{agent_id}/reactivate")
async def reactivate_agent(agent_id: str, admin: AdminAgent, state: StateDep) -> AgentOut:
    return await _set_active(agent_id, True, admin, state)


async def _set_active(agent_id: str, active: bool, admin: Agent, state: AppState) -> AgentOut:
    async with state.uow() as uow:
        agent = await staff.set_active(
            uow, service.actor_of(admin), agent_id, active, state.routing_policy()
        )
        return AgentOut.of(agent)


@router.post("/agents/{agent_id}/password")
async def reset_password(
    agent_id: str, body: PasswordReset, admin: AdminAgent, state: StateDep
) -> AgentOut:
    """An admin sets a new password; the agent's sessions end and they log in with it."""
    async with state.uow() as uow:
        agent = await service.reset_password(uow, service.actor_of(admin), agent_id, body.password)
        return AgentOut.of(agent)
