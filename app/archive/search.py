"""Full-text search over message bodies: one interface, SQLite FTS5 or PostgreSQL full text.

The search structures are made by migration 0013 (the FTS5 table kept in step by triggers on
SQLite; a GIN index on ``to_tsvector('simple', body)`` on PostgreSQL). ``chats_matching`` is
the only thing callers use: the ids of chats with a message holding every word, as a subquery
the caller narrows to its own site. The 'simple' configuration does no stemming (shops write in
many languages); a word also matches as the start of a longer one ("refund" finds "refunds").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, column, func, literal_column, select, table, text

from app.chat.models import Message

# More words than this add nothing to a search box but cost the index work.
MAX_WORDS = 8
_WORD = re.compile(r"\w+")


def words(q: str) -> list[str]:
    """The words of a query, lower-cased; punctuation and search syntax are dropped, so what a
    person types is never read as FTS5 or tsquery syntax."""
    return [w for w in _WORD.findall(q.lower()) if w.strip("_")][:MAX_WORDS]


def chats_matching(dialect: str, q: str, kinds: Sequence[str]) -> Select[str] | None:
    """``SELECT chat_id`` of the messages of ``kinds`` that hold every word of ``q``; None when
    ``q`` has no words (no condition)."""
    found = words(q)
    if not found:
        return None
    if dialect == "sqlite":
        fts = table("messages_fts", column("chat_id"), column("kind"))
        match = " ".join(f'"{w}"*' for w in found)  # each word a quoted prefix: implicit AND
        return (
            select(fts.c.chat_id)
            .where(text("messages_fts MATCH :fts_match").bindparams(fts_match=match))
            .where(fts.c.kind.in_(list(kinds)))
        )
    if dialect == "postgresql":
        # The same expression as the index (ix_messages_body_fts), so the planner can use it.
        simple: ColumnElement[str] = literal_column("'simple'")
        query = " & ".join(f"{w}:*" for w in found)
        return select(Message.chat_id).where(
            func.to_tsvector(simple, Message.body).op("@@")(func.to_tsquery(simple, query)),
            Message.kind.in_(list(kinds)),
        )
    raise NotImplementedError(f"no full-text search on {dialect}")
