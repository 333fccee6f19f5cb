"""Availability and offline messages: whether a site takes live chats right now, its settings
for the time it does not, and the mails that carry offline chats both ways.

Unavailable means outside the site's office hours (when it has them) or no agent online (on a
site that has offline messages set up: see ``takes_offline_messages``). A chat
started then is kept with status ``offline``; the visitor's messages are mailed to the shop's
``notify_emails`` and the agents' public answers to the visitor (never a whisper or a note).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.agents.models import Agent
from app.chat import offline as follow_ups
from app.chat.models import Chat, Message
from app.chat.queries import current_chat_of
from app.common import i18n
from app.common.enums import AgentStatus, ChatStatus
from app.common.uow import UnitOfWork
from app.jobs.service import JobHandler
from app.mail import outbox, render
from app.mail.service import Mailer
from app.mail.transcripts import format_time
from app.offline.hours import OfficeHours, is_open
from app.sites.models import Site
from app.sites.service import site_language, site_timezone
from app.visitors.models import Visitor

log = logging.getLogger(__name__)

NOTIFY_KIND = "offline_notify"
REPLY_KIND = "offline_reply"


def office_hours(site: Site) -> OfficeHours | None:
    """The site's office hours; None: open whenever an agent is online."""
    stored = site.settings.get("office_hours")
    return OfficeHours.model_validate(stored) if isinstance(stored, dict) else None


def notify_emails(site: Site) -> list[str]:
    stored = site.settings.get("notify_emails")
    return [str(a) for a in stored] if isinstance(stored, list) else []


def hide_when_offline(site: Site) -> bool:
    """The shop hides the chat bubble while nobody can answer (no offline form then)."""
    return site.settings.get("hide_when_offline") is True


def in_hours(site: Site, now: datetime) -> bool:
    hours = office_hours(site)
    return hours is None or is_open(hours, now)


async def agent_online(uow: UnitOfWork, site_id: str) -> bool:
    found = await uow.session.scalar(
        select(Agent.id)
        .where(Agent.site_id == site_id, Agent.status == AgentStatus.ONLINE, Agent.active)
        .limit(1)
    )
    return found is not None


def takes_offline_messages(site: Site) -> bool:
    """The site has set offline messages up (office hours, or addresses to mail them to).

    Only such a site turns a chat into an offline message because nobody is online: for a site
    without either, nobody would ever read one, so its chats keep waiting in the queue for the
    next agent, as before offline messages existed."""
    return office_hours(site) is not None or bool(notify_emails(site))


def is_available(site: Site, now: datetime, agent_is_online: bool) -> bool:
    """Inside office hours (or none set), and an agent online (or no offline messages set up)."""
    return in_hours(site, now) and (agent_is_online or not takes_offline_messages(site))


async def available(uow: UnitOfWork, site: Site, now: datetime) -> bool:
    """Whether a chat started at ``now`` goes to an agent (else it is an offline message)."""
    if not in_hours(site, now):
        return False
    return not takes_offline_messages(site) or await agent_online(uow, site.id)


async def pending_offline_chat(uow: UnitOfWork, visitor_id: str) -> Chat | None:
    """The visitor's latest offline chat that nobody has closed: a second message while still
    unavailable joins it."""
    chat = await current_chat_of(uow, visitor_id)
    return chat if chat is not None and chat.status == ChatStatus.OFFLINE else None


# --- mails ---------------------------------------------------------------------------------


async def _messages_after(
    uow: UnitOfWork, chat: Chat, after_seq: int, authors: tuple[str, ...]
) -> list[Message]:
    rows = await uow.session.execute(
        select(Message)
        .where(
            Message.chat_id == chat.id,
            Message.kind == "public",
            Message.seq > after_seq,
            Message.author_type.in_(authors),
        )
        .order_by(Message.seq)
    )
    return list(rows.scalars())


def _lines(
    messages: list[Message], zone: ZoneInfo, fallback: str, language: str
) -> list[dict[str, str]]:
    return [
        {"author": m.author_name or fallback, "time": format_time(m.created_at, zone, language)}
        | {"body": m.body}
        for m in messages
    ]


async def mail_notify(uow: UnitOfWork, mailer: Mailer, chat_id: str) -> int:
    """Mail the visitor's messages not mailed yet to each notify address; the number of mails."""
    chat = await uow.session.get(Chat, chat_id)
    if chat is None or chat.offline_at is None:
        return 0
    site = await uow.session.get_one(Site, chat.site_id)
    to = notify_emails(site)
    fresh = await _messages_after(uow, chat, chat.offline_notified_seq, ("visitor",))
    if not fresh:
        return 0
    chat.offline_notified_seq = fresh[-1].seq
    if not mailer.enabled or not to:
        log.warning("offline message in chat %s not mailed: no SMTP or no notify_emails", chat.id)
        return 0
    visitor = await uow.session.get_one(Visitor, chat.visitor_id)
    zone_name = site_timezone(site)
    name = str(chat.pre_chat.get("name") or visitor.name or "")
    email = str(chat.pre_chat.get("email") or visitor.email or "")
    language = site_language(site)
    gettext = i18n.translations(language).gettext
    who = name or email or gettext("a visitor")
    context: dict[str, Any] = {
        "site": render.brand(site, mailer.public_url),
        "subject": gettext("Offline message from %(who)s") % {"who": who},
        "name": name,
        "email": email,
        "chat_id": chat.id,
        "console_url": f"{mailer.public_url}/console/archive?status=offline"
        if mailer.public_url
        else "",
        "timezone": zone_name,
        "messages": _lines(fresh, ZoneInfo(zone_name), name or gettext("Visitor"), language),
    }
    rendered = render.render("offline_notify", context["subject"], context, language)
    for address in to:
        await outbox.enqueue(uow, site.id, NOTIFY_KIND, address, rendered, chat_id=chat.id)
    mailer.wake.set()
    return len(to)


async def mail_reply(uow: UnitOfWork, mailer: Mailer, chat_id: str) -> bool:
    """Mail the agents' public answers not mailed yet to the visitor; whether one went."""
    chat = await uow.session.get(Chat, chat_id)
    if chat is None or chat.offline_at is None:
        return False
    site = await uow.session.get_one(Site, chat.site_id)
    fresh = await _messages_after(uow, chat, chat.offline_replied_seq, ("agent", "system"))
    if not fresh:
        return False
    chat.offline_replied_seq = fresh[-1].seq
    visitor = await uow.session.get_one(Visitor, chat.visitor_id)
    to = str(chat.pre_chat.get("email") or visitor.email or "")
    if not mailer.enabled or not to:
        log.warning("answer to offline chat %s not mailed: no SMTP or no address", chat.id)
        return False
    zone_name = site_timezone(site)
    language = site_language(site)
    gettext = i18n.translations(language).gettext
    subject = gettext("Your message to %(site)s: our answer") % {"site": site.name}
    context: dict[str, Any] = {
        "site": render.brand(site, mailer.public_url),
        "subject": subject,
        "name": str(chat.pre_chat.get("name") or visitor.name or ""),
        "timezone": zone_name,
        "messages": _lines(fresh, ZoneInfo(zone_name), site.name, language),
    }
    rendered = render.render("offline_reply", subject, context, language)
    await outbox.enqueue(uow, site.id, REPLY_KIND, to, rendered, chat_id=chat.id)
    mailer.wake.set()
    return True


def handlers(mailer: Mailer) -> dict[str, JobHandler]:
    async def notify(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        await mail_notify(uow, mailer, str(payload["chat_id"]))

    async def reply(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        await mail_reply(uow, mailer, str(payload["chat_id"]))

    return {follow_ups.NOTIFY_JOB: notify, follow_ups.REPLY_JOB: reply}
