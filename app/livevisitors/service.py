"""Who is on a site now, as rows of the live visitors list.

A visitor is on the site while a widget socket of theirs is open on some process (a
``visitor_sockets`` row, app/visitors/presence.py). A row is read in a few set queries for any
number of visitors: the snapshot reads the whole site, a delta only the visitors that changed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.agents.models import Agent
from app.chat.models import OPEN_STATUSES, Chat
from app.common.enums import ChatStatus
from app.common.types import iso
from app.livevisitors.schemas import LiveChat, LiveInvitation, LiveVisitor
from app.triggers.models import Invitation, TriggerVisit
from app.visitors.models import PageView, Visitor, VisitorSocket

# Ids per IN (...): well below every database's limit on bound parameters.
_CHUNK = 500


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


async def rows(
    session: AsyncSession, site_id: str, only: Collection[str] | None = None
) -> list[LiveVisitor]:
    """The site's visitors on the site now (of ``only``, when given), longest there first."""
    present = select(VisitorSocket.visitor_id)
    query = (
        select(Visitor, TriggerVisit)
        .outerjoin(TriggerVisit, TriggerVisit.visitor_id == Visitor.id)
        .where(Visitor.site_id == site_id, Visitor.id.in_(present))
    )
    found: list[tuple[Visitor, TriggerVisit | None]] = []
    if only is None:
        found = list((await session.execute(query)).tuples())
    else:
        for part in _chunks(sorted(only)):
            found += (await session.execute(query.where(Visitor.id.in_(part)))).tuples()
    if not found:
        return []
    ids = [v.id for v, _ in found]
    pages: dict[str, tuple[str, str | None]] = {}
    invitations: dict[str, Invitation] = {}
    chats: dict[str, Chat] = {}
    for part in _chunks(ids):
        latest = (select(func.max(PageView.id)).where(PageView.visitor_id.in_(part))).group_by(
            PageView.visitor_id
        )
        for vid, url, title in await session.execute(
            select(PageView.visitor_id, PageView.url, PageView.title).where(PageView.id.in_(latest))
        ):
            pages[vid] = (url, title)
        for invitation in await session.scalars(
            select(Invitation).where(
                Invitation.visitor_id.in_(part),
                Invitation.accepted_at.is_(None),
                Invitation.dismissed_at.is_(None),
            )
        ):
            invitations[invitation.visitor_id] = invitation
        for chat in await session.scalars(
            select(Chat).where(Chat.visitor_id.in_(part), Chat.status.in_(OPEN_STATUSES))
        ):
            chats[chat.visitor_id] = chat
    agent_ids = {c.agent_id for c in chats.values()} | {i.agent_id for i in invitations.values()}
    agent_ids.discard(None)
    names: dict[str, str] = {}
    if agent_ids:
        names = dict(
            (await session.execute(select(Agent.id, Agent.name).where(Agent.id.in_(agent_ids))))
            .tuples()
            .all()
        )
    out = [
        _row(v, visit, pages.get(v.id), invitations.get(v.id), chats.get(v.id), names)
        for v, visit in found
    ]
    out.sort(key=lambda r: (r.visit_started_at or "", r.id))
    return out


def _row(
    visitor: Visitor,
    visit: TriggerVisit | None,
    page: tuple[str, str | None] | None,
    invitation: Invitation | None,
    chat: Chat | None,
    names: dict[str, str],
) -> LiveVisitor:
    visits = max(visitor.visit_count, visit.visit_no if visit else 1)
    if invitation is not None and visit is not None and invitation.visit_no != visit.visit_no:
        invitation = None  # an earlier visit's, never answered: not open any more
    return LiveVisitor(
        id=visitor.id,
        name=visitor.name,
        email=visitor.email,
        url=(visit.url or None) if visit else (page[0] if page else None),
        title=page[1] if page else None,
        page_started_at=iso(visit.page_started_at) if visit and visit.page_views else None,
        visit_started_at=iso(visit.visit_started_at) if visit else iso(visitor.last_seen_at),
        page_views=visit.page_views if visit else 0,
        visit_count=visits,
        returning=visits > 1,
        cart_value=visit.cart_value if visit else None,
        referrer=visit.referrer if visit else None,
        invitation=(
            LiveInvitation(
                id=invitation.id,
                by_hand=invitation.by_hand,
                agent_id=invitation.agent_id,
                agent_name=names.get(invitation.agent_id or ""),
                fired_at=iso(invitation.fired_at),
            )
            if invitation
            else None
        ),
        chat=(
            LiveChat(
                id=chat.id,
                status=ChatStatus(chat.status),
                agent_id=chat.agent_id,
                agent_name=names.get(chat.agent_id or ""),
            )
            if chat
            else None
        ),
    )
