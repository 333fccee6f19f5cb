"""Chat transcripts by e-mail: every public message of a chat, never a whisper or a note.

Asked for by the chat's visitor (``transcript.request``), sent by an agent (REST), or sent when
the chat closes because the visitor ticked the box in the pre-chat form (``pre_chat.transcript``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from sqlalchemy import select

from app.chat.access import ChatAction, authorize
from app.chat.models import Chat, Message
from app.common import i18n
from app.common.actor import Actor
from app.common.errors import DomainError, Unavailable
from app.common.tokens import TokenClaims, issue
from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.jobs import service as jobs
from app.jobs.service import JobHandler
from app.mail import outbox, render
from app.mail.models import Mail
from app.mail.service import Mailer
from app.sites.models import Site
from app.sites.service import site_language, site_timezone, transcripts_enabled

log = logging.getLogger(__name__)

KIND = "transcript"
ON_CLOSE_JOB = "mail.transcript_on_close"
# Attachment links in a transcript open the file without signing in for this long.
LINK_TTL_S = 30 * 24 * 3600


async def request(uow: UnitOfWork, mailer: Mailer, actor: Actor, chat_id: str, email: str) -> Mail:
    """Queue the chat's transcript to ``email`` for a visitor (their own chat) or an agent."""
    chat = authorize(actor, ChatAction.READ, await uow.session.get(Chat, chat_id))
    mailer.require()
    site = await uow.session.get_one(Site, chat.site_id)
    if not transcripts_enabled(site):
        raise Unavailable("this site does not send transcripts")
    await mailer.count_transcript(chat.id, chat.visitor_id)
    mail = await queue_transcript(uow, mailer, site, chat, email)
    return mail


async def queue_transcript(
    uow: UnitOfWork, mailer: Mailer, site: Site, chat: Chat, email: str
) -> Mail:
    rendered = render.render(
        "transcript",
        _subject(site, chat),
        await _context(uow, mailer, site, chat),
        site_language(site),
    )
    mail = await outbox.enqueue(uow, site.id, KIND, email, rendered, chat_id=chat.id)
    mailer.wake.set()
    return mail


def format_day(when: datetime, zone: ZoneInfo, language: str) -> str:
    """A day as the shop's customers write it: ``Nov 26, 2026``, ``26. nov. 2026``."""
    return format_skeleton("yMMMd", when.astimezone(zone), locale=i18n.locale(language))


def format_time(when: datetime, zone: ZoneInfo, language: str) -> str:
    """A message's time as the shop's customers read it: ``Nov 26, 2026, 22:13`` in English,
    ``26. nov. 2026, 22.13`` in Danish (the zone is named once, at the mail's foot)."""
    clock = format_skeleton("Hm", when.astimezone(zone), locale=i18n.locale(language))
    return f"{format_day(when, zone, language)}, {clock}"


def _subject(site: Site, chat: Chat) -> str:
    language = site_language(site)
    day = format_day(chat.created_at, ZoneInfo(site_timezone(site)), language)
    gettext = i18n.translations(language).gettext
    return gettext("Your chat with %(site)s on %(day)s") % {"site": site.name, "day": day}


async def _context(uow: UnitOfWork, mailer: Mailer, site: Site, chat: Chat) -> dict[str, Any]:
    zone_name = site_timezone(site)
    zone = ZoneInfo(zone_name)
    language = site_language(site)
    rows = await uow.session.execute(
        select(Message)
        .where(Message.chat_id == chat.id, Message.kind == "public")
        .order_by(Message.seq)
    )
    messages = [
        {
            "author": m.author_name or _fallback_name(m.author_type, site),
            "author_type": m.author_type,
            "time": format_time(m.created_at, zone, language),
            "body": m.body,
            "attachments": [_link(mailer, site, a) for a in m.attachments or []],
        }
        for m in rows.scalars()
    ]
    return {
        "site": render.brand(site, mailer.public_url),
        "subject": _subject(site, chat),
        "started": format_time(chat.created_at, zone, language),
        "timezone": zone_name,
        "messages": messages,
    }


def _fallback_name(author_type: str, site: Site) -> str:
    gettext = i18n.translations(site_language(site)).gettext
    names = {"visitor": gettext("You"), "agent": gettext("Agent")}
    return names.get(author_type, site.name)


def _link(mailer: Mailer, site: Site, attachment: dict[str, Any]) -> dict[str, str | None]:
    """A file in a transcript: its name, and a signed link that opens it for LINK_TTL_S."""
    name = str(attachment.get("name") or "file")
    attachment_id = attachment.get("id")
    if not mailer.public_url or not isinstance(attachment_id, str):
        return {"name": name, "url": None}
    sig = issue(
        mailer.secret_key,
        TokenClaims(subject=attachment_id, site_id=site.id, type="download"),
        LINK_TTL_S,
    )
    query = urlencode({"sig": sig})
    return {"name": name, "url": f"{mailer.public_url}/api/v1/uploads/{attachment_id}?{query}"}


async def on_close(uow: UnitOfWork, chat: Chat) -> None:
    """The chat has closed: if its visitor asked for a transcript then, send it (by a job, so
    the close itself never waits on or fails because of e-mail)."""
    if chat.pre_chat.get("transcript") is True and chat.pre_chat.get("email"):
        await jobs.schedule(
            uow, f"transcript-on-close:{chat.id}", ON_CLOSE_JOB, utcnow(), {"chat_id": chat.id}
        )


def handlers(mailer: Mailer) -> dict[str, JobHandler]:
    async def send_on_close(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        chat = await uow.session.get(Chat, payload["chat_id"])
        if chat is None or not mailer.enabled:
            return
        site = await uow.session.get_one(Site, chat.site_id)
        if not transcripts_enabled(site):
            return
        try:
            await mailer.count_transcript(chat.id, chat.visitor_id)
        except DomainError as exc:
            log.warning("transcript of chat %s on close not sent: %s", chat.id, exc.message)
            return
        await queue_transcript(uow, mailer, site, chat, str(chat.pre_chat["email"]))

    return {ON_CLOSE_JOB: send_on_close}
