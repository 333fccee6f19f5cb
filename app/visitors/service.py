"""Visitors: recognising a returning visitor, and the pages they look at."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.common.events import site_topic
from app.common.tokens import TokenClaims, verify
from app.common.types import iso, utcnow
from app.common.uow import UnitOfWork
from app.sites.models import Site
from app.visitors.models import PageView, Visitor
from app.visitors.schemas import VisitorActivity

# A visitor seen again after this long counts as a new visit.
VISIT_GAP = timedelta(minutes=30)


async def recognise(
    session: AsyncSession, site: Site, token: str | None, secret: str
) -> tuple[Visitor, bool]:
    """The visitor a token names (same site), or a new one; and whether they are returning."""
    claims = verify(secret, token, "visitor") if token else None
    visitor = None
    if claims is not None and claims.site_id == site.id:
        visitor = await session.get(Visitor, claims.subject)
    now = utcnow()
    if visitor is None:
        visitor = Visitor(site_id=site.id, first_seen_at=now, last_seen_at=now)
        session.add(visitor)
        await session.flush()
        return visitor, False
    if now - visitor.last_seen_at > VISIT_GAP:
        visitor.visit_count += 1
    visitor.last_seen_at = now
    return visitor, True


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
    uow.emit(
        site_topic(site_id),
        VisitorActivity(
            visitor_id=visitor_id,
            url=url,
            title=title,
            at=iso(view.created_at) or "",
            chat_id=chat_id,
        ),
        audience="staff",
    )
