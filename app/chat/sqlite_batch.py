"""A batch of text messages on SQLite as one hand-off to the database's thread, in plain sqlite3.

The profile behind it (docs/flame-hotpath-before.svg, docs/performance.md): with group commit
the ORM path (app/chat/batch.py ``store_sends``) still cost per message an ORM object and its
share of a flush, and per statement several round trips between the event loop and aiosqlite's
thread (cursor, execute, fetch, close), each through SQLAlchemy's greenlet adaptation. Here the
whole batch — read the chats with their authors, check each send, number it, write the rows —
is one function run on aiosqlite's own thread with ``executemany``.

The transaction is its own, from ``BEGIN IMMEDIATE`` to ``COMMIT`` in that one call, on the
pool's only connection (so it queues with every other unit of work, as before), and the
webhook deliveries of its ``message.created`` events are inserted in it too. The guarantees of
app/chat/batch.py hold unchanged: the write lock is held from the read of the counters to the
commit, so ``seq`` and ``public_seq`` have no gaps; a send is acked only after the commit, and
its events are published by the writer after it; a resend of a stored message
is refused by the unique index, the transaction rolls back and the writer tries the batch's
sends one by one on the ORM path, which looks for the earlier copy. A batch touching an offline
chat (whose messages set mail timers) is left to the ORM path whole. Columns are written
through the columns' own SQLAlchemy bind processors, so a row written here is the row the ORM
would have written.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from app.chat.access import ChatAction, authorize
from app.chat.messages import Author
from app.chat.models import Message
from app.chat.sends import Outcome, Send
from app.chat.service import Ack, check_kind, check_open
from app.common.enums import ChatStatus
from app.common.errors import DomainError
from app.common.events import Event, chat_topic, supervisors_topic
from app.common.types import iso, new_id, utcnow
from app.db import in_sqlite_transaction
from app.files.schemas import AttachmentOut
from app.webhooks import outbox as webhooks

_CHATS = (
    "SELECT c.id, c.site_id, c.visitor_id, c.agent_id, c.status, c.last_seq, c.last_public_seq,"
    " c.first_response_at IS NULL, c.first_visitor_message_at IS NULL,"
    " v.name, a.name, a.avatar_url"
    " FROM chats c JOIN visitors v ON v.id = c.visitor_id LEFT JOIN agents a ON a.id = c.agent_id"
    " WHERE c.id IN ({marks})"
)
_AGENTS = "SELECT id, name, avatar_url FROM agents WHERE id IN ({marks})"
_UPDATE = (
    "UPDATE chats SET last_seq = ?, last_public_seq = ?,"
    " last_visitor_message_at = COALESCE(?, last_visitor_message_at),"
    " last_agent_message_at = COALESCE(?, last_agent_message_at),"
    " first_visitor_message_at = COALESCE(first_visitor_message_at, ?),"
    " first_response_at = COALESCE(first_response_at, ?)"
    " WHERE id = ?"
)
_INSERT = (
    "INSERT INTO messages (id, chat_id, seq, public_seq, kind, author_type, author_id,"
    " author_name, author_avatar_url, body, client_msg_id, attachments, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_ENDPOINTS = (
    "SELECT id, site_id, events FROM webhook_endpoints WHERE enabled = 1 AND site_id IN ({marks})"
)
# In the order of app/webhooks/outbox.py's rows; created_at and next_attempt_at are times.
_DELIVERY_COLUMNS = (
    "id", "endpoint_id", "site_id", "event", "body", "created_at", "position", "status",
    "attempts", "next_attempt_at",
)  # fmt: skip
_DELIVERY = "INSERT INTO webhook_deliveries ({columns}) VALUES ({marks})"


@dataclass(slots=True)
class _Chat:
    """The columns of a chat the batch reads, and what it changes (written back once)."""

    id: str
    site_id: str
    visitor_id: str
    agent_id: str | None
    status: str
    last_seq: int
    last_public_seq: int
    no_first_response: bool
    no_first_visitor_message: bool
    changed: bool = False
    last_visitor_message_at: datetime | None = None
    last_agent_message_at: datetime | None = None
    first_visitor_message_at: datetime | None = None
    first_response_at: datetime | None = None


@dataclass(slots=True)
class StoredMessage:
    """A message row written by the batch, with the attribute names of ``Message``."""

    id: str
    chat_id: str
    seq: int
    public_seq: int | None
    kind: str
    author_type: str
    author_id: str | None
    author_name: str | None
    author_avatar_url: str | None
    body: str
    client_msg_id: str | None
    created_at: datetime
    attachments: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Stored:
    """A committed batch: one outcome per send, in order, and the events to publish."""

    outcomes: list[Outcome]
    events: list[Event]


@dataclass(slots=True)
class _Plan:
    outcomes: list[Outcome]
    written: list[StoredMessage]
    chats: dict[str, _Chat]


@dataclass(frozen=True, slots=True)
class _Binds:
    """The bind processors of the columns written, taken from the models for this dialect."""

    time: Callable[[Any], Any]
    json: Callable[[Any], Any]


_BINDS: dict[str, _Binds] = {}


def _binds(dialect: Dialect) -> _Binds:
    known = _BINDS.get(dialect.name)
    if known is None:
        columns = Message.__table__.c
        time = columns.created_at.type.bind_processor(dialect) or (lambda v: v)
        json = columns.attachments.type.bind_processor(dialect) or (lambda v: v)
        known = _BINDS[dialect.name] = _Binds(time, json)
    return known


async def store_sends(engine: AsyncEngine, sends: list[Send]) -> Stored | None:
    """``app.chat.batch.store_sends`` for SQLite, committed before it returns, with the events
    to publish now that it is. None: nothing was written, the batch is one for the ORM path
    (an offline chat). No search for resends: the unique index refuses one, and the caller
    then writes one by one on the ORM path.

    One hand-off to the database's thread for the whole transaction (app/db.py).
    """
    binds = _binds(engine.dialect)

    def write(db: sqlite3.Connection) -> _Plan | None:
        plan = _write(db, sends, binds)
        if plan is not None:
            _webhooks(db, plan, binds)
        return plan

    plan = await in_sqlite_transaction(engine, write)
    if plan is None:
        return None
    return Stored(plan.outcomes, _events(plan))


def _write(db: sqlite3.Connection, sends: list[Send], binds: _Binds) -> _Plan | None:
    """On the database's thread: read, check and number every send, then write them all."""
    chat_ids = sorted({s.chat_id for s in sends})
    chats: dict[str, _Chat] = {}
    authors: dict[tuple[str, str], Author] = {}
    for row in db.execute(_CHATS.format(marks=_marks(chat_ids)), chat_ids):
        (chat_id, site_id, visitor_id, agent_id, status, last_seq, last_public_seq,
         no_response, no_visitor_message, visitor_name, agent_name, avatar) = row  # fmt: skip
        chats[chat_id] = _Chat(
            chat_id, site_id, visitor_id, agent_id, status, last_seq, last_public_seq,
            bool(no_response), bool(no_visitor_message),
        )  # fmt: skip
        authors[("visitor", visitor_id)] = Author("visitor", visitor_id, visitor_name or "Visitor")
        if agent_id is not None:
            authors[("agent", agent_id)] = Author("agent", agent_id, agent_name, avatar)
    if any(c.status == ChatStatus.OFFLINE for c in chats.values()):
        return None  # its messages set mail timers (app/chat/offline.py): the ORM path's work
    staff = sorted({s.actor.id for s in sends if s.actor.side == "agent"} - {
        i for side, i in authors if side == "agent"
    })  # fmt: skip
    if staff:  # staff writing in a chat not assigned to them (a supervisor's whisper)
        for agent_id, name, avatar in db.execute(_AGENTS.format(marks=_marks(staff)), staff):
            authors[("agent", agent_id)] = Author("agent", agent_id, name, avatar)
    plan = _Plan([], [], chats)
    stored: dict[tuple[str, str, str | None, str], StoredMessage] = {}
    for send in sends:
        try:
            chat = authorize(send.actor, ChatAction.WRITE, chats.get(send.chat_id))
            check_kind(send.actor, send.kind)
            author = authors[(send.actor.side, send.actor.id)]
            key = (chat.id, author.type, author.id, send.client_msg_id)
            message = stored.get(key)
            if message is None:  # the same send twice in one batch is stored once
                check_open(chat)
                message = stored[key] = _append(chat, author, send)
                plan.written.append(message)
            seq = message.public_seq if send.actor.side == "visitor" else message.seq
            assert seq is not None
            plan.outcomes.append(Ack(chat.id, send.client_msg_id, message.id, seq))
        except DomainError as exc:
            plan.outcomes.append(exc)
    changed = [c for c in chats.values() if c.changed]
    if changed:
        t = binds.time
        db.executemany(
            _UPDATE,
            [
                (c.last_seq, c.last_public_seq, t(c.last_visitor_message_at),
                 t(c.last_agent_message_at), t(c.first_visitor_message_at),
                 t(c.first_response_at), c.id)
                for c in changed
            ],
        )  # fmt: skip
    if plan.written:
        db.executemany(_INSERT, [_values(m, binds) for m in plan.written])
    return plan


def _append(chat: _Chat, author: Author, send: Send) -> StoredMessage:
    """Number a message from the chat's locked counters: ``append_locked``'s rules."""
    public = send.kind == "public"
    now = utcnow()
    chat.changed = True
    chat.last_seq += 1
    if public:
        chat.last_public_seq += 1
        if author.type == "visitor":
            chat.last_visitor_message_at = now
            if chat.no_first_visitor_message and chat.first_visitor_message_at is None:
                chat.first_visitor_message_at = now
        elif author.type == "agent":
            chat.last_agent_message_at = now
            if chat.no_first_response and chat.first_response_at is None:
                chat.first_response_at = now  # note_first_response: an agent's public message
    return StoredMessage(
        id=new_id(),
        chat_id=chat.id,
        seq=chat.last_seq,
        public_seq=chat.last_public_seq if public else None,
        kind=send.kind,
        author_type=author.type,
        author_id=author.id,
        author_name=author.name,
        author_avatar_url=author.avatar_url,
        body=send.body,
        client_msg_id=send.client_msg_id,
        created_at=now,
    )


def _values(m: StoredMessage, binds: _Binds) -> tuple[Any, ...]:
    return (
        m.id, m.chat_id, m.seq, m.public_seq, m.kind, m.author_type, m.author_id,
        m.author_name, m.author_avatar_url, m.body, m.client_msg_id, binds.json(m.attachments),
        binds.time(m.created_at),
    )  # fmt: skip


def _marks(values: list[str]) -> str:
    return ", ".join("?" * len(values))


def _webhooks(db: sqlite3.Connection, plan: _Plan, binds: _Binds) -> None:
    """``message.created`` deliveries for the sites' subscribed endpoints, as
    app/webhooks/outbox.py writes them (one query, and nothing more for a site without)."""
    public = [m for m in plan.written if m.kind == "public"]
    sites = sorted({plan.chats[m.chat_id].site_id for m in public})
    if not sites:
        return
    endpoints: dict[str, list[str]] = {}
    for endpoint_id, site_id, events in db.execute(_ENDPOINTS.format(marks=_marks(sites)), sites):
        if "message.created" in json.loads(events or "[]"):
            endpoints.setdefault(site_id, []).append(endpoint_id)
    rows = []
    for position, m in enumerate(public):
        site_id = plan.chats[m.chat_id].site_id
        for endpoint_id in endpoints.get(site_id, ()):
            data = {"message": webhooks.message_data(m)}
            row = webhooks.delivery_row(
                endpoint_id, site_id, "message.created", data, m.created_at, position
            )
            rows.append(tuple(row[c] for c in _DELIVERY_COLUMNS))
    if rows:
        t = binds.time
        db.executemany(
            _DELIVERY.format(
                columns=", ".join(_DELIVERY_COLUMNS), marks=_marks(list(_DELIVERY_COLUMNS))
            ),
            [(*r[:5], t(r[5]), r[6], r[7], r[8], t(r[9])) for r in rows],
        )


def _events(plan: _Plan) -> list[Event]:
    """What ``append_locked`` notes per message: the events to publish after the commit."""
    events: list[Event] = []
    for m in plan.written:
        chat = plan.chats[m.chat_id]
        public = m.kind == "public"
        events.append(
            Event(
                chat_topic(m.chat_id),
                {"type": "message.new", "chat_id": m.chat_id, "message": message_out(m)},
                "everyone" if public else "staff",
            )
        )
        if not public:
            continue
        if m.author_type in ("visitor", "agent"):
            events.append(
                Event(
                    supervisors_topic(chat.site_id),
                    {
                        "type": "supervisor.activity",
                        "chat_id": m.chat_id,
                        "author_type": m.author_type,
                        "at": iso(m.created_at) or "",
                    },
                    "staff",
                )
            )
    return events


def message_out(m: StoredMessage) -> dict[str, Any]:
    """``MessageOut.of(m).dump()`` without a model per message (tests/unit compare the two);
    only an attachment, rare, is validated as the model does."""
    out: dict[str, Any] = {"id": m.id, "chat_id": m.chat_id, "seq": m.seq}
    if m.public_seq is not None:
        out["public_seq"] = m.public_seq
    out.update(
        kind=m.kind,
        author={
            "type": m.author_type,
            "id": m.author_id,
            "name": m.author_name,
            "avatar_url": m.author_avatar_url,
        },
        body=m.body,
        created_at=iso(m.created_at) or "",
        client_msg_id=m.client_msg_id,
        attachments=[AttachmentOut.model_validate(a).dump() for a in m.attachments],
    )
    return out
