"""The hub's per-socket queues and per-topic subscriptions, with the in-process broker."""

from __future__ import annotations

import orjson

from app.common.events import Event
from app.realtime.broker import MemoryBroker
from app.realtime.hub import CLOSE_SLOW_CONSUMER, Connection, Hub
from app.realtime.visibility import ViewerIdentity


def conn(kind: str = "visitor", ident: str = "v1", size: int = 3) -> Connection:
    return Connection(ViewerIdentity(kind, ident), size)  # type: ignore[arg-type]


def drain(c: Connection) -> list[bytes | None]:
    out = []
    while not c.queue.empty():
        out.append(c.queue.get_nowait())
    return out


def test_a_slow_consumer_is_cut_off_instead_of_buffering_without_bound() -> None:
    c = conn(size=3)
    for i in range(3):
        c.send({"n": i})
    assert c.close_code is None
    c.send({"n": 3})
    assert c.close_code == CLOSE_SLOW_CONSUMER
    assert drain(c) == [None]  # the writer stops; the client reconnects and resumes by seq
    c.send({"n": 4})
    assert drain(c) == []


def test_frames_wait_while_held_and_follow_the_initial_state() -> None:
    c = conn(size=10)
    c.hold()
    c.send({"live": 1})
    c.release({"state": 0})
    assert [orjson.loads(x) for x in drain(c) if x] == [{"state": 0}, {"live": 1}]


async def test_topics_are_subscribed_once_and_released_after_the_last_socket() -> None:
    broker = MemoryBroker()
    hub = Hub(broker)
    await hub.start()
    a, b = conn(ident="v1", size=10), conn(ident="v2", size=10)
    await hub.attach(a, ["chat:1"])
    await hub.attach(b, ["chat:1"])
    frame = {
        "type": "message.new",
        "chat_id": "1",
        "message": {"seq": 1, "public_seq": 1, "kind": "public", "body": "hi"},
    }
    await hub.publish(Event("chat:1", frame))
    assert len(drain(a)) == len(drain(b)) == 1
    await hub.detach(a)
    assert "chat:1" in broker._topics
    await hub.detach(b)
    assert "chat:1" not in broker._topics
    await hub.publish(Event("chat:1", frame))
    assert drain(a) == drain(b) == []
