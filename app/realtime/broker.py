"""The broker: publish/subscribe by topic between processes, behind one small interface."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

# Called with (topic, payload) for every message on a topic this process subscribed to.
Deliver = Callable[[str, bytes], Awaitable[None]]
# Called when deliveries may have been lost (the broker was unreachable): clients must resume.
Resync = Callable[[], Awaitable[None]]


class Broker(Protocol):
    async def start(self, deliver: Deliver, on_resync: Resync | None = None) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, topic: str, payload: bytes) -> None: ...

    async def subscribe(self, topic: str) -> None: ...

    async def unsubscribe(self, topic: str) -> None: ...

    async def ping(self) -> bool: ...


class MemoryBroker:
    """In-process fan-out: the default for a single ``parley serve``."""

    def __init__(self) -> None:
        self._deliver: Deliver | None = None
        self._topics: set[str] = set()

    async def start(self, deliver: Deliver, on_resync: Resync | None = None) -> None:
        self._deliver = deliver

    async def stop(self) -> None:
        self._deliver = None
        self._topics.clear()

    async def publish(self, topic: str, payload: bytes) -> None:
        if self._deliver is not None and topic in self._topics:
            await self._deliver(topic, payload)

    async def subscribe(self, topic: str) -> None:
        self._topics.add(topic)

    async def unsubscribe(self, topic: str) -> None:
        self._topics.discard(topic)

    async def ping(self) -> bool:
        return self._deliver is not None


def broker_from_url(url: str) -> Broker:
    if url.startswith("memory://"):
        return MemoryBroker()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from app.realtime.redis_broker import RedisBroker

        return RedisBroker(url)
    raise ValueError(f"unsupported broker URL {url!r} (memory://, redis://, rediss://)")
