"""Rows made directly through the models, and ears on the Hub, for service-level tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.agents.models import Agent, AgentSkill
from app.chat.models import Chat
from app.common.types import new_id, utcnow
from app.common.uow import UnitOfWork
from app.realtime.hub import Connection, Hub
from app.realtime.visibility import ViewerIdentity
from app.routing.policy import RoutingPolicy
from app.sites.models import Site
from app.visitors.models import Visitor

POLICY = RoutingPolicy(presence_grace_s=60)


class World:
    """One site's data and the frames its topics carried."""

    def __init__(self, factory: async_sessionmaker[AsyncSession], hub: Hub) -> None:
        self.factory = factory
        self.hub = hub
        self.site_id = ""

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.factory, self.hub)

    async def site(self, **settings: Any) -> str:
        async with self.uow() as uow:
            site = Site(name="Unit shop", site_key=f"key-{new_id()}", secret="s")
            site.settings = settings
            uow.session.add(site)
            await uow.session.flush()
            self.site_id = site.id
        return self.site_id

    async def agent(
        self,
        name: str,
        skills: tuple[str, ...] = (),
        max_chats: int = 3,
        active_chats: int = 0,
        status: str = "online",
        last_assigned_at: datetime | None = None,
    ) -> str:
        async with self.uow() as uow:
            agent = Agent(
                site_id=self.site_id,
                email=f"{name.lower()}-{self.site_id}@unit.example",
                name=name,
                password_hash="x",
                max_chats=max_chats,
                active_chats=active_chats,
                status=status,
                last_seen_at=utcnow(),
                last_assigned_at=last_assigned_at,
            )
            uow.session.add(agent)
            await uow.session.flush()
            for skill in skills:
                uow.session.add(AgentSkill(agent_id=agent.id, skill=skill))
            return agent.id

    async def visitor(self, name: str | None = "Vera", email: str | None = None) -> str:
        async with self.uow() as uow:
            visitor = Visitor(site_id=self.site_id, name=name, email=email)
            uow.session.add(visitor)
            await uow.session.flush()
            return visitor.id

    async def chat(
        self,
        skill: str | None = None,
        status: str = "queued",
        agent_id: str | None = None,
        visitor_id: str | None = None,
        queued_ago_s: float = 0,
        handled_s: float | None = None,
        passed_over: list[str] | None = None,
    ) -> str:
        """A chat; with ``handled_s``, a closed one that took that long from assignment."""
        visitor_id = visitor_id or await self.visitor()
        now = utcnow()
        async with self.uow() as uow:
            chat = Chat(
                site_id=self.site_id,
                visitor_id=visitor_id,
                skill=skill,
                status=status,
                agent_id=agent_id,
                queued_at=now - timedelta(seconds=queued_ago_s),
                passed_over=passed_over or [],
            )
            if handled_s is not None:
                chat.status = "closed"
                chat.assigned_at = now - timedelta(seconds=handled_s)
                chat.closed_at = now
            uow.session.add(chat)
            await uow.session.flush()
            return chat.id

    async def get(self, model: type[Any], ident: str) -> Any:
        async with self.factory() as session:
            return await session.get(model, ident)

    async def listen(self, *topics: str) -> Connection:
        """A staff socket on these topics (staff see every frame published on them)."""
        conn = Connection(ViewerIdentity("agent", "listener"), 1000)
        await self.hub.attach(conn, list(topics))
        return conn


def heard(conn: Connection, type_: str | None = None) -> list[dict[str, Any]]:
    """The frames delivered to ``conn`` so far (of one type, if given); consumes them."""
    out = []
    while not conn.queue.empty():
        data = conn.queue.get_nowait()
        assert data is not None
        frame: dict[str, Any] = orjson.loads(data)
        out.append(frame)
    return [f for f in out if type_ is None or f.get("type") == type_]
