"""Erasing a visitor: every row keyed to them, in one transaction, and their files after it.

What goes (docs/privacy.md): the visitor, their chats with every message (whispers and notes
too), surveys, attachments (rows here; bytes after commit), page views, tracked events,
invitations, trigger visit state, open-socket rows, mail outbox rows about their chats or
addressed to their e-mail, webhook deliveries whose payload names them or their chats (any
status: a delivery log keeps the payload it sent), and durable timers about them. Open chats
free their agent's slot and are announced closed; the visitor's widget sockets end.

Files are deleted after commit, never inside the transaction (a rollback would leave rows
without bytes). Their storage keys go to a durable job committed with the erasure, so a crash
between commit and deletion still deletes them; the caller also deletes them at once.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, delete, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.dml import Delete

from app.agents.schemas import SessionClosed
from app.chat.models import OPEN_STATUSES, Chat, Message
from app.chat.schemas import ChatClosed
from app.common.events import chat_topic, site_topic, visitor_topic
from app.common.types import new_id, utcnow
from app.common.uow import UnitOfWork
from app.files.models import Attachment
from app.files.storage import Storage
from app.jobs import service as jobs
from app.jobs.models import Job
from app.jobs.service import JobHandler
from app.mail.models import Mail
from app.privacy.models import AuditEntry
from app.privacy.schemas import VisitorErased
from app.routing import assignment, claim
from app.routing.policy import RoutingPolicy
from app.surveys.models import Survey
from app.triggers.models import Invitation, TriggerVisit
from app.visitors.models import PageView, Visitor, VisitorEvent, VisitorSocket
from app.webhooks.models import WebhookDelivery

log = logging.getLogger(__name__)

FILES_JOB = "privacy_files"
# The durable deletion of erased files runs this long after the erasure: the erasing request
# deletes them itself at once, the job is the net for a crash in between.
FILES_JOB_DELAY = timedelta(seconds=30)
# Ids matched per LIKE statement over payloads (webhook bodies, job payloads).
_LIKE_CHUNK = 50


@dataclass(frozen=True, slots=True)
class Who:
    """Who did it, as the audit log keeps it."""

    type: str  # "agent", "api_token" or "system"
    id: str | None
    name: str | None


@dataclass(slots=True)
class Purged:
    """What a purge deleted: rows per kind, and the storage keys of the files to delete."""

    counts: Counter[str]
    storage_keys: list[str]


def _chunks(ids: Sequence[str], size: int = _LIKE_CHUNK) -> list[Sequence[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _mentions(
    column: ColumnElement[str] | InstrumentedAttribute[str], needles: Sequence[str]
) -> ColumnElement[bool]:
    """The column's text holds one of ``needles`` (ids are 32 random characters: no false hit
    worth the name; ``%`` and ``_`` in an e-mail are escaped)."""
    return or_(*(column.contains(n, autoescape=True) for n in needles))


async def _count_delete(uow: UnitOfWork, statement: Delete) -> int:
    result = await uow.session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


async def _delete_mentioning(uow: UnitOfWork, site_id: str, needles: Sequence[str]) -> Counter[str]:
    """Webhook deliveries and durable timers whose payload names one of ``needles``."""
    counts: Counter[str] = Counter()
    for chunk in _chunks(needles):
        counts["webhook_deliveries"] += await _count_delete(
            uow,
            delete(WebhookDelivery).where(
                WebhookDelivery.site_id == site_id, _mentions(WebhookDelivery.body, chunk)
            ),
        )
        counts["jobs"] += await _count_delete(
            uow,
            delete(Job).where(
                or_(_mentions(Job.key, chunk), _mentions(cast(Job.payload, Text), chunk))
            ),
        )
    return counts


async def purge_chats(uow: UnitOfWork, site_id: str, chat_ids: Sequence[str]) -> Purged:
    """Delete these chats of the site with everything hanging off them (not the visitor).

    Each kind is deleted explicitly rather than left to foreign-key cascades, so the counts are
    right and SQLite's FTS5 triggers see every message go (their words leave the search index).
    """
    counts: Counter[str] = Counter()
    keys: list[str] = []
    for chunk in _chunks(list(chat_ids), 500):
        keys += (
            await uow.session.scalars(
                select(Attachment.storage_key).where(Attachment.chat_id.in_(chunk))
            )
        ).all()
        counts["messages"] += await _count_delete(
            uow, delete(Message).where(Message.chat_id.in_(chunk))
        )
        counts["attachments"] += await _count_delete(
            uow, delete(Attachment).where(Attachment.chat_id.in_(chunk))
        )
        counts["surveys"] += await _count_delete(
            uow, delete(Survey).where(Survey.chat_id.in_(chunk))
        )
        counts["mails"] += await _count_delete(uow, delete(Mail).where(Mail.chat_id.in_(chunk)))
        # Rows of the visitor that only point at the chat keep their own meaning without it.
        for table in (PageView, VisitorEvent, Invitation):
            await uow.session.execute(
                update(table)
                .where(table.chat_id.in_(chunk))
                .values(chat_id=None)
                .execution_options(synchronize_session=False)
            )
    counts += await _delete_mentioning(uow, site_id, list(chat_ids))
    for chunk in _chunks(list(chat_ids), 500):
        counts["chats"] += await _count_delete(uow, delete(Chat).where(Chat.id.in_(chunk)))
    return Purged(counts, keys)


async def _close_open_chats(uow: UnitOfWork, chats: Sequence[Chat]) -> bool:
    """Free the slots of the open chats about to go and tell their agents; whether any was
    open (the queue may then move)."""
    was_open = False
    for chat in chats:
        if chat.status not in OPEN_STATUSES:
            continue
        was_open = True
        if chat.agent_id is not None:
            await claim.release_slot(uow, chat.agent_id)
        uow.emit(chat_topic(chat.id), ChatClosed(chat_id=chat.id, closed_by="system"))
    return was_open


async def erase_visitor(
    uow: UnitOfWork, who: Who, site_id: str, visitor: Visitor, policy: RoutingPolicy
) -> tuple[AuditEntry, list[str]]:
    """Erase the visitor and everything of theirs; returns the audit entry and the storage
    keys of their files (to delete after commit: see ``delete_files``)."""
    await claim.lock_site(uow, site_id)
    # Locked first: a page view, upload or chat being written for them now waits, then fails
    # on the foreign key, instead of slipping in beside the erasure.
    await uow.session.execute(select(Visitor.id).where(Visitor.id == visitor.id).with_for_update())
    chats = list(
        (await uow.session.scalars(select(Chat).where(Chat.visitor_id == visitor.id))).all()
    )
    reopened_queue = await _close_open_chats(uow, chats)
    purged = await purge_chats(uow, site_id, [c.id for c in chats])
    counts = purged.counts
    keys = purged.storage_keys
    # Uploads never sent in a chat.
    own_uploads = (Attachment.uploader_type == "visitor") & (Attachment.uploader_id == visitor.id)
    keys += (await uow.session.scalars(select(Attachment.storage_key).where(own_uploads))).all()
    counts["attachments"] += await _count_delete(uow, delete(Attachment).where(own_uploads))
    for name, table in (
        ("page_views", PageView),
        ("visitor_events", VisitorEvent),
        ("invitations", Invitation),
        ("trigger_visits", TriggerVisit),
        ("visitor_sockets", VisitorSocket),
    ):
        counts[name] += await _count_delete(
            uow,
            delete(table).where(table.visitor_id == visitor.id),
        )
    if visitor.email:
        counts["mails"] += await _count_delete(
            uow,
            delete(Mail).where(
                Mail.site_id == site_id, func.lower(Mail.to_addr) == visitor.email.lower()
            ),
        )
    counts += await _delete_mentioning(
        uow, site_id, [visitor.id, *([visitor.email] if visitor.email else [])]
    )
    await uow.session.delete(visitor)
    counts["visitors"] += 1
    await uow.session.flush()
    if reopened_queue:
        await assignment.drain_queue(uow, site_id, policy)
    await schedule_file_deletion(uow, keys)
    entry = record(uow, who, site_id, "visitor.erased", visitor.id, _nonzero(counts))
    # The visitor's widget sockets end; a reconnect with their token is refused (no visitor).
    uow.emit(visitor_topic(visitor.id), SessionClosed(reason="erased"))
    uow.emit(
        site_topic(site_id),
        VisitorErased(visitor_id=visitor.id, chat_ids=[c.id for c in chats]),
        audience="staff",
    )
    await uow.session.flush()
    return entry, keys


def _nonzero(counts: Counter[str]) -> dict[str, int]:
    return {k: v for k, v in sorted(counts.items()) if v}


def record(
    uow: UnitOfWork,
    who: Who,
    site_id: str,
    action: str,
    visitor_id: str | None,
    counts: dict[str, Any],
) -> AuditEntry:
    """Add an audit entry in the work's own transaction: it exists exactly when the work does."""
    entry = AuditEntry(
        id=new_id(),
        site_id=site_id,
        at=utcnow(),
        actor_type=who.type,
        actor_id=who.id,
        actor_name=who.name,
        action=action,
        visitor_id=visitor_id,
        counts=counts,
    )
    uow.session.add(entry)
    return entry


async def entries(
    uow: UnitOfWork, site_id: str, cursor: str | None, limit: int
) -> tuple[list[AuditEntry], str | None]:
    """A page of the site's audit log, newest first."""
    query = select(AuditEntry).where(AuditEntry.site_id == site_id)
    if cursor:
        anchor = await uow.session.get(AuditEntry, cursor)
        if anchor is not None and anchor.site_id == site_id:
            query = query.where(
                (AuditEntry.at < anchor.at)
                | ((AuditEntry.at == anchor.at) & (AuditEntry.id < anchor.id))
            )
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit + 1)
    rows = list((await uow.session.scalars(query)).all())
    return rows[:limit], rows[limit - 1].id if len(rows) > limit else None


# ---------------------------------------------------------------------------- files


async def schedule_file_deletion(
    uow: UnitOfWork, keys: Sequence[str], delay: timedelta = FILES_JOB_DELAY
) -> None:
    """A durable job, committed with the rows' deletion, that deletes their bytes."""
    if keys:
        await jobs.schedule(
            uow, f"privacy:files:{new_id()}", FILES_JOB, utcnow() + delay, {"keys": list(keys)}
        )


async def delete_files(storage: Storage, keys: Sequence[str]) -> None:
    """Delete stored files; a file already gone is fine (the job and the request both try)."""
    for key in keys:
        await storage.delete(key)


def handlers(storage: Storage) -> dict[str, JobHandler]:
    async def privacy_files(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        keys = [k for k in payload.get("keys", []) if isinstance(k, str)]
        # Only bytes no row points at any more (a key is unique, but be sure).
        still = set(
            (
                await uow.session.scalars(
                    select(Attachment.storage_key).where(Attachment.storage_key.in_(keys))
                )
            ).all()
        )
        await delete_files(storage, [k for k in keys if k not in still])

    return {FILES_JOB: privacy_files}
