"""Rows that belong to a site, found only from within that site.

Another site's row is answered exactly like a missing one (``NotFound``), so ids of other
shops can neither be used nor probed. Every "get by id for this caller" goes through here.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.common.errors import NotFound


class SiteOwned(Protocol):
    @property
    def site_id(self) -> str: ...


Row = TypeVar("Row", bound=SiteOwned)


def in_site(row: Row | None, site_id: str, message: str) -> Row:
    """``row`` if it exists and belongs to ``site_id``; otherwise NotFound(``message``)."""
    if row is None or row.site_id != site_id:
        raise NotFound(message)
    return row


async def get_in_site(
    session: AsyncSession, model: type[Row], row_id: str, site_id: str, message: str
) -> Row:
    """Load ``model`` by id, within the caller's site (see ``in_site``)."""
    return in_site(await session.get(model, row_id), site_id, message)
