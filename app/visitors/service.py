"""Visitors: recognising a returning visitor, and the pages they look at."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.common.errors import BadRequest, Conflict
from app.common.events import chat_topic, supervisors_topic
from app.common.tokens import TokenClaims, verify
from app.common.types import iso, utcnow
from app.common.uow import UnitOfWork
from app.sites.models import Site
from app.visitors import live
from app.visitors.models import PageView, Visitor, VisitorEvent
from app.visitors.schemas import EventOut, VisitorActivity, VisitorUpdated

# A visitor seen again after this long counts as a new visit.
VISIT_GAP = timedelta(minutes=30)


async def recognise(
    session: AsyncSession, site: Site, token: str | None, secret: str
) -> tuple[Visitor, bool]:
    """The visitor a token names (same site), or a new one; and whether they are returning."""
    visitor = await from_token(session, site, token, secret)
    if visitor is None:
        now = utcnow()
        visitor = Visitor(site_id=site.id, first_seen_at=now, last_seen_at=now)
        session.add(visitor)
        await session.flush()
        return visitor, False
    touch(visitor)
    return visitor, True


async def from_token(
    session: AsyncSession, site: Site, token: str | None, secret: str
) -> Visitor | None:
    """The visitor a token names, if it is valid, of this site, and the visitor still exists
    (a visitor merged into a verified customer does not)."""
    claims = verify(secret, token, "visitor") if token else None
    if claims is None or claims.site_id != site.id:
        return None
    return await session.get(Visitor, claims.subject)


def touch(visitor: Visitor) -> None:
    """Seen now: a new visit after a long enough gap."""
    now = utcnow()
    if now - visitor.last_seen_at > VISIT_GAP:
        visitor.visit_count += 1
    visitor.last_seen_at = now


def claims_for(visitor: Visitor) -> TokenClaims:
    return TokenClaims(subject=visitor.id, site_id=visitor.site_id, type="visitor")


async def record_page_view(
    uow: UnitOfWork,
    visitor_id: str,
    site_id: str,
    url: str,
    title: str | None,
    referrer: str | None,
    chat_id: str | None,
) -> None:
    view = PageView(
        site_id=site_id,
        visitor_id=visitor_id,
        url=url,
        title=title,
        referrer=referrer,
        chat_id=chat_id,
        created_at=utcnow(),
    )
    uow.session.add(view)
    await uow.session.flush()
    _announce(uow, site_id, VisitorActivity(
        visitor_id=visitor_id, url=url, title=title, at=iso(view.created_at) or "", chat_id=chat_id
    ))  # fmt: skip


async def record_event(
    uow: UnitOfWork,
    visitor_id: str,
    site_id: str,
    name: str,
    data: dict[str, Any],
    chat_id: str | None,
) -> VisitorEvent:
    """Stores what the shop's page reported (``Parley.track``) on the page the visitor is on,
    and shows it to the site's agents in the visitor's activity."""
    url = await uow.session.scalar(
        select(PageView.url)
        .where(PageView.visitor_id == visitor_id)
        .order_by(PageView.id.desc())
        .limit(1)
    )
    event = VisitorEvent(
        site_id=site_id,
        visitor_id=visitor_id,
        name=name,
        data=data,
        url=url,
        chat_id=chat_id,
        created_at=utcnow(),
    )
    uow.session.add(event)
    await uow.session.flush()
    _announce(uow, site_id, VisitorActivity(
        visitor_id=visitor_id, url=url, title=None, at=iso(event.created_at) or "",
        chat_id=chat_id, event=EventOut.of(event),
    ))  # fmt: skip
    return event


def _announce(uow: UnitOfWork, site_id: str, activity: VisitorActivity) -> None:
    """The staff of the visitor's open chat follow their trail live (the chat view shows it;
    never a visitor socket). Nobody else gets the page view itself: on a busy shop every
    agent's socket would carry every visitor's every page. Agents watching the live visitors
    list learn of the change from its notice (``live.changed``, batched to one
    ``visitors.delta`` a second); anyone else reads the trail when they open the visitor."""
    if activity.chat_id is not None:
        uow.emit(chat_topic(activity.chat_id), activity, audience="staff")
    live.changed(uow, site_id, activity.visitor_id)


async def save_contact(
    uow: UnitOfWork,
    visitor_id: str,
    site_id: str,
    name: str | None,
    email: str | None,
    chat_id: str | None,
) -> Visitor:
    """The name and e-mail a visitor gave in their chat (asked after the first message): what
    they left out stays as it was. The staff of their open chat relabel it at once. A verified
    customer's name and e-mail are the shop's (``Parley.setUser`` with a valid hash): a CRM
    trusts them, so a hand-sent frame may not replace them."""
    visitor = await uow.session.get_one(Visitor, visitor_id)
    if visitor.external_id is not None:
        raise Conflict("the shop has verified who you are: your name and e-mail come from the shop")
    if name:
        visitor.name = name
    if email:
        visitor.email = email
    await uow.session.flush()
    if chat_id is not None:
        updated = VisitorUpdated(
            visitor_id=visitor_id, chat_id=chat_id, name=visitor.name, email=visitor.email
        )
        uow.emit(chat_topic(chat_id), updated, audience="staff")
        # The supervisor grid names every open chat's visitor, not only the monitored one's.
        uow.emit(supervisors_topic(site_id), updated, audience="staff")
    live.changed(uow, site_id, visitor_id)
    return visitor


async def last_event(session: AsyncSession, visitor_id: str, name: str) -> VisitorEvent | None:
    """The visitor's newest event of this name (e.g. the cart's value from ``cart.updated``)."""
    found: VisitorEvent | None = await session.scalar(
        select(VisitorEvent)
        .where(VisitorEvent.visitor_id == visitor_id, VisitorEvent.name == name)
        .order_by(VisitorEvent.id.desc())
        .limit(1)
    )
    return found


async def recent_events(
    session: AsyncSession, visitor_id: str, limit: int = 30
) -> Sequence[VisitorEvent]:
    """The visitor's newest events, newest first."""
    rows = await session.scalars(
        select(VisitorEvent)
        .where(VisitorEvent.visitor_id == visitor_id)
        .order_by(VisitorEvent.id.desc())
        .limit(limit)
    )
    return rows.all()


async def listed(
    session: AsyncSession,
    site_id: str,
    *,
    email: str | None,
    external_id: str | None,
    attributes: dict[str, str],
    seen_after: datetime | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Visitor], str | None]:
    """A page of the site's visitors, most recently seen first; attributes compare as text."""
    query = select(Visitor).where(Visitor.site_id == site_id)
    if email is not None:
        query = query.where(func.lower(Visitor.email) == email.lower())
    if external_id is not None:
        query = query.where(Visitor.external_id == external_id)
    for key, value in attributes.items():
        query = query.where(Visitor.attributes[key].as_string() == value)
    if seen_after is not None:
        query = query.where(Visitor.last_seen_at > seen_after)
    if cursor:
        anchor = await session.get(Visitor, cursor)
        if anchor is None or anchor.site_id != site_id:
            raise BadRequest("unknown cursor")
        query = query.where(
            (Visitor.last_seen_at < anchor.last_seen_at)
            | ((Visitor.last_seen_at == anchor.last_seen_at) & (Visitor.id < anchor.id))
        )
    query = query.order_by(Visitor.last_seen_at.desc(), Visitor.id.desc()).limit(limit + 1)
    rows = list((await session.execute(query)).scalars())
    return rows[:limit], rows[limit - 1].id if len(rows) > limit else None
