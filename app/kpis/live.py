"""The dashboard's live tiles, pushed by the server (``kpi.tiles``, docs/kpis.md).

Every process watches, for each site with a dashboard open on it, the site's staff topics
(``supervisors:``, ``site:``): whatever changed a chat, the queue or an agent's presence —
on this process or on another, through the broker — marks the site's tiles stale. They are
then read again from the database, at most once a second per site, and sent to this process's
staff sockets of that site when they differ from the last ones sent. The database is the one
truth every process shares, so all dashboards agree whichever process made the change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.agents.models import Agent
from app.chat.models import Chat
from app.common.enums import AgentStatus, ChatStatus
from app.common.events import site_topic, supervisors_topic
from app.common.types import iso, utcnow
from app.kpis import service
from app.kpis.schemas import KpiTiles, TileAgent
from app.realtime.hub import Connection, Hub
from app.realtime.visibility import ViewerIdentity
from app.sites.models import Site
from app.sites.service import alert_after_s, site_timezone

log = logging.getLogger(__name__)

# At most one computation per site per this many seconds: a burst of changes is one frame.
COALESCE_S = 1.0
# Recomputed this often without a change: today's share moves as waits pass 60 s.
REFRESH_S = 30.0


async def tiles(session: AsyncSession, site_id: str, now: datetime) -> KpiTiles:
    """The tiles of one site now: open chats and the queue (``ix_chats_site_status_created``),
    agents not offline, and today's share answered within 60 s in the site's zone."""
    site = await session.get_one(Site, site_id)
    counts = dict(
        (
            await session.execute(
                select(Chat.status, func.count())
                .where(
                    Chat.site_id == site_id,
                    Chat.status.in_((ChatStatus.ACTIVE, ChatStatus.QUEUED, ChatStatus.OFFERED)),
                )
                .group_by(Chat.status)
            )
        ).all()
    )
    oldest = await session.scalar(
        select(func.min(Chat.queued_at)).where(
            Chat.site_id == site_id, Chat.status == ChatStatus.QUEUED
        )
    )
    agents = (
        (
            await session.execute(
                select(Agent)
                .where(Agent.site_id == site_id, Agent.status != AgentStatus.OFFLINE)
                .order_by(Agent.name, Agent.id)
            )
        )
        .scalars()
        .all()
    )
    zone = ZoneInfo(site_timezone(site))
    midnight = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    today = service.figures(await service.chat_times(session, site_id, midnight, now), now)
    online = [a for a in agents if a.status == AgentStatus.ONLINE]
    return KpiTiles(
        chats_active=int(counts.get(ChatStatus.ACTIVE, 0)),
        queue=int(counts.get(ChatStatus.QUEUED, 0)),
        offered=int(counts.get(ChatStatus.OFFERED, 0)),
        longest_wait_since=iso(oldest),
        agents_online=len(online),
        load=sum(a.active_chats for a in online),
        capacity=sum(a.max_chats for a in online),
        agents=[
            TileAgent(
                id=a.id,
                name=a.name,
                status=AgentStatus(a.status),
                active_chats=a.active_chats,
                max_chats=a.max_chats,
            )
            for a in agents
        ],
        answered_within_60s_pct_today=today.answered_within_60s_pct,
        alert_after_s=alert_after_s(site),
        timezone=zone.key,
    )


class _Stale(Connection):
    """Hears a site's staff topics like a staff socket, and only notes that something moved."""

    def __init__(self, site_id: str, moved: asyncio.Event) -> None:
        super().__init__(ViewerIdentity("agent", f"kpi-tiles:{site_id}"), 1)
        self._moved = moved

    def offer(self, data: bytes) -> None:
        self._moved.set()


class _Site:
    def __init__(self, site_id: str) -> None:
        self.site_id = site_id
        self.viewers: set[Connection] = set()
        self.moved = asyncio.Event()
        self.listener = _Stale(site_id, self.moved)
        self.last: dict[str, Any] | None = None
        self.task: asyncio.Task[None] | None = None


class LiveTiles:
    """The tiles of the sites watched on this process (one per process, in AppState)."""

    def __init__(
        self,
        hub: Hub,
        sessions: async_sessionmaker[AsyncSession],
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.hub, self.sessions, self.now = hub, sessions, now
        self._sites: dict[str, _Site] = {}

    async def watch(self, site_id: str, viewer: Connection) -> None:
        """A staff socket of the site opened: it gets the tiles now and whenever they change."""
        site = self._sites.get(site_id)
        if site is None:
            site = self._sites[site_id] = _Site(site_id)
            await self.hub.attach(site.listener, [supervisors_topic(site_id), site_topic(site_id)])
            site.task = asyncio.create_task(self._run(site))
        site.viewers.add(viewer)
        if site.last is not None:
            viewer.send(site.last)
        site.moved.set()

    async def unwatch(self, site_id: str, viewer: Connection) -> None:
        site = self._sites.get(site_id)
        if site is None:
            return
        site.viewers.discard(viewer)
        if not site.viewers:
            del self._sites[site_id]
            if site.task is not None:
                site.task.cancel()
            await self.hub.detach(site.listener)

    async def stop(self) -> None:
        for site_id, site in list(self._sites.items()):
            for viewer in list(site.viewers):
                await self.unwatch(site_id, viewer)

    async def _run(self, site: _Site) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(REFRESH_S):
                    await site.moved.wait()
            site.moved.clear()
            try:
                async with self.sessions() as session:
                    frame = (await tiles(session, site.site_id, self.now())).dump()
            except Exception:
                log.warning("kpi tiles of site %s failed; retrying", site.site_id, exc_info=True)
            else:
                if frame != site.last:
                    site.last = frame
                    for viewer in list(site.viewers):
                        viewer.send(frame)
            await asyncio.sleep(COALESCE_S)
