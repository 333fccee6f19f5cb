"""REST: the caller's site, its look and its routing settings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.common.errors import NotFound
from app.routing import service as routing
from app.routing.policy import RoutingSettings
from app.sites.models import Site
from app.web.deps import AdminAgent, CurrentAgent, StateDep
from app.web.errors import ERRORS

router = APIRouter(prefix="/api/v1", tags=["sites"], responses=ERRORS)


class SiteUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    greeting: str | None = Field(default=None, max_length=300)
    theme_color: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")
    allowed_origins: list[str] | None = None
    routing: RoutingSettings | None = None


def site_view(site: Site, secrets: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": site.id,
        "name": site.name,
        "site_key": site.site_key,
        "greeting": site.greeting,
        "theme_color": site.theme_color,
        "allowed_origins": site.allowed_origins,
        "routing": RoutingSettings.model_validate(site.settings.get("routing", {})).model_dump(),
    }
    if secrets:
        view["secret"] = site.secret
    return view


@router.get("/sites/{site_id}")
async def get_site(site_id: str, agent: CurrentAgent, state: StateDep) -> dict[str, Any]:
    async with state.uow() as uow:
        site = await uow.session.get(Site, site_id)
        if site is None or site.id != agent.site_id:
            raise NotFound("no such site")
        return site_view(site, secrets=agent.role == "admin")


@router.patch("/sites/{site_id}")
async def update_site(
    site_id: str, body: SiteUpdate, admin: AdminAgent, state: StateDep
) -> dict[str, Any]:
    async with state.uow() as uow:
        site = await uow.session.get(Site, site_id)
        if site is None or site.id != admin.site_id:
            raise NotFound("no such site")
        changes = body.model_dump(exclude_unset=True, exclude={"routing"})
        for field, value in changes.items():
            setattr(site, field, value)
        if body.routing is not None:
            site.settings = {**site.settings, "routing": body.routing.model_dump()}
        await uow.session.flush()
        # New routing rules (a fallback allowed, say) may let waiting chats through.
        await routing.drain_queue(uow, site.id, state.routing_policy())
        return site_view(site, secrets=True)
