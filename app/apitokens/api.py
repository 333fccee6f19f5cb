"""REST: a site's API tokens for integrations (admins; docs/crm.md)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.apitokens import service
from app.apitokens.schemas import ApiTokenCreated, ApiTokenIn, ApiTokenList, ApiTokenOut
from app.web.deps import AdminAgent, StateDep
from app.web.errors import ERRORS

router = APIRouter(prefix="/api/v1", tags=["api-tokens"], responses=ERRORS)


@router.post("/api-tokens", status_code=201, response_model=ApiTokenCreated)
async def create_token(body: ApiTokenIn, admin: AdminAgent, state: StateDep) -> ApiTokenCreated:
    """The token is in this answer only (it is stored hashed): keep it."""
    async with state.uow() as uow:
        token, plain = await service.create(
            uow.session,
            state.settings.secret_key,
            admin.site_id,
            body.name,
            body.role,
            body.scope,
            admin.id,
        )
        shown = {field: getattr(token, field) for field in ApiTokenOut.model_fields}
        return ApiTokenCreated.model_validate({**shown, "token": plain})


@router.get("/api-tokens", response_model=ApiTokenList)
async def list_tokens(admin: AdminAgent, state: StateDep) -> ApiTokenList:
    async with state.uow() as uow:
        tokens = await service.listed(uow.session, admin.site_id)
        return ApiTokenList(items=[ApiTokenOut.model_validate(t) for t in tokens])


@router.delete("/api-tokens/{token_id}", status_code=204)
async def revoke_token(token_id: str, admin: AdminAgent, state: StateDep) -> Response:
    """Refused on every process from the next request on: each request reads the token."""
    async with state.uow() as uow:
        await service.revoke(uow.session, admin.site_id, token_id)
    return Response(status_code=204)
