"""The durable outbox: mails are rows; any process claims a due one, sends it, marks it sent.

A claim is one conditional UPDATE (atomic on SQLite and PostgreSQL), so two processes never send
the same row side by side. A send that fails is tried again later with exponential back-off;
after the last attempt the row is ``failed`` and admins see it. A process that dies while
sending leaves a claim that runs out (``Retry.lease_s``), and the mail is tried again then.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid

from sqlalchemy import ColumnElement, and_, or_, select, update

from app.common.types import new_id, utcnow
from app.common.uow import UnitOfWork, UowFactory
from app.mail.models import Mail, OutboxStatus

log = logging.getLogger(__name__)

# Mails claimed per round; the rest wait for the next one (a second later at most).
BATCH = 20


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Retry:
    """How often and how soon failed sends are tried again."""

    base_s: float
    max_s: float
    max_attempts: int
    # How long a claim holds: longer than one whole SMTP conversation may take, so a claim
    # older than this belongs to a process that died mid-send.
    lease_s: float

    def delay_s(self, attempts: int) -> float:
        return float(min(self.base_s * 2 ** max(0, attempts - 1), self.max_s))


async def enqueue(
    uow: UnitOfWork,
    site_id: str,
    kind: str,
    to_addr: str,
    rendered: Rendered,
    chat_id: str | None = None,
) -> Mail:
    """Store a mail to send; it goes out after the surrounding transaction commits."""
    mail = Mail(
        id=new_id(),
        site_id=site_id,
        chat_id=chat_id,
        kind=kind,
        to_addr=to_addr,
        subject=_one_line(rendered.subject)[:300],
        text_body=rendered.text,
        html_body=rendered.html,
        message_id=make_msgid(domain="parley.invalid"),
        status=OutboxStatus.PENDING,
        next_attempt_at=utcnow(),
    )
    uow.session.add(mail)
    await uow.session.flush()
    return mail


def _one_line(text: str) -> str:
    """Header text: a line break in a site's name must not end the header."""
    return " ".join(text.split())


def _due() -> ColumnElement[bool]:
    now = utcnow()
    return or_(
        and_(Mail.status == OutboxStatus.PENDING, Mail.next_attempt_at <= now),
        and_(Mail.status == OutboxStatus.SENDING, Mail.claimed_until < now),
    )


async def claim_due(uow_factory: UowFactory, lease_s: float, limit: int = BATCH) -> list[str]:
    """Claim up to ``limit`` due mails for this process; each claim is its own commit."""
    async with uow_factory() as uow:
        ids = list(
            (
                await uow.session.execute(
                    select(Mail.id).where(_due()).order_by(Mail.next_attempt_at).limit(limit)
                )
            ).scalars()
        )
    claimed = []
    for mail_id in ids:
        async with uow_factory() as uow:
            result = await uow.session.execute(
                update(Mail)
                .where(Mail.id == mail_id, _due())
                .values(
                    status=OutboxStatus.SENDING,
                    claimed_until=utcnow() + timedelta(seconds=lease_s),
                    attempts=Mail.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
        if getattr(result, "rowcount", 0) == 1:
            claimed.append(mail_id)
    return claimed


Deliver = Callable[[Mail], Awaitable[None]]


async def send_claimed(
    uow_factory: UowFactory, mail_id: str, deliver: Deliver, retry: Retry
) -> bool:
    """Send one claimed mail and record the outcome; True when it went out."""
    async with uow_factory() as uow:
        mail = await uow.session.get_one(Mail, mail_id)
        uow.session.expunge(mail)
    error: str | None = None
    try:
        await deliver(mail)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000] or type(exc).__name__
        log.warning(
            "mail %s to the SMTP server failed (attempt %d): %s", mail_id, mail.attempts, error
        )
    async with uow_factory() as uow:
        row = await uow.session.get_one(Mail, mail_id)
        row.claimed_until = None
        if error is None:
            row.status = OutboxStatus.SENT
            row.sent_at = utcnow()
            row.last_error = None
        elif row.attempts >= retry.max_attempts:
            row.status = OutboxStatus.FAILED
            row.last_error = error
            log.error("mail %s failed %d times; given up", mail_id, row.attempts)
        else:
            row.status = OutboxStatus.PENDING
            row.last_error = error
            row.next_attempt_at = utcnow() + timedelta(seconds=retry.delay_s(row.attempts))
    return error is None


async def run_due(uow_factory: UowFactory, deliver: Deliver, retry: Retry) -> int:
    sent = 0
    for mail_id in await claim_due(uow_factory, retry.lease_s):
        sent += await send_claimed(uow_factory, mail_id, deliver, retry)
    return sent


async def outbox_loop(
    uow_factory: UowFactory, deliver: Deliver, retry: Retry, poll_s: float, wake: asyncio.Event
) -> None:
    """Every process runs one; a mail stored by this process wakes it at once."""
    while True:
        # Cleared before the round: a mail stored while it runs wakes the next one at once.
        wake.clear()
        try:
            await run_due(uow_factory, deliver, retry)
        except Exception:
            log.warning("mail outbox round failed; retrying", exc_info=True)
        try:
            async with asyncio.timeout(poll_s):
                await wake.wait()
        except TimeoutError:
            pass


async def listed(
    uow: UnitOfWork, site_id: str, statuses: list[str], limit: int, cursor: Mail | None
) -> list[Mail]:
    query = select(Mail).where(Mail.site_id == site_id)
    if statuses:
        query = query.where(Mail.status.in_(statuses))
    if cursor is not None:
        query = query.where(
            (Mail.created_at < cursor.created_at)
            | ((Mail.created_at == cursor.created_at) & (Mail.id < cursor.id))
        )
    rows = await uow.session.execute(
        query.order_by(Mail.created_at.desc(), Mail.id.desc()).limit(limit)
    )
    return list(rows.scalars())


async def retry_now(uow: UnitOfWork, mail: Mail) -> None:
    """An admin asks for a failed (or waiting) mail to be tried again at once."""
    if mail.status in (OutboxStatus.FAILED, OutboxStatus.PENDING):
        mail.status = OutboxStatus.PENDING
        mail.attempts = 0
        mail.next_attempt_at = utcnow()
        await uow.session.flush()
