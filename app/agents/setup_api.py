"""REST: the first-run page's two calls, open to anyone until the install's first admin exists."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.agents import service
from app.agents.schemas import EmailAddress, SetupState
from app.agents.setup import first_admin, setup_needed
from app.web.deps import StateDep
from app.web.errors import ERRORS
from app.web.schemas import AccessToken

router = APIRouter(prefix="/api/v1", tags=["setup"], responses=ERRORS)


class FirstAdminIn(BaseModel):
    site_name: str = Field(default="My shop", min_length=1, max_length=200)
    email: EmailAddress
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=8, max_length=500)


@router.get("/setup")
async def setup_state(state: StateDep) -> SetupState:
    """Whether the console should offer to create the first admin (a fresh install only)."""
    async with state.uow() as uow:
        return SetupState(needed=await setup_needed(uow))


@router.post("/setup", status_code=201)
async def create_first_admin(body: FirstAdminIn, state: StateDep) -> AccessToken:
    """The install's first admin, signed in at once; refused (409) ever after."""
    admin = await first_admin(state.uow, body.site_name, body.email, body.name, body.password)
    ttl = state.settings.access_token_ttl_s
    return AccessToken.of(service.issue_token(admin, state.settings.secret_key, ttl), ttl, admin)
