"""REST: a site's webhooks and their delivery log (admins; docs/crm.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.common.lists import SHORT_LIST_LIMIT, SHORT_LIST_MAX, page_of
from app.web.deps import AdminAgent, StateDep
from app.web.errors import ERRORS
from app.web.idempotency import IdempotencyKey
from app.webhooks import service
from app.webhooks.schemas import (
    DeliveryOut,
    DeliveryPage,
    WebhookCreated,
    WebhookIn,
    WebhookList,
    WebhookOut,
    WebhookSecret,
    WebhookUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["webhooks"], responses=ERRORS)


@router.post("/webhooks", status_code=201, response_model=WebhookCreated)
async def create_webhook(
    body: WebhookIn, admin: AdminAgent, state: StateDep, idempotency: IdempotencyKey
) -> WebhookCreated:
    """The secret that signs the deliveries is in this answer only: keep it."""
    async with state.uow() as uow:
        endpoint = await service.create(
            uow, admin.site_id, body.url, list(body.events), state.settings.webhooks_allow_private
        )
        return WebhookCreated.model_validate(endpoint)


@router.get("/webhooks", response_model=WebhookList)
async def list_webhooks(
    admin: AdminAgent,
    state: StateDep,
    limit: Annotated[int, Query(ge=1, le=SHORT_LIST_MAX)] = SHORT_LIST_LIMIT,
    cursor: str | None = None,
) -> WebhookList:
    async with state.uow() as uow:
        endpoints = [WebhookOut.model_validate(e) for e in await service.listed(uow, admin.site_id)]
    page, next_cursor = page_of(endpoints, limit, cursor, lambda e: e.id)
    return WebhookList(items=page, next_cursor=next_cursor)


@router.get("/webhooks/{webhook_id}", response_model=WebhookOut)
async def get_webhook(webhook_id: str, admin: AdminAgent, state: StateDep) -> WebhookOut:
    async with state.uow() as uow:
        return WebhookOut.model_validate(await service.get(uow, admin.site_id, webhook_id))


@router.patch("/webhooks/{webhook_id}", response_model=WebhookOut)
async def update_webhook(
    webhook_id: str, body: WebhookUpdate, admin: AdminAgent, state: StateDep
) -> WebhookOut:
    async with state.uow() as uow:
        endpoint = await service.change(
            uow,
            admin.site_id,
            webhook_id,
            body.model_dump(exclude_unset=True),
            state.settings.webhooks_allow_private,
        )
        return WebhookOut.model_validate(endpoint)


@router.post("/webhooks/{webhook_id}/secret", response_model=WebhookSecret)
async def rotate_secret(webhook_id: str, admin: AdminAgent, state: StateDep) -> WebhookSecret:
    """A new signing secret, shown in this answer only. The previous one keeps signing beside
    it for ``PARLEY_WEBHOOKS_SECRET_GRACE_S`` (24 h), so the receiver can switch over."""
    async with state.uow() as uow:
        endpoint = await service.rotate_secret(
            uow, admin.site_id, webhook_id, state.settings.webhooks_secret_grace_s
        )
        assert endpoint.previous_secret_until is not None
        return WebhookSecret(
            id=endpoint.id,
            secret=endpoint.secret,
            previous_secret_expires_at=endpoint.previous_secret_until,
        )


@router.delete("/webhooks/{webhook_id}", status_code=204)
async def delete_webhook(webhook_id: str, admin: AdminAgent, state: StateDep) -> Response:
    async with state.uow() as uow:
        await service.remove(uow, admin.site_id, webhook_id)
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=DeliveryPage)
async def list_deliveries(
    webhook_id: str,
    admin: AdminAgent,
    state: StateDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> DeliveryPage:
    """Newest first; pass ``next_cursor`` back as ``cursor`` for the next page."""
    async with state.uow() as uow:
        rows, next_cursor = await service.deliveries(uow, admin.site_id, webhook_id, limit, cursor)
        return DeliveryPage(
            items=[DeliveryOut.model_validate(d) for d in rows], next_cursor=next_cursor
        )


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=DeliveryOut,
)
async def redeliver(
    webhook_id: str, delivery_id: str, admin: AdminAgent, state: StateDep
) -> DeliveryOut:
    """Queue the delivery again (same ``X-Parley-Delivery``, same body): sent within seconds."""
    async with state.uow() as uow:
        delivery = await service.redeliver(uow, admin.site_id, webhook_id, delivery_id)
        return DeliveryOut.model_validate(delivery)
