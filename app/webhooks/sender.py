"""Sends the outbox: every process runs a sender; each endpoint is sent to by one at a time.

Claiming is one conditional UPDATE on the endpoint row (``lease_until`` in the past, or
null): whichever process's UPDATE matches holds the endpoint until its lease ends, so two
processes never send the same endpoint's deliveries at once, on SQLite or PostgreSQL. The
holder sends that endpoint's pending deliveries one at a time, oldest event first, and stops at
the first failure: later events wait behind it (per-endpoint order, docs/crm.md). A failure
sets ``lease_until`` to the retry time with no owner, which keeps every process away until then.

A process killed while sending leaves its lease to run out; the delivery it was sending is
still pending and is sent again (at least once: the receiver dedupes by ``X-Parley-Delivery``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.common.types import new_id, utcnow
from app.common.uow import UowFactory
from app.webhooks.guard import RefusedTarget, http_client
from app.webhooks.models import WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

# What is kept of a receiver's answer: enough to see an error message, never a whole page.
MAX_RESPONSE_BODY = 1024
# One holder sends at most this many deliveries before letting go, so a busy endpoint does
# not stay with one process for ever.
MAX_PER_CLAIM = 200
# Endpoints a process sends to at the same time (one slow receiver does not hold up others).
MAX_ENDPOINTS = 16
# Delivered and given-up deliveries are kept this long in the log, then deleted.
KEEP_LOG = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class SendPolicy:
    timeout_s: float = 10.0
    retry_base_s: float = 5.0
    retry_max_s: float = 3600.0
    give_up_s: float = 24 * 3600.0
    lease_s: float = 60.0
    poll_s: float = 1.0
    allow_private: bool = False


def retry_delay_s(failures: int, base_s: float, max_s: float) -> float:
    """Wait after the ``failures``-th failure in a row: base, 2 base, 4 base, ... up to max.

    With the defaults (5 s, at most an hour) that is 5, 10, 20, ... 2560 s, then hourly: about
    twenty-five attempts in the day a failing endpoint is kept on.
    """
    return float(min(max_s, base_s * 2 ** min(max(failures - 1, 0), 60)))


def signature(secret: str, body: bytes, previous: str | None = None) -> str:
    """``X-Parley-Signature``: HMAC-SHA256 of the raw body, keyed with the secret's UTF-8.

    While a rotated-out secret is still in its grace period, the body's HMAC with it follows,
    comma-separated: ``sha256=<new>,sha256=<previous>``; a receiver accepts either.
    """
    signed = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if previous:
        signed += ",sha256=" + hmac.new(previous.encode(), body, hashlib.sha256).hexdigest()
    return signed


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    status: int | None
    elapsed_s: float
    body: str | None
    error: str | None


async def post(
    http: httpx.AsyncClient,
    url: str,
    secret: str,
    delivery_id: str,
    event: str,
    body: str,
    previous_secret: str | None = None,
) -> Outcome:
    """One attempt. 2xx within the timeout is success; anything else (3xx included) is not."""
    raw = body.encode()
    headers = {
        "Content-Type": "application/json",
        "X-Parley-Event": event,
        "X-Parley-Delivery": delivery_id,
        "X-Parley-Signature": signature(secret, raw, previous_secret),
    }
    started = time.monotonic()
    try:
        async with http.stream("POST", url, content=raw, headers=headers) as response:
            kept = b""
            async for chunk in response.aiter_bytes():
                kept += chunk
                if len(kept) >= MAX_RESPONSE_BODY:
                    break
        elapsed = time.monotonic() - started
        text = kept[:MAX_RESPONSE_BODY].decode("utf-8", "replace")
        ok = 200 <= response.status_code < 300
        error = None if ok else f"HTTP {response.status_code}"
        return Outcome(ok, response.status_code, elapsed, text, error)
    except RefusedTarget as exc:
        return Outcome(False, None, time.monotonic() - started, None, f"refused: {exc}")
    except httpx.TimeoutException:
        return Outcome(False, None, time.monotonic() - started, None, "timed out")
    except Exception as exc:  # any other way of not getting an answer is a failed attempt
        message = f"{type(exc).__name__}: {exc}"[:500]
        return Outcome(False, None, time.monotonic() - started, None, message)


async def sender_loop(uow_factory: UowFactory, policy: SendPolicy) -> None:
    """Look for endpoints with due deliveries every ``poll_s``; send each in its own task."""
    running: dict[str, asyncio.Task[None]] = {}
    async with http_client(policy.timeout_s, policy.allow_private) as http:
        try:
            tick = 0
            while True:
                try:
                    for endpoint_id in await due_endpoints(uow_factory, MAX_ENDPOINTS):
                        if endpoint_id not in running and len(running) < MAX_ENDPOINTS:
                            running[endpoint_id] = asyncio.create_task(
                                drain_endpoint(uow_factory, policy, http, endpoint_id)
                            )
                    if tick % 3600 == 0:
                        await forget_old(uow_factory)
                except Exception:
                    log.warning("webhook sender failed; retrying", exc_info=True)
                tick += 1
                await asyncio.sleep(policy.poll_s)
                for endpoint_id in [e for e, task in running.items() if task.done()]:
                    task = running.pop(endpoint_id)
                    if not task.cancelled() and task.exception() is not None:
                        log.warning("webhook endpoint %s: %r", endpoint_id, task.exception())
        finally:
            for task in running.values():
                task.cancel()
            for task in running.values():
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task


async def due_endpoints(uow_factory: UowFactory, limit: int) -> list[str]:
    """Enabled endpoints nobody holds (or waits on) with a pending delivery due now."""
    now = utcnow()
    async with uow_factory() as uow:
        rows = await uow.session.execute(
            select(WebhookDelivery.endpoint_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
                WebhookEndpoint.enabled.is_(True),
                (WebhookEndpoint.lease_until.is_(None)) | (WebhookEndpoint.lease_until <= now),
            )
            .distinct()
            .limit(limit)
        )
        return list(rows.scalars())


async def _claim(uow_factory: UowFactory, endpoint_id: str, owner: str, lease_s: float) -> bool:
    now = utcnow()
    async with uow_factory() as uow:
        result = await uow.session.execute(
            update(WebhookEndpoint)
            .where(
                WebhookEndpoint.id == endpoint_id,
                WebhookEndpoint.enabled.is_(True),
                (WebhookEndpoint.lease_until.is_(None)) | (WebhookEndpoint.lease_until <= now),
            )
            .values(lease_owner=owner, lease_until=now + timedelta(seconds=lease_s))
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))


@dataclass(frozen=True, slots=True)
class _Next:
    url: str
    secret: str
    delivery_id: str
    event: str
    body: str
    previous_secret: str | None


async def _next_delivery(
    uow_factory: UowFactory, endpoint_id: str, owner: str
) -> _Next | datetime | None:
    """The endpoint's oldest pending delivery if it is due and the endpoint is still ours;
    when it is not due yet, the time it is; None when there is nothing (more) to send."""
    async with uow_factory() as uow:
        endpoint = await uow.session.get(WebhookEndpoint, endpoint_id)
        if endpoint is None or not endpoint.enabled or endpoint.lease_owner != owner:
            return None
        head = (
            await uow.session.execute(
                select(WebhookDelivery)
                .where(
                    WebhookDelivery.endpoint_id == endpoint_id,
                    WebhookDelivery.status == "pending",
                )
                .order_by(WebhookDelivery.created_at, WebhookDelivery.position)
                .limit(1)
            )
        ).scalar_one_or_none()
        if head is None or head.next_attempt_at is None:
            return None
        if head.next_attempt_at > utcnow():
            return head.next_attempt_at
        now = utcnow()
        previous = (
            endpoint.previous_secret
            if endpoint.previous_secret_until is not None and endpoint.previous_secret_until > now
            else None
        )
        return _Next(endpoint.url, endpoint.secret, head.id, head.event, head.body, previous)


async def drain_endpoint(
    uow_factory: UowFactory, policy: SendPolicy, http: httpx.AsyncClient, endpoint_id: str
) -> None:
    """Hold the endpoint and send its due deliveries in order until none is due or one fails."""
    owner = new_id()
    if not await _claim(uow_factory, endpoint_id, owner, policy.lease_s):
        return
    retry_at: datetime | None = None
    try:
        for _ in range(MAX_PER_CLAIM):
            nxt = await _next_delivery(uow_factory, endpoint_id, owner)
            if not isinstance(nxt, _Next):
                retry_at = nxt  # later events wait behind a head that is not due yet
                break
            outcome = await post(
                http,
                nxt.url,
                nxt.secret,
                nxt.delivery_id,
                nxt.event,
                nxt.body,
                nxt.previous_secret,
            )
            retry_at = await _settle(uow_factory, policy, endpoint_id, owner, nxt, outcome)
            if retry_at is not None:
                break
    finally:
        with contextlib.suppress(Exception):
            await _release(uow_factory, endpoint_id, owner, retry_at)


async def _settle(
    uow_factory: UowFactory,
    policy: SendPolicy,
    endpoint_id: str,
    owner: str,
    nxt: _Next,
    outcome: Outcome,
) -> datetime | None:
    """Store the attempt; returns when to try again after a failure (None: go on)."""
    now = utcnow()
    async with uow_factory() as uow:
        delivery = await uow.session.get(WebhookDelivery, nxt.delivery_id)
        if delivery is None:  # the endpoint was deleted meanwhile
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.response_status = outcome.status
        delivery.response_time_s = round(outcome.elapsed_s, 3)
        delivery.response_body = outcome.body
        delivery.error = outcome.error
        await uow.session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.lease_owner == owner)
            .values(lease_until=now + timedelta(seconds=policy.lease_s))
            .execution_options(synchronize_session=False)
        )
        if outcome.ok:
            delivery.status = "delivered"
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            delivery.failing_since = None
            return None
        delivery.failing_since = delivery.failing_since or now
        if now - delivery.failing_since >= timedelta(seconds=policy.give_up_s):
            delivery.status = "failed"
            delivery.next_attempt_at = None
            await _disable(uow.session, endpoint_id, delivery.failing_since, outcome)
            return now
        failures = delivery.attempts
        wait = retry_delay_s(failures, policy.retry_base_s, policy.retry_max_s)
        delivery.next_attempt_at = now + timedelta(seconds=wait)
        return delivery.next_attempt_at


async def _disable(
    session: AsyncSession, endpoint_id: str, since: datetime, outcome: Outcome
) -> None:
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        return
    endpoint.enabled = False
    endpoint.disabled_at = utcnow()
    endpoint.disabled_reason = (
        f"failing since {since.isoformat(timespec='seconds')}: {outcome.error or 'no answer'}"
    )[:500]
    log.warning("webhook endpoint %s disabled: %s", endpoint_id, endpoint.disabled_reason)


async def _release(
    uow_factory: UowFactory, endpoint_id: str, owner: str, retry_at: datetime | None
) -> None:
    """Let go of the endpoint; after a failure, nobody takes it before the retry is due."""
    async with uow_factory() as uow:
        await uow.session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.lease_owner == owner)
            .values(lease_owner=None, lease_until=retry_at)
            .execution_options(synchronize_session=False)
        )


async def forget_old(uow_factory: UowFactory) -> None:
    """Drop log entries of settled deliveries older than KEEP_LOG."""
    async with uow_factory() as uow:
        await uow.session.execute(
            delete(WebhookDelivery).where(
                WebhookDelivery.status != "pending",
                WebhookDelivery.created_at < utcnow() - KEEP_LOG,
            )
        )
