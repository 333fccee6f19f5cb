"""REST: login and the calling agent."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.agents import service
from app.common.tokens import TokenClaims, issue
from app.web.deps import CurrentAgent, SessionDep, StateDep

router = APIRouter(prefix="/api/v1", tags=["agents"])


class LoginIn(BaseModel):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=500)


@router.post("/auth/login")
async def login(body: LoginIn, session: SessionDep, state: StateDep) -> dict[str, Any]:
    agent = await service.authenticate(session, body.email, body.password)
    ttl = state.settings.access_token_ttl_s
    token = issue(
        state.settings.secret_key,
        TokenClaims(subject=agent.id, site_id=agent.site_id, type="agent"),
        ttl,
    )
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": ttl,
        "agent": service.agent_view(agent),
    }


@router.get("/agents/me")
async def me(agent: CurrentAgent) -> dict[str, Any]:
    return service.agent_view(agent)
