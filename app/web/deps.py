"""FastAPI dependencies: the process state, a database session, the calling agent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.agents import service as agents
from app.agents.models import Agent
from app.common.enums import Role
from app.common.errors import Forbidden, Unauthorized
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
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Agent:
    if credentials is None:
        raise Unauthorized("missing bearer token")
    # A short session of its own: a handler's transaction must not wait behind this lookup.
    async with state.sessions() as session:
        agent = await agents.agent_for_token(
            session, state.settings.secret_key, credentials.credentials
        )
    if agent is None:
        raise Unauthorized("invalid or expired token")
    return agent


CurrentAgent = Annotated[Agent, Depends(get_current_agent)]


def require_role(role: Role) -> object:
    """A dependency that admits agents of at least this role."""

    async def check(agent: CurrentAgent) -> Agent:
        if Role(agent.role).rank < role.rank:
            raise Forbidden(f"this needs the {role} role")
        return agent

    return Depends(check)


AdminAgent = Annotated[Agent, require_role(Role.ADMIN)]
StaffAgent = Annotated[Agent, require_role(Role.SUPERVISOR)]
