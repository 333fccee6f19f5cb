"""REST: transcripts sent by agents, and the outbox for admins (what failed, what waits)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.agents.service import actor_of
from app.common.lookup import get_in_site
from app.mail import outbox, transcripts
from app.mail.models import Mail
from app.mail.schemas import (
    MailStatus,
    OutboxItem,
    OutboxPage,
    Status,
    TranscriptAccepted,
    TranscriptIn,
)
from app.web.deps import AdminAgent, CurrentAgent, StateDep
from app.web.errors import ERRORS

router = APIRouter(prefix="/api/v1", tags=["mail"], responses=ERRORS)


@router.get("/mail/status")
async def mail_status(_: CurrentAgent, state: StateDep) -> MailStatus:
    if state.mailer.enabled:
        return MailStatus(enabled=True, reason=None)
    return MailStatus(
        enabled=False, reason="E-mail is not set up on this server (PARLEY_SMTP_URL)."
    )


@router.get("/mail/outbox")
async def list_outbox(
    admin: AdminAgent,
    state: StateDep,
    status: Annotated[list[Status] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> OutboxPage:
    """The site's mails, newest first; ``status`` (repeatable) narrows it, e.g. ``failed``."""
    async with state.uow() as uow:
        anchor = None
        if cursor:
            anchor = await get_in_site(uow.session, Mail, cursor, admin.site_id, "unknown cursor")
        rows = await outbox.listed(uow, admin.site_id, list(status or []), limit + 1, anchor)
    items = [OutboxItem.of(m) for m in rows[:limit]]
    return OutboxPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


@router.post("/mail/outbox/{mail_id}/retry")
async def retry_mail(mail_id: str, admin: AdminAgent, state: StateDep) -> OutboxItem:
    """Try a failed mail again now (after the SMTP settings were fixed, say)."""
    async with state.uow() as uow:
        mail = await get_in_site(uow.session, Mail, mail_id, admin.site_id, "no such mail")
        await outbox.retry_now(uow, mail)
        item = OutboxItem.of(mail)
    state.mailer.wake.set()
    return item


@router.post("/chats/{chat_id}/transcript", status_code=202)
async def send_transcript(
    chat_id: str, body: TranscriptIn, agent: CurrentAgent, state: StateDep
) -> TranscriptAccepted:
    async with state.uow() as uow:
        mail = await transcripts.request(uow, state.mailer, actor_of(agent), chat_id, body.email)
    state.mailer.wake.set()
    return TranscriptAccepted(chat_id=chat_id, mail_id=mail.id)
