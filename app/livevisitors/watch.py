"""This process's watchers of live visitors lists, and the batching of their deltas.

Per site with at least one watching socket here, one subscription to the site's ``visitors:``
topic (through the broker, so changes made on any process arrive) collects the ids of visitors
whose row changed. At most once per ``flush_s`` those rows are read, once for every watcher of
the site on this process, and sent as one ``visitors.delta`` frame to each: 2,000 visitors
browsing cost a watcher one frame a second, and the process one read of the changed rows. With
nobody watching, nothing is subscribed and a change costs one publish that goes nowhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import orjson

from app.common.types import iso, utcnow
from app.common.uow import UowFactory
from app.livevisitors import service
from app.livevisitors.schemas import VisitorsDelta
from app.realtime.hub import Connection, Hub
from app.realtime.visibility import ViewerIdentity
from app.visitors.live import live_topic

log = logging.getLogger(__name__)

FLUSH_S = 1.0


class _Sink(Connection):
    """Subscribes the site's topic for the watch: notices are collected, never sent."""

    def __init__(self, watch: SiteWatch) -> None:
        super().__init__(ViewerIdentity("agent", f"visitors-watch:{watch.site_id}"), 1)
        self._watch = watch

    def offer(self, data: bytes) -> None:
        visitor_id = orjson.loads(data).get("visitor_id")
        if isinstance(visitor_id, str):
            self._watch.changed(visitor_id)


class SiteWatch:
    def __init__(self, owner: LiveWatches, site_id: str) -> None:
        self.owner, self.site_id = owner, site_id
        self.topic = live_topic(site_id)
        self.sink = _Sink(self)
        self.conns: set[Connection] = set()
        self.pending: set[str] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def changed(self, visitor_id: str) -> None:
        self.pending.add(visitor_id)
        self._wake.set()

    async def add(self, conn: Connection) -> None:
        self.conns.add(conn)
        await self.owner.hub.subscribe(self.sink, self.topic)
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"visitors-watch:{self.site_id}")

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last = 0.0
        while True:
            await self._wake.wait()
            await asyncio.sleep(max(0.0, last + self.owner.flush_s - loop.time()))
            self._wake.clear()
            last = loop.time()
            if not await self._flush():
                return

    async def _flush(self) -> bool:
        """Send the changed rows; False once nobody here watches any more (the watch ends)."""
        self.conns = {c for c in self.conns if self.owner.hub.attached(c) and c.close_code is None}
        if not self.conns:
            await self.owner.drop(self)
            return False
        ids, self.pending = self.pending, set()
        if not ids:
            return True
        try:
            async with self.owner.uow() as uow:
                rows = await service.rows(uow.session, self.site_id, ids)
        except Exception:  # the database is away: those rows are read again with the next change
            log.warning("could not read live visitors of %s", self.site_id, exc_info=True)
            self.pending |= ids
            return True
        there = {r.id for r in rows}
        frame = VisitorsDelta(now=iso(utcnow()) or "", updated=rows, left=sorted(ids - there))
        data = orjson.dumps(frame.dump())
        for conn in self.conns:
            conn.offer(data)
        return True

    async def stop(self) -> None:
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.owner.hub.unsubscribe(self.sink, self.topic)


class LiveWatches:
    """The live visitors lists watched from this process's sockets, per site."""

    def __init__(self, hub: Hub, uow: UowFactory, flush_s: float = FLUSH_S) -> None:
        self.hub, self.uow, self.flush_s = hub, uow, flush_s
        self._sites: dict[str, SiteWatch] = {}

    async def watch(self, conn: Connection, site_id: str) -> None:
        """From now on ``conn`` gets the site's deltas; returns once the broker delivers the
        site's changes here, so a snapshot read next misses nothing."""
        site = self._sites.get(site_id)
        if site is None:
            site = self._sites[site_id] = SiteWatch(self, site_id)
        await site.add(conn)

    async def unwatch(self, conn: Connection, site_id: str) -> None:
        site = self._sites.get(site_id)
        if site is not None:
            site.conns.discard(conn)
            if not site.conns:
                await self.drop(site)

    async def drop(self, site: SiteWatch) -> None:
        if self._sites.get(site.site_id) is site:
            del self._sites[site.site_id]
        await site.stop()

    def watching(self, site_id: str) -> int:
        site = self._sites.get(site_id)
        return len(site.conns) if site else 0

    async def close(self) -> None:
        for site in list(self._sites.values()):
            await self.drop(site)
