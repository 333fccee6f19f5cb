"""A site's enabled triggers, loaded once per change and kept in the process.

Every page view of every visitor judges the site's triggers. Loading them from the database
each time (rows, JSON columns, ORM objects) cost more than the rest of the page view, though
they change only when an admin edits one. So each process keeps them here, as plain frozen
values, keyed by the site's trigger version (models.TriggerSet): the page view reads that
number with the visit row it locks anyway, and a number other than the one kept (a trigger
changed on any process) loads them again in the same transaction. Nothing has to reach the
other processes for them to notice, and no page view judges with triggers older than the
version it read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.triggers.models import Trigger, TriggerSet

# Rules that need the visitor's visit count from the database (not on the visit row).
_COUNT_FIELDS = frozenset({"visit_count", "returning"})


@dataclass(frozen=True, slots=True)
class SiteTrigger:
    """An enabled trigger as judging needs it (a copy of its row, never written back)."""

    id: str
    site_id: str
    name: str
    conditions: Mapping[str, Any]
    exclude_urls: tuple[str, ...]
    message: str
    variants: tuple[Mapping[str, Any], ...] | None
    open_panel: bool
    when_unavailable: bool
    skill: str | None
    # A visit_count or returning rule: the visitor's count is read before it is judged.
    needs_visit_count: bool

    @classmethod
    def of(cls, row: Trigger) -> SiteTrigger:
        rules = row.conditions.get("rules", [])
        return cls(
            id=row.id,
            site_id=row.site_id,
            name=row.name,
            conditions=row.conditions,
            exclude_urls=tuple(row.exclude_urls or ()),
            message=row.message,
            variants=tuple(row.variants) if row.variants else None,
            open_panel=row.open_panel,
            when_unavailable=row.when_unavailable,
            skill=row.skill,
            needs_visit_count=any(r.get("field") in _COUNT_FIELDS for r in rules),
        )


class TriggerCache:
    """The enabled triggers of each site this process has seen, by version (one per process,
    on the application state)."""

    def __init__(self, max_sites: int = 10_000) -> None:
        self._sites: dict[str, tuple[int, tuple[SiteTrigger, ...]]] = {}
        self._max_sites = max_sites
        self.loads = 0  # how often a site's triggers were read (tests check it stays low)

    async def enabled(
        self, session: AsyncSession, site_id: str, version: int | None
    ) -> tuple[SiteTrigger, ...]:
        """The site's enabled triggers in the order they win (oldest first), as of
        ``version`` (read in this transaction); None: the site never had one."""
        if version is None:
            return ()
        kept = self._sites.get(site_id)
        if kept is not None and kept[0] == version:
            return kept[1]
        rows = await session.execute(
            select(Trigger)
            .where(Trigger.site_id == site_id, Trigger.enabled.is_(True))
            .order_by(Trigger.created_at, Trigger.id)
        )
        triggers = tuple(SiteTrigger.of(row) for row in rows.scalars())
        self.loads += 1
        if site_id not in self._sites and len(self._sites) >= self._max_sites:
            self._sites.pop(next(iter(self._sites)))  # the longest kept; it loads again if seen
        self._sites[site_id] = (version, triggers)
        return triggers


async def changed(session: AsyncSession, site_id: str) -> None:
    """A trigger of the site was created, edited or deleted in this transaction: every
    process loads the site's triggers again at its next page view (the version goes up when
    this commits; one upsert, so concurrent changes never collide)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(TriggerSet).values(site_id=site_id, version=1)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[TriggerSet.site_id], set_={"version": TriggerSet.version + 1}
        )
    )
