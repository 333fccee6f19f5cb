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


def _new(chat_id: str, seq: int) -> dict[str, object]:
    return {"type": "message.new", "chat_id": chat_id, "message": {"seq": seq, "body": f"m{seq}"}}


def test_a_message_both_held_and_replayed_by_a_resume_is_sent_once() -> None:
    # A resume subscribes, then reads history; a message committed in between is both held
    # live and in the history. The other chat's frames and later messages stay.
    c = conn(size=20)
    c.hold()
    for frame in (_new("c1", 3), _new("c2", 3), {"type": "typing"}, _new("c1", 4), _new("c1", 5)):
        c.send(frame)
    done = {"type": "resume.done", "chat_id": "c1", "last_seq": 4}
    c.release_replay("c1", 4, _new("c1", 3), _new("c1", 4), done)
    shown = [orjson.loads(x) for x in drain(c) if x]
    assert shown == [
        _new("c1", 3),
        _new("c1", 4),
        done,
        _new("c2", 3),
        {"type": "typing"},
        _new("c1", 5),
    ]


def test_a_resume_starts_past_what_the_socket_was_just_sent_live() -> None:
    # A client reconnects with seq 2 shown; 3 and 4 reach the new socket live before its
    # resume from 2 is read: the resume starts after 4. A run with a hole, or a client whose
    # last seq lies before it (it has 3 missing), gets everything after its own seq.
    c = conn(size=20)
    assert c.resume_from("chat:1", 2) == 2
    c.sent_live("chat:1", 3)
    c.sent_live("chat:1", 4)
    assert [c.resume_from("chat:1", s) for s in (1, 2, 3, 4, 5)] == [1, 4, 4, 4, 5]
    assert c.resume_from("chat:2", 2) == 2  # another chat's run is its own
    c.sent_live("chat:1", 6)  # 5 went to another tab (the sender's ack), or is on its way
    assert [c.resume_from("chat:1", s) for s in (4, 5, 6)] == [4, 6, 6]
    c.forget_live("chat:1")  # unsubscribed
    assert c.resume_from("chat:1", 5) == 5


async def test_the_hub_records_the_run_of_messages_each_socket_was_sent() -> None:
    # The visitor sees public seqs; a whisper is not theirs, so their run has no hole from it.
    hub = Hub(MemoryBroker())
    await hub.start()
    visitor, agent = conn("visitor", "v1", 10), conn("agent", "a1", 10)
    await hub.attach(visitor, ["chat:1"])
    await hub.attach(agent, ["chat:1"])
    author = {"type": "agent", "id": "a2", "name": "B"}
    for seq, public_seq, kind in ((1, 1, "public"), (2, None, "whisper"), (3, 2, "public")):
        message = {
            "seq": seq,
            "public_seq": public_seq,
            "kind": kind,
            "body": "x",
            "author": author,
        }
        frame = {"type": "message.new", "chat_id": "1", "message": message}
        await hub.publish(Event("chat:1", frame))
    assert (len(drain(visitor)), len(drain(agent))) == (2, 3)
    assert visitor.resume_from("chat:1", 1) == 2
    assert agent.resume_from("chat:1", 2) == 3
    # From 0 a client loads the history: it may have passed over frames it did not follow.
    assert visitor.resume_from("chat:1", 0) == agent.resume_from("chat:1", 0) == 0
    await hub.detach(visitor)
    assert visitor.resume_from("chat:1", 1) == 1
    await hub.stop()
