"""One unit of work per command: a transaction, and the events it publishes after commit."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.common.events import Audience, Event, Outbox, Publisher
from app.common.wire import ServerFrame

log = logging.getLogger(__name__)


class UnitOfWork:
    """``async with UnitOfWork(...) as uow``: commit on success, then publish what was emitted.

    Publishing only after commit means no client ever hears of a row that a rollback removed;
    a publish that fails after commit loses nothing, because clients resume from the database.
    """

    def __init__(self, factory: async_sessionmaker[AsyncSession], publisher: Publisher) -> None:
        self._factory = factory
        self._publisher = publisher
        self._outbox = Outbox()
        self._before_commit: list[Callable[[], Awaitable[None]]] = []
        self.session: AsyncSession

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._factory()
        await self.session.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                try:
                    for hook in self._before_commit:
                        await hook()
                except BaseException:
                    await self.session.rollback()
                    raise
                await self.session.commit()
            else:
                await self.session.rollback()
        finally:
            await self.session.close()
        if exc_type is None:
            await publish_committed(self._publisher, self._outbox.events)

    def emit(self, topic: str, frame: ServerFrame, audience: Audience = "everyone") -> None:
        self._outbox.emit(topic, frame, audience)

    def emit_dumped(self, event: Event) -> None:
        """``emit`` for a frame already built as its wire dict (the message writer's hot path
        builds ``message.new`` without a model per message; tests/unit compare the two)."""
        self._outbox.events.append(event)

    def before_commit(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run ``hook`` inside the transaction, just before it commits (not on rollback).

        Writes that must commit with the work but are cheaper gathered once per transaction
        go here: the webhook outbox (app/webhooks/outbox.py) turns every event recorded in the
        transaction into its delivery rows with one query, even for a batch of messages.
        """
        self._before_commit.append(hook)


# How background loops and job handlers open units of work: they get this, not the whole
# application state (AppState.uow is one).
UowFactory = Callable[[], UnitOfWork]


async def publish_committed(publisher: Publisher, events: list[Event]) -> None:
    """Publish the events of a committed transaction, in order. A publish that fails loses
    nothing (clients resume from the database), so it is logged and the rest still go out."""
    for event in events:
        try:
            await publisher.publish(event)
        except Exception:
            log.exception("publish failed after commit (clients will resume): %s", event.topic)
