"""What one process holds for its lifetime, reachable from routes and frame handlers."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.common.uow import UnitOfWork
from app.config import Settings
from app.realtime.hub import Hub


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    hub: Hub
    draining: bool = field(default=False)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.hub)
