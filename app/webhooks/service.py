"""Managing a site's webhook endpoints and reading their delivery log (admins only)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from app.common.errors import Conflict, NotFound
from app.common.lookup import get_in_site
from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.webhooks.guard import check_url
from app.webhooks.models import WebhookDelivery, WebhookEndpoint

# Endpoints per site: enough for a CRM, a help desk and a few automations.
MAX_ENDPOINTS_PER_SITE = 20


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


async def create(
    uow: UnitOfWork, site_id: str, url: str, events: list[str], allow_private: bool
) -> WebhookEndpoint:
    checked = await check_url(url, allow_private)
    count = await uow.session.scalar(
        select(func.count()).select_from(WebhookEndpoint).where(WebhookEndpoint.site_id == site_id)
    )
    if (count or 0) >= MAX_ENDPOINTS_PER_SITE:
        raise Conflict(f"a site has at most {MAX_ENDPOINTS_PER_SITE} webhooks")
    endpoint = WebhookEndpoint(
        site_id=site_id, url=checked, events=events, secret=new_secret(), enabled=True
    )
    uow.session.add(endpoint)
    await uow.session.flush()
    return endpoint


async def get(uow: UnitOfWork, site_id: str, endpoint_id: str) -> WebhookEndpoint:
    return await get_in_site(uow.session, WebhookEndpoint, endpoint_id, site_id, "no such webhook")


async def listed(uow: UnitOfWork, site_id: str) -> list[WebhookEndpoint]:
    rows = await uow.session.execute(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.site_id == site_id)
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return list(rows.scalars())


async def change(
    uow: UnitOfWork,
    site_id: str,
    endpoint_id: str,
    changes: dict[str, Any],
    allow_private: bool,
) -> WebhookEndpoint:
    endpoint = await get(uow, site_id, endpoint_id)
    if changes.get("url") is not None:
        endpoint.url = await check_url(changes["url"], allow_private)
    if changes.get("events") is not None:
        endpoint.events = list(changes["events"])
    if changes.get("enabled") is True and not endpoint.enabled:
        # Back on: pending deliveries go out at once, the day of failures is forgotten.
        endpoint.enabled = True
        endpoint.disabled_at = endpoint.disabled_reason = None
        endpoint.lease_owner = endpoint.lease_until = None
        await uow.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "pending")
            .values(next_attempt_at=utcnow(), failing_since=None)
        )
    elif changes.get("enabled") is False:
        endpoint.enabled = False
    await uow.session.flush()
    return endpoint


async def rotate_secret(
    uow: UnitOfWork, site_id: str, endpoint_id: str, grace_s: float
) -> WebhookEndpoint:
    """A new secret; the one it replaces keeps signing beside it for ``grace_s``, so the
    receiver can switch without refusing a delivery. A second rotation within the grace period
    drops the oldest secret: only the one just replaced stays valid beside the new one."""
    endpoint = await get(uow, site_id, endpoint_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = utcnow() + timedelta(seconds=grace_s)
    endpoint.secret = new_secret()
    await uow.session.flush()
    return endpoint


async def remove(uow: UnitOfWork, site_id: str, endpoint_id: str) -> None:
    endpoint = await get(uow, site_id, endpoint_id)
    await uow.session.execute(
        delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    )
    await uow.session.delete(endpoint)


async def deliveries(
    uow: UnitOfWork, site_id: str, endpoint_id: str, limit: int, cursor: str | None
) -> tuple[list[WebhookDelivery], str | None]:
    """The endpoint's deliveries, newest event first; the cursor is the last one's id."""
    endpoint = await get(uow, site_id, endpoint_id)
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(
            WebhookDelivery.created_at.desc(),
            WebhookDelivery.position.desc(),
            WebhookDelivery.id.desc(),
        )
    )
    if cursor:
        anchor = await _delivery(uow, endpoint, cursor, "unknown cursor")
        query = query.where(
            (WebhookDelivery.created_at < anchor.created_at)
            | (
                (WebhookDelivery.created_at == anchor.created_at)
                & (
                    (WebhookDelivery.position < anchor.position)
                    | (
                        (WebhookDelivery.position == anchor.position)
                        & (WebhookDelivery.id < anchor.id)
                    )
                )
            )
        )
    rows = list((await uow.session.execute(query.limit(limit + 1))).scalars())
    page = rows[:limit]
    return page, (page[-1].id if len(rows) > limit else None)


async def redeliver(
    uow: UnitOfWork, site_id: str, endpoint_id: str, delivery_id: str
) -> WebhookDelivery:
    """Send the delivery again, as it was (same id, same body), before anything newer."""
    endpoint = await get(uow, site_id, endpoint_id)
    if not endpoint.enabled:
        raise Conflict("the webhook is disabled; enable it first (PATCH enabled=true)")
    delivery = await _delivery(uow, endpoint, delivery_id, "no such delivery")
    now = utcnow()
    delivery.status = "pending"
    delivery.next_attempt_at = now
    delivery.failing_since = None
    delivery.delivered_at = None
    if endpoint.lease_owner is None:  # waiting for a retry: this one goes now
        endpoint.lease_until = None
    await uow.session.flush()
    return delivery


async def _delivery(
    uow: UnitOfWork, endpoint: WebhookEndpoint, delivery_id: str, message: str
) -> WebhookDelivery:
    delivery = await get_in_site(
        uow.session, WebhookDelivery, delivery_id, endpoint.site_id, message
    )
    if delivery.endpoint_id != endpoint.id:
        raise NotFound(message)
    return delivery
