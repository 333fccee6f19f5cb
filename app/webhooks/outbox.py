"""The outbox: an event becomes one delivery row per subscribed endpoint, in its own transaction.

``record`` only notes the event on the unit of work; just before that transaction commits, the
events it noted are matched against the sites' enabled endpoints with one query and their rows
inserted (``UnitOfWork.before_commit``). So the rows commit with the chat or message they tell
of, or not at all: a crash after commit loses nothing (the sender finds them), and a rollback
sends nothing. A batch of many messages costs one query, and a site without webhooks nothing
but that query.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.common.types import iso, new_id, utcnow
from app.common.uow import UnitOfWork
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.webhooks.schemas import (
    Envelope,
    EventAgent,
    EventAuthor,
    EventChat,
    EventMessage,
    EventName,
)


@dataclass(frozen=True, slots=True)
class _Event:
    site_id: str
    event: str
    data: Mapping[str, Any]
    at: datetime


# The events noted on each open unit of work; an entry goes when its unit of work does.
_PENDING: weakref.WeakKeyDictionary[UnitOfWork, list[_Event]] = weakref.WeakKeyDictionary()


def record(uow: UnitOfWork, site_id: str, event: EventName, data: Mapping[str, Any]) -> None:
    """Queue ``event`` for the site's endpoints that subscribe to it, in ``uow``'s transaction.

    ``data`` must be JSON-ready (a model's ``dump()``); it is the body's ``data``.
    """
    pending = _PENDING.get(uow)
    if pending is None:
        pending = _PENDING[uow] = []
        session = uow.session
        uow.before_commit(lambda: _write(session, pending))
    pending.append(_Event(site_id, event, data, utcnow()))


def chat_event(uow: UnitOfWork, event: EventName, chat: Any, **extra: Any) -> None:
    """``record`` for an event about a chat row: ``{"chat": {...}, **extra}``."""
    record(uow, chat.site_id, event, {"chat": EventChat.model_validate(chat).dump(), **extra})


def agent_data(agent: Any) -> dict[str, Any]:
    """An agent row as events show it."""
    return EventAgent.model_validate(agent).dump()


class _MessageRow(Protocol):
    id: str
    chat_id: str
    public_seq: int | None
    author_type: str
    author_id: str | None
    author_name: str | None
    body: str
    attachments: list[dict[str, Any]]
    created_at: datetime


def message_data(message: _MessageRow) -> dict[str, Any]:
    """A public message as ``message.created`` shows it (numbered as the visitor sees it)."""
    return EventMessage(
        id=message.id,
        chat_id=message.chat_id,
        seq=message.public_seq or 0,
        author=EventAuthor(
            type=message.author_type, id=message.author_id, name=message.author_name
        ),
        body=message.body,
        attachments=message.attachments,
        created_at=message.created_at,
    ).dump()


async def _write(session: AsyncSession, events: list[_Event]) -> None:
    if not events:
        return
    rows = await session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.site_id, WebhookEndpoint.events).where(
            WebhookEndpoint.site_id.in_({e.site_id for e in events}),
            WebhookEndpoint.enabled.is_(True),
        )
    )
    endpoints: dict[str, list[tuple[str, list[str]]]] = {}
    for endpoint_id, site_id, subscribed in rows:
        endpoints.setdefault(site_id, []).append((endpoint_id, subscribed))
    values: list[dict[str, Any]] = []
    for position, e in enumerate(events):
        for endpoint_id, subscribed in endpoints.get(e.site_id, ()):
            if e.event in subscribed:
                values.append(_delivery(endpoint_id, e, position))
    events.clear()
    if values:
        await session.execute(insert(WebhookDelivery), values)


def delivery_row(
    endpoint_id: str,
    site_id: str,
    event: EventName,
    data: Mapping[str, Any],
    at: datetime,
    position: int,
) -> dict[str, Any]:
    """The delivery row ``record`` leads to, for writers that insert it themselves in their
    own transaction (the message batch on SQLite, app/chat/sqlite_batch.py)."""
    return _delivery(endpoint_id, _Event(site_id, event, data, at), position)


def _delivery(endpoint_id: str, e: _Event, position: int) -> dict[str, Any]:
    delivery_id = new_id()
    envelope = Envelope(
        event=e.event,
        delivery_id=delivery_id,
        created_at=iso(e.at) or "",
        site_id=e.site_id,
        data=dict(e.data),
    )
    return {
        "id": delivery_id,
        "endpoint_id": endpoint_id,
        "site_id": e.site_id,
        "event": e.event,
        "body": json.dumps(envelope.dump(), separators=(",", ":"), ensure_ascii=False),
        "created_at": e.at,
        "position": position,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": e.at,
    }
