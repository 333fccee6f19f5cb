"""Fan-out between processes over Redis pub/sub, behind the same Broker interface.

One pub/sub connection per process carries every topic this process has local listeners for.
A supervised listener task reads it; when Redis drops, the task reconnects with backoff and
resubscribes. Messages published while Redis was away were committed but never delivered, so
on recovery every process is told to have its clients ``resume`` (they lose nothing, they get
it late).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable

import redis.asyncio as redis
from redis.asyncio.client import PubSub
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app.realtime.broker import Deliver

log = logging.getLogger(__name__)

_PREFIX = "parley:"
# Always subscribed, so the listener has a connection to read even with no other topic, and
# the channel on which one process tells all others that clients must resync.
CONTROL = _PREFIX + "_control"
_RESYNC = b"resync"
_BACKOFF_MAX_S = 5.0
# How long a subscriber waits for Redis to confirm a SUBSCRIBE. Longer means Redis is away:
# the subscriber carries on, and the resubscription and resync on reconnect cover the gap.
_CONFIRM_TIMEOUT_S = 2.0


class RedisBroker:
    def __init__(self, url: str) -> None:
        # Short timeouts: while Redis is away a publish must fail fast (the message is already
        # committed; clients resume later), not hold up the sender's acknowledgement.
        self._redis = redis.Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=15
        )
        self._topics: set[str] = set()
        self._pubsub: PubSub | None = None
        self._lock = asyncio.Lock()
        self._deliver: Deliver | None = None
        self._on_resync: Callable[[], Awaitable[None]] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._publish_failed = False
        # SUBSCRIBEs sent and not yet confirmed, per channel, in the order sent (Redis confirms
        # in that order).
        self._unconfirmed: dict[str, list[asyncio.Future[None]]] = {}

    async def start(
        self, deliver: Deliver, on_resync: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        self._deliver = deliver
        self._on_resync = on_resync
        ready = asyncio.Event()
        self._listener = asyncio.create_task(self._supervise(ready))
        # Wait briefly for the first subscription, so early publishes find us listening; if
        # Redis is down at start, serve anyway: the listener keeps trying.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ready.wait(), 5)

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._close_pubsub()
        await self._redis.aclose()

    async def publish(self, topic: str, payload: bytes) -> None:
        try:
            try:
                await self._redis.publish(_PREFIX + topic, payload)
            except (RedisConnectionError, RedisTimeoutError, OSError):
                # After Redis restarts, a pooled connection from before fails on first use; a
                # fresh one does not. One immediate retry (a repeat is dropped by seq).
                await self._redis.publish(_PREFIX + topic, payload)
        except RedisError:
            self._publish_failed = True
            raise
        if self._publish_failed:
            # Something published from here was lost in transit: everyone resyncs.
            self._publish_failed = False
            await self._redis.publish(CONTROL, _RESYNC)

    async def subscribe(self, topic: str) -> None:
        """Returns when Redis confirms the subscription (messages published from then on reach
        this process), or after a short timeout while Redis is away."""
        channel = _PREFIX + topic
        confirmed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # Asked for while this process delivers a message (the hub following a socket into a
        # chat it was just given), the confirmation could only be read by the task that is
        # asking: it is sent, not awaited. The client resumes the chat it was given anyway.
        delivering = asyncio.current_task() is self._listener
        async with self._lock:
            self._topics.add(topic)
            if self._pubsub is None:
                return
            if delivering:
                with contextlib.suppress(RedisError):
                    await self._pubsub.subscribe(channel)
                return
            waiting = self._unconfirmed.setdefault(channel, [])
            waiting.append(confirmed)
            try:
                await self._pubsub.subscribe(channel)
            except RedisError:
                waiting.remove(confirmed)
                return
        try:
            await asyncio.wait_for(asyncio.shield(confirmed), _CONFIRM_TIMEOUT_S)
        except TimeoutError:
            log.warning("redis did not confirm the subscription to %s in time", topic)
        finally:
            waiting = self._unconfirmed.get(channel, [])
            if confirmed in waiting:
                waiting.remove(confirmed)

    async def unsubscribe(self, topic: str) -> None:
        async with self._lock:
            self._topics.discard(topic)
            if self._pubsub is not None:
                with contextlib.suppress(RedisError):
                    await self._pubsub.unsubscribe(_PREFIX + topic)

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except RedisError:
            return False

    async def _supervise(self, ready: asyncio.Event) -> None:
        backoff = 0.1
        recovering = False
        while True:
            try:
                async with self._lock:
                    await self._close_pubsub()
                    pubsub = self._redis.pubsub()
                    await pubsub.subscribe(CONTROL, *(_PREFIX + t for t in self._topics))
                    self._pubsub = pubsub
                ready.set()
                if recovering:
                    log.warning("redis is back; resubscribed %d topics", len(self._topics))
                    recovering = False
                    # What was published while this process was not listening is lost to its
                    # sockets: they resync. Told directly, not through Redis, where the notice
                    # could overtake this process's own SUBSCRIBE and miss it.
                    if self._on_resync is not None:
                        await self._on_resync()
                backoff = 0.1
                await self._listen(pubsub)
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                if not recovering:
                    log.warning("redis connection lost (%s); reconnecting", exc)
                recovering = True
                # Full jitter, so a fleet of processes does not reconnect in lock-step.
                await asyncio.sleep(random.uniform(0, backoff))
                backoff = min(backoff * 2, _BACKOFF_MAX_S)

    async def _listen(self, pubsub: PubSub) -> None:
        async for message in pubsub.listen():
            kind = message.get("type")
            if kind == "subscribe":
                self._confirm(message["channel"].decode())
                continue
            if kind != "message":
                continue
            channel = message["channel"].decode()
            if channel == CONTROL:
                if message["data"] == _RESYNC and self._on_resync is not None:
                    await self._on_resync()
                continue
            if self._deliver is not None:
                await self._deliver(channel.removeprefix(_PREFIX), message["data"])

    def _confirm(self, channel: str) -> None:
        waiting = self._unconfirmed.get(channel)
        if waiting:
            first = waiting.pop(0)
            if not first.done():
                first.set_result(None)
        if not waiting:
            self._unconfirmed.pop(channel, None)

    async def _close_pubsub(self) -> None:
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()  # type: ignore[no-untyped-call]
            self._pubsub = None
