"""FastAPI dependencies: the process state, a database session, the caller.

The one place a REST caller is resolved: an agent's login token, or a site's API token
(``pk_...``, app/apitokens). An API token acts as a stand-in agent that is never stored: an
``agent`` token ranks as a supervisor (every chat of its site, never the admin routes), an
``admin`` token as an admin; a ``read`` token is refused every method but GET. Routes about
the caller as a person (``/agents/me``, personal saved replies) take ``CurrentPerson``, which
refuses API tokens.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.agents import service as agents
from app.agents.models import Agent
from app.apitokens import service as apitokens
from app.apitokens.models import ApiToken
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


# Methods a read-only API token may use.
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_current_agent(
    request: Request,
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Agent:
    if credentials is None:
        raise Unauthorized("missing bearer token")
    bearer = credentials.credentials
    # A short session of its own: a handler's transaction must not wait behind this lookup.
    # Read on every request, so a revoked token or agent is refused by every process at once.
    async with state.sessions() as session:
        if apitokens.looks_like_token(bearer):
            token = await apitokens.resolve(session, state.settings.secret_key, bearer)
            if token is None:
                raise Unauthorized("invalid or revoked API token")
            if token.scope != "write" and request.method not in _READ_METHODS:
                raise Forbidden("this API token may only read")
            request.state.api_token = token
            return _stand_in(token)
        agent = await agents.agent_for_token(session, state.settings.secret_key, bearer)
    if agent is None:
        raise Unauthorized("invalid or expired token")
    return agent


def _stand_in(token: ApiToken) -> Agent:
    """The agent an API token acts as: never added to a session, never stored."""
    role = Role.ADMIN if token.role == "admin" else Role.SUPERVISOR
    return Agent(
        id=token.id,
        site_id=token.site_id,
        email="",
        name=token.name,
        password_hash="",
        role=str(role),
        active=True,
        max_chats=0,
        active_chats=0,
        token_epoch=0,
        skill_rows=[],
    )


def api_token_of(request: Request) -> ApiToken | None:
    """The API token this request authenticated with, if it did (after ``CurrentAgent``)."""
    token: ApiToken | None = getattr(request.state, "api_token", None)
    return token


CurrentAgent = Annotated[Agent, Depends(get_current_agent)]


async def get_current_person(request: Request, agent: CurrentAgent) -> Agent:
    if api_token_of(request) is not None:
        raise Forbidden("an API token is not a person: log in as an agent for this")
    return agent


CurrentPerson = Annotated[Agent, Depends(get_current_person)]


def require_role(role: Role) -> object:
    """A dependency that admits agents of at least this role."""

    async def check(agent: CurrentAgent) -> Agent:
        if Role(agent.role).rank < role.rank:
            raise Forbidden(f"this needs the {role} role")
        return agent

    return Depends(check)


AdminAgent = Annotated[Agent, require_role(Role.ADMIN)]
StaffAgent = Annotated[Agent, require_role(Role.SUPERVISOR)]
