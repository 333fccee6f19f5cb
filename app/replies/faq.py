"""FAQ suggestions: the shared saved replies marked ``faq`` that best match what a visitor
typed, ranked by full-text search behind one interface (SQLite FTS5 ``bm25``, PostgreSQL
``ts_rank``).

Any word may match (OR), so a question phrased differently from the reply still finds it; the
ranking puts replies sharing more and rarer words first, a match in the title above one in the
body. A word also matches as the start of a longer one ("deliver" finds "delivery"). Only the
site's own shared FAQ replies are ever searched.
"""

from __future__ import annotations

import re

from sqlalchemy import Float, column, func, literal_column, select, table, text
from sqlalchemy.sql.elements import ColumnElement

from app.common.uow import UnitOfWork
from app.replies.models import SavedReply

# What the widget shows before the offline form.
LIMIT = 3
MAX_WORDS = 12
# Shorter words ("a", "is", "my") match nearly everything and only blur the ranking.
MIN_WORD = 3
_WORD = re.compile(r"\w+")


def words(q: str) -> list[str]:
    """The words of a question, lower-cased and de-duplicated; punctuation and search syntax
    are dropped, so what a visitor types is never read as FTS5 or tsquery syntax."""
    seen: dict[str, None] = {}
    for w in _WORD.findall(q.lower()):
        if len(w) >= MIN_WORD and w.strip("_"):
            seen.setdefault(w, None)
    return list(seen)[:MAX_WORDS]


def _faq_of(site_id: str) -> list[ColumnElement[bool]]:
    return [SavedReply.site_id == site_id, SavedReply.owner_id.is_(None), SavedReply.faq.is_(True)]


async def suggest(uow: UnitOfWork, site_id: str, q: str, limit: int = LIMIT) -> list[SavedReply]:
    """Up to ``limit`` of the site's shared FAQ replies matching ``q``, best first."""
    found = words(q)
    if not found:
        return []
    dialect = uow.session.get_bind().dialect.name
    if dialect == "sqlite":
        match = " OR ".join(f'"{w}"*' for w in found)
        # bm25 is lower for a better match; the title weighs more than the body.
        fts = table("saved_replies_fts", column("reply_id"))
        rank = literal_column("bm25(saved_replies_fts, 4.0, 1.0)", Float)
        query = (
            select(SavedReply)
            .join(fts, fts.c.reply_id == SavedReply.id)
            .where(text("saved_replies_fts MATCH :faq_match").bindparams(faq_match=match))
            .where(*_faq_of(site_id))
            .order_by(rank, SavedReply.usage_count.desc(), SavedReply.id)
        )
    elif dialect == "postgresql":
        simple: ColumnElement[str] = literal_column("'simple'")
        document = func.setweight(
            func.to_tsvector(simple, SavedReply.title), literal_column("'A'")
        ).op("||")(func.setweight(func.to_tsvector(simple, SavedReply.body), literal_column("'B'")))
        tsquery = func.to_tsquery(simple, " | ".join(f"{w}:*" for w in found))
        query = (
            select(SavedReply)
            .where(document.op("@@")(tsquery), *_faq_of(site_id))
            .order_by(
                func.ts_rank(document, tsquery).desc(), SavedReply.usage_count.desc(), SavedReply.id
            )
        )
    else:
        raise NotImplementedError(f"no full-text search on {dialect}")
    rows = await uow.session.execute(query.limit(limit))
    return list(rows.scalars())
