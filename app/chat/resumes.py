"""What a ``resume`` reads on SQLite: the chat (to authorise) and its history after a seq, for all
the resumes that arrive together in one hand-off to the database's thread, in plain ``sqlite3``.

After a reconnect storm a thousand clients resume at once; each resume was a unit of work of
four round trips to aiosqlite's thread, each waiting for a busy event loop while it held the
pool's only connection, so resumes queued behind each other's waiting (docs/performance.md,
issue 17's seventh step). The same rows and the same visibility rule as ``service.history``:
tests/unit/test_resumes.py holds the two to the same answers for a visitor and for staff.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from app.chat.models import Message
from app.chat.sqlite_batch import StoredMessage, message_out
from app.common.batches import Batches
from app.common.events import Side
from app.db import in_sqlite_transaction
from app.realtime.visibility import message_for

# Enough to amortise a hand-off; every one of them may read a page of messages.
MAX_BATCH = 100


@dataclass(frozen=True, slots=True)
class ChatRow:
    """The columns of a chat the access policy reads (``access.ChatFacts``), and its id."""

    id: str
    site_id: str
    visitor_id: str
    agent_id: str | None
    status: str


@dataclass(frozen=True, slots=True)
class HistoryRequest:
    side: Side
    chat_id: str
    after_seq: int
    limit: int


History = tuple[ChatRow | None, list[dict[str, Any]]]
A = TypeVar("A")


class HistoryReader:
    """Chats and their histories for resumes, read in batches on SQLite's thread."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._columns = _columns(engine.dialect)
        self._chats: Batches[str, ChatRow | None] = Batches(self._read_chats, MAX_BATCH)
        self._histories: Batches[HistoryRequest, History] = Batches(self._read_histories, MAX_BATCH)

    async def chat(self, chat_id: str) -> ChatRow | None:
        return await self._chats.submit(chat_id)

    async def history(self, request: HistoryRequest) -> History:
        """The chat as it is now, and its messages after ``after_seq`` as ``side`` sees them."""
        return await self._histories.submit(request)

    async def _read_chats(self, batch: list[tuple[str, asyncio.Future[ChatRow | None]]]) -> None:
        def read(db: sqlite3.Connection) -> list[ChatRow | None]:
            return [_chat(db, chat_id) for chat_id, _ in batch]

        await _answer(self._engine, read, batch)

    async def _read_histories(
        self, batch: list[tuple[HistoryRequest, asyncio.Future[History]]]
    ) -> None:
        columns = self._columns

        def read(db: sqlite3.Connection) -> list[History]:
            return [_history(db, request, columns) for request, _ in batch]

        await _answer(self._engine, read, batch)


async def _answer(
    engine: AsyncEngine,
    read: Callable[[sqlite3.Connection], list[A]],
    batch: list[tuple[Any, asyncio.Future[A]]],
) -> None:
    try:
        answers = await in_sqlite_transaction(engine, read)
        assert answers is not None
    except Exception as exc:  # the database is away: every resume of the batch hears it
        for _, future in batch:
            if not future.done():
                future.set_exception(exc)
        return
    for (_, future), answer in zip(batch, answers, strict=True):
        if not future.done():
            future.set_result(answer)


# ---------------------------------------------------------------- on the database's thread

_CHAT = "SELECT id, site_id, visitor_id, agent_id, status FROM chats WHERE id = ?"
_MESSAGE_COLUMNS = (
    "id, chat_id, seq, public_seq, kind, author_type, author_id, author_name,"
    " author_avatar_url, body, client_msg_id, created_at, attachments"
)
_VISITOR_HISTORY = (
    f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE chat_id = ? AND kind = 'public'"
    " AND public_seq > ? ORDER BY public_seq LIMIT ?"
)
_STAFF_HISTORY = (
    f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE chat_id = ? AND seq > ? ORDER BY seq LIMIT ?"
)


@dataclass(frozen=True, slots=True)
class _Columns:
    """The message columns' own SQLAlchemy result processors: the values the ORM would read."""

    time: Callable[[Any], Any]
    json: Callable[[Any], Any]


def _columns(dialect: Dialect) -> _Columns:
    columns = Message.__table__.c
    time = columns.created_at.type.dialect_impl(dialect)
    json = columns.attachments.type.dialect_impl(dialect)
    return _Columns(
        time.result_processor(dialect, None) or (lambda v: v),
        json.result_processor(dialect, None) or (lambda v: v),
    )


def _chat(db: sqlite3.Connection, chat_id: str) -> ChatRow | None:
    row = db.execute(_CHAT, (chat_id,)).fetchone()
    return ChatRow(*row) if row is not None else None


def _history(db: sqlite3.Connection, request: HistoryRequest, columns: _Columns) -> History:
    chat = _chat(db, request.chat_id)
    if chat is None:
        return None, []
    query = _VISITOR_HISTORY if request.side == "visitor" else _STAFF_HISTORY
    shown = []
    for row in db.execute(query, (request.chat_id, request.after_seq, request.limit)):
        (id_, chat_id, seq, public_seq, kind, author_type, author_id, author_name,
         avatar_url, body, client_msg_id, created_at, attachments) = row  # fmt: skip
        stored = StoredMessage(
            id_, chat_id, seq, public_seq, kind, author_type, author_id, author_name,
            avatar_url, body, client_msg_id, columns.time(created_at),
            columns.json(attachments) or [],
        )  # fmt: skip
        message = message_for(request.side, message_out(stored))
        if message is not None:
            shown.append(message)
    return chat, shown
