"""REST: a site's identity secret, which signs its verified customers (admins; docs/crm.md)."""

from __future__ import annotations

from fastapi import APIRouter

from app.common.errors import NotFound
from app.identity import service
from app.identity.schemas import IdentitySecret
from app.sites.models import Site
from app.web.deps import AdminAgent, StateDep
from app.web.errors import ERRORS

router = APIRouter(prefix="/api/v1", tags=["sites"], responses=ERRORS)


@router.post("/sites/{site_id}/identity-secret", response_model=IdentitySecret)
async def rotate_identity_secret(
    site_id: str, admin: AdminAgent, state: StateDep
) -> IdentitySecret:
    """A new secret each call; hashes made with the previous one are refused from now on."""
    async with state.uow() as uow:
        site = await uow.session.get(Site, site_id)
        if site is None or site.id != admin.site_id:
            raise NotFound("no such site")
        site.identity_secret = service.new_secret()
        return IdentitySecret(secret=site.identity_secret)
