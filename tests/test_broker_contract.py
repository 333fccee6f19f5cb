"""One contract every broker must keep; it runs against the in-process and the Redis broker."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable

import pytest

from app.realtime.broker import Broker, MemoryBroker, broker_from_url

REDIS_URL = os.environ.get("PARLEY_TEST_REDIS", "redis://127.0.0.1:6379/15")


async def redis_available() -> bool:
    broker = broker_from_url(REDIS_URL)
    try:
        return await broker.ping()
    finally:
        await broker.stop()


class Inbox:
    def __init__(self) -> None:
        self.got: list[tuple[str, bytes]] = []
        self.resyncs = 0
        self.changed = asyncio.Event()

    async def deliver(self, topic: str, payload: bytes) -> None:
        self.got.append((topic, payload))
        self.changed.set()

    async def resync(self) -> None:
        self.resyncs += 1

    async def wait(self, count: int, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while len(self.got) < count:
                self.changed.clear()
                await self.changed.wait()


BrokerFactory = Callable[[], Broker]


@pytest.fixture(params=["memory", "redis"])
async def make(request: pytest.FixtureRequest) -> AsyncIterator[BrokerFactory]:
    if request.param == "redis" and not await redis_available():
        if os.environ.get("PARLEY_TEST_REDIS"):
            pytest.fail(f"PARLEY_TEST_REDIS is set but {REDIS_URL} does not answer")
        pytest.skip("no Redis on 127.0.0.1:6379 (CI runs this with PARLEY_TEST_REDIS)")
    made: list[Broker] = []
    shared = MemoryBroker()

    def factory() -> Broker:
        # In one process every hub shares the one in-process broker; Redis brokers are separate
        # connections, as separate processes would have.
        broker = shared if request.param == "memory" else broker_from_url(REDIS_URL)
        made.append(broker)
        return broker

    yield factory
    for broker in made:
        await broker.stop()


async def started(make: BrokerFactory, inbox: Inbox) -> Broker:
    broker = make()
    await broker.start(inbox.deliver, inbox.resync)
    return broker


async def test_delivers_what_is_published_on_a_subscribed_topic_in_order(
    make: BrokerFactory,
) -> None:
    inbox = Inbox()
    broker = await started(make, inbox)
    await broker.subscribe("chat:1")
    for i in range(20):
        await broker.publish("chat:1", f"m{i}".encode())
    await inbox.wait(20)
    assert inbox.got == [("chat:1", f"m{i}".encode()) for i in range(20)]


async def test_topics_are_separate_and_unsubscribe_stops_delivery(make: BrokerFactory) -> None:
    inbox = Inbox()
    broker = await started(make, inbox)
    await broker.subscribe("chat:1")
    await broker.publish("chat:2", b"not for us")
    await broker.publish("chat:1", b"one")
    await inbox.wait(1)
    await broker.unsubscribe("chat:1")
    await broker.publish("chat:1", b"after unsubscribe")
    await broker.subscribe("chat:3")
    await broker.publish("chat:3", b"three")
    await inbox.wait(2)
    assert inbox.got == [("chat:1", b"one"), ("chat:3", b"three")]


async def test_ping_answers_while_running(make: BrokerFactory) -> None:
    broker = await started(make, Inbox())
    assert await broker.ping() is True


async def test_redis_reaches_other_processes(make: BrokerFactory) -> None:
    first, second = Inbox(), Inbox()
    a = await started(make, first)
    b = await started(make, second)
    if a is b:
        pytest.skip("the in-process broker serves one process only")
    await b.subscribe("visitor:9")
    await a.publish("visitor:9", b"across")
    await second.wait(1)
    assert second.got == [("visitor:9", b"across")]
    assert first.got == []


async def test_a_subscription_is_in_force_when_subscribe_returns(make: BrokerFactory) -> None:
    """What another process publishes right after ``subscribe`` returns arrives: callers read
    a snapshot next, and anything committed after it must reach them live."""
    inbox = Inbox()
    listener = await started(make, inbox)
    publisher = make()
    if publisher is not listener:  # the in-process broker is one per process
        await publisher.start(Inbox().deliver)
    for i in range(50):
        await listener.subscribe(f"chat:fresh{i}")
        await publisher.publish(f"chat:fresh{i}", b"right after")
    await inbox.wait(50)
    assert sorted(topic for topic, _ in inbox.got) == sorted(f"chat:fresh{i}" for i in range(50))


async def test_subscribing_while_delivering_does_not_stall_delivery(make: BrokerFactory) -> None:
    """The hub subscribes a socket to a chat while delivering the frame that assigns it; that
    must not hold up the deliveries behind it (it waited for a confirmation only the
    delivering task could read)."""
    inbox = Inbox()
    broker = make()

    async def deliver(topic: str, payload: bytes) -> None:
        await inbox.deliver(topic, payload)
        if topic == "agent:7":
            await broker.subscribe(f"chat:{payload.decode()}")

    await broker.start(deliver)
    await broker.subscribe("agent:7")
    for i in range(4):
        await broker.publish("agent:7", f"c{i}".encode())
    await inbox.wait(4, timeout=1.5)
    await broker.publish("chat:c3", b"in the chat")
    await inbox.wait(5, timeout=1.5)
    assert inbox.got[-1] == ("chat:c3", b"in the chat")
