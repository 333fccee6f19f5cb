"""The chat archive: past chats of one site found by words, dates, people, rating and status.

``GET /chats`` (the list and the console's archive page) and the export share ``chats_query``,
so what a person sees listed is what they download.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.agents.models import Agent
from app.archive.schemas import CSV_COLUMNS, ArchivedChat, ExportedMessage
from app.archive.search import chats_matching
from app.chat.access import readable
from app.chat.models import Chat, Message
from app.common.actor import Actor
from app.common.types import iso
from app.surveys.models import Survey
from app.visitors.models import Visitor

# Searched by words: what the visitor and agents said, and the agents' notes; never whispers
# (a supervisor's coaching is not part of the chat's record).
SEARCHED_KINDS = ("public", "note")


@dataclass(frozen=True, slots=True)
class ArchiveFilter:
    status: str | None = None
    agent_id: str | None = None
    visitor_id: str | None = None
    skill: str | None = None
    rating: int | None = None
    q: str | None = None
    start: datetime | None = None  # chats started at or after
    end: datetime | None = None  # chats started before


def _utc(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def chats_query(actor: Actor, dialect: str, f: ArchiveFilter) -> Select[Chat, Visitor]:
    """Chats of the caller's site (never another's), newest first, narrowed by ``f``."""
    query = (
        select(Chat, Visitor)
        .join(Visitor, Visitor.id == Chat.visitor_id)
        .where(Chat.site_id == actor.site_id)
        .order_by(Chat.created_at.desc(), Chat.id.desc())
    )
    if f.status:
        query = query.where(Chat.status == f.status)
    if f.agent_id:
        query = query.where(Chat.agent_id == f.agent_id)
    if f.visitor_id:
        query = query.where(Chat.visitor_id == f.visitor_id)
    if f.skill:
        query = query.where(Chat.skill == f.skill)
    if f.start:
        query = query.where(Chat.created_at >= _utc(f.start))
    if f.end:
        query = query.where(Chat.created_at < _utc(f.end))
    if f.rating is not None:
        query = query.where(Chat.id.in_(select(Survey.chat_id).where(Survey.rating == f.rating)))
    if f.q:
        matching = chats_matching(dialect, f.q, SEARCHED_KINDS)
        if matching is not None:
            query = query.where(Chat.id.in_(matching))
            # Only chats the caller may read (app/chat/access.py): searching must not reveal
            # a colleague's live chat by its words.
            query = query.where(readable(actor))
    return query


def after(query: Select[Chat, Visitor], anchor: Chat) -> Select[Chat, Visitor]:
    """The page after ``anchor`` (cursor pagination on ``created_at``, then ``id``)."""
    return query.where(
        (Chat.created_at < anchor.created_at)
        | ((Chat.created_at == anchor.created_at) & (Chat.id < anchor.id))
    )


# One export answers at once; a bigger archive is exported in date ranges.
EXPORT_MAX = 2000


async def export(
    session: AsyncSession, actor: Actor, f: ArchiveFilter
) -> tuple[list[ArchivedChat], bool]:
    """The chats ``f`` finds (newest first, at most EXPORT_MAX) with rating and public messages."""
    query = chats_query(actor, session.get_bind().dialect.name, f)
    rows = (await session.execute(query.limit(EXPORT_MAX + 1))).all()
    truncated = len(rows) > EXPORT_MAX
    rows = rows[:EXPORT_MAX]
    ids = [chat.id for chat, _ in rows]
    agent_ids = {chat.agent_id for chat, _ in rows if chat.agent_id}
    named = select(Agent.id, Agent.name).where(Agent.id.in_(agent_ids))
    names = dict((await session.execute(named)).tuples().all()) if agent_ids else {}
    surveys = {
        s.chat_id: s
        for s in (await session.execute(select(Survey).where(Survey.chat_id.in_(ids)))).scalars()
    }
    messages: dict[str, list[ExportedMessage]] = {i: [] for i in ids}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        result = await session.execute(
            select(Message)
            .where(Message.chat_id.in_(chunk), Message.kind == "public")
            .order_by(Message.chat_id, Message.seq)
        )
        for m in result.scalars():
            messages[m.chat_id].append(
                ExportedMessage(
                    at=iso(m.created_at),
                    author_type=m.author_type,
                    author_name=m.author_name,
                    body=m.body,
                )
            )
    out = []
    for chat, visitor in rows:
        survey = surveys.get(chat.id)
        out.append(
            ArchivedChat(
                id=chat.id,
                status=chat.status,
                created_at=iso(chat.created_at),
                closed_at=iso(chat.closed_at),
                skill=chat.skill,
                visitor_id=visitor.id,
                visitor_name=visitor.name,
                visitor_email=visitor.email,
                agent_id=chat.agent_id,
                agent_name=names.get(chat.agent_id) if chat.agent_id else None,
                rating=survey.rating if survey else None,
                comment=survey.comment if survey else None,
                messages=messages[chat.id],
            )
        )
    return out, truncated


def csv_text(chats: list[ArchivedChat]) -> str:
    """One line per chat; ``messages`` is how many public messages it holds. Cells a
    spreadsheet would run as a formula are prefixed with a quote."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for chat in chats:
        row = chat.model_dump(exclude={"messages"})
        row["messages"] = len(chat.messages)
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value
