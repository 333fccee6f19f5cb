"""REST: a site's API tokens for integrations (admins; docs/crm.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.apitokens import service
from app.apitokens.schemas import ApiTokenCreated, ApiTokenIn, ApiTokenList, ApiTokenOut
from app.common.lists import SHORT_LIST_LIMIT, SHORT_LIST_MAX, page_of
from app.web.deps import AdminAgent, StateDep
from app.web.errors import ERRORS
from app.web.idempotency import IdempotencyKey

router = APIRouter(prefix="/api/v1", tags=["api-tokens"], responses=ERRORS)


@router.post("/api-tokens", status_code=201, response_model=ApiTokenCreated)
async def create_token(
    body: ApiTokenIn, admin: AdminAgent, state: StateDep, idempotency: IdempotencyKey
) -> ApiTokenCreated:
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
async def list_tokens(
    admin: AdminAgent,
    state: StateDep,
    limit: Annotated[int, Query(ge=1, le=SHORT_LIST_MAX)] = SHORT_LIST_LIMIT,
    cursor: str | None = None,
) -> ApiTokenList:
    async with state.uow() as uow:
        tokens = [
            ApiTokenOut.model_validate(t) for t in await service.listed(uow.session, admin.site_id)
        ]
    page, next_cursor = page_of(tokens, limit, cursor, lambda t: t.id)
    return ApiTokenList(items=page, next_cursor=next_cursor)


@router.delete("/api-tokens/{token_id}", status_code=204)
async def revoke_token(token_id: str, admin: AdminAgent, state: StateDep) -> Response:
    """Refused on every process from the next request on: each request reads the token."""
    async with state.uow() as uow:
        await service.revoke(uow.session, admin.site_id, token_id)
    return Response(status_code=204)
