"""FastAPI dependencies: the process state, a database session, the calling agent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.agents.models import Agent
from app.common.errors import Unauthorized
from app.common.tokens import verify
from app.state import AppState

_bearer = HTTPBearer(auto_error=False)


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.parley
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    async with state.sessions() as session, session.begin():
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def get_current_agent(
    state: StateDep,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Agent:
    if credentials is None:
        raise Unauthorized("missing bearer token")
    claims = verify(state.settings.secret_key, credentials.credentials, "agent")
    agent = await session.get(Agent, claims.subject) if claims else None
    if agent is None:
        raise Unauthorized("invalid or expired token")
    return agent


CurrentAgent = Annotated[Agent, Depends(get_current_agent)]
