"""What one process holds for its lifetime, reachable from routes and frame handlers."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.chat.batch import MessageWriter
from app.chat.resumes import HistoryReader
from app.chat.visitor_sockets import VisitorSockets
from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.config import Settings
from app.db import sqlite_engine
from app.files.storage import Storage, local_storage
from app.jobs.runner import Alarm
from app.kpis.live import LiveTiles
from app.kpis.reply_time import ReplyTimes
from app.livevisitors.watch import LiveWatches
from app.mail.service import Mailer, mailer_from
from app.ratelimit.limiter import Limiter, limiter_from
from app.ratelimit.site_rules import SiteRules
from app.realtime.hub import Hub
from app.routing.policy import RoutingPolicy
from app.triggers.compiled import TriggerCache
from app.triggers.service import InvitePolicy, wake_waiting


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    hub: Hub
    draining: bool = field(default=False)
    # Ids of the visitor sockets open on this process, refreshed in the database by its
    # heartbeat (app/chat/abandoned.py); the database, not this set, says who is still there.
    visitor_socket_ids: set[str] = field(default_factory=set)
    # Wakes this process's job loop when a timer it set is due (app/jobs/runner.py).
    job_alarm: Alarm = field(default_factory=Alarm)
    writer: MessageWriter = field(init=False)
    # Visitor sockets recorded as open and closed, on SQLite in batches
    # (app/chat/visitor_sockets.py).
    visitor_sockets: VisitorSockets = field(init=False)
    # On SQLite, what resumes read, in batches (app/chat/resumes.py); None elsewhere.
    history: HistoryReader | None = field(init=False)
    limiter: Limiter = field(init=False)
    site_rules: SiteRules = field(init=False)
    mailer: Mailer = field(init=False)
    # Live visitors lists watched from this process's sockets (app/livevisitors/watch.py).
    live_visitors: LiveWatches = field(init=False)
    # Each site's enabled triggers, compiled once per change (app/triggers/compiled.py).
    trigger_cache: TriggerCache = field(default_factory=TriggerCache)
    # Each site's typical time to a first answer, for the widget's header (app/kpis/reply_time.py).
    reply_times: ReplyTimes = field(default_factory=ReplyTimes)

    # Where the office-hours clock started (PARLEY_OFFICE_HOURS_CLOCK), on the monotonic clock.
    _clock_base: float = field(default_factory=time.monotonic)

    def clock(self) -> datetime:
        """Now, for office hours: the real clock, or the configured start plus the time since."""
        start = self.settings.office_hours_clock
        if start is None:
            return utcnow()
        return start + timedelta(seconds=time.monotonic() - self._clock_base)

    # The dashboard tiles pushed to this process's staff sockets (app/kpis/live.py).
    live_tiles: LiveTiles = field(init=False)

    def __post_init__(self) -> None:
        self.writer = MessageWriter(self.sessions, self.hub)
        gone_s = self.settings.visitor_gone_s
        self.visitor_sockets = VisitorSockets(self.sessions, self.hub, gone_s)
        sqlite = sqlite_engine(self.sessions)
        self.history = HistoryReader(sqlite) if sqlite is not None else None
        self.limiter = limiter_from(self.settings)
        self.site_rules = SiteRules(self.sessions)
        self.mailer = mailer_from(self.settings)
        self.live_visitors = LiveWatches(self.hub, self.uow)
        self.live_tiles = LiveTiles(self.hub, self.sessions)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.hub)

    def routing_policy(self) -> RoutingPolicy:
        s = self.settings
        return RoutingPolicy(
            presence_grace_s=s.presence_grace_s,
            offer_timeout_s=s.offer_timeout_s,
            idle_away_s=s.agent_idle_away_s,
            # Visitors whose trigger held while nobody could answer are judged again.
            on_capacity=(wake_waiting,),
        )

    def invite_policy(self) -> InvitePolicy:
        s = self.settings
        return InvitePolicy(
            routing=self.routing_policy(),
            cooldown_s=s.invitation_cooldown_s,
            visit_gap_s=s.visit_gap_s,
            triggers=self.trigger_cache,
        )

    def storage(self) -> Storage:
        """Where uploads are kept (routes of several domains store and read them)."""
        return local_storage(self.settings.upload_dir)
