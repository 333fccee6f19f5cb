"""The sockets of this process, and delivery of broker events to those that may see them."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from typing import Any

import orjson

from app.common.events import (
    CLOSE_SESSION_CHANGED,
    SESSION_CLOSED,
    Event,
    Side,
    chat_topic,
    decode,
)
from app.metrics import DELIVERY, SLOW_CONSUMERS, SOCKETS
from app.realtime.broker import Broker
from app.realtime.schemas import Resync
from app.realtime.visibility import ViewerIdentity, is_own_echo, present

log = logging.getLogger(__name__)

# Close code for a socket whose client cannot keep up; it reconnects and resumes from its seq.
CLOSE_SLOW_CONSUMER = 4408

# Frames that make a socket a member of a chat: from then on it receives the chat's topic.
_JOINING_FRAMES = frozenset({"chat.started", "chat.assigned", "chat.offered"})


# Sent to every socket after the broker was unreachable: resume each chat shown.
RESYNC = Resync().dump()


class Outbox:
    """A socket's bounded queue of encoded frames, drained by its one writer: the part of
    ``asyncio.Queue`` a socket uses, without its three deques and an Event (about 3 KiB a
    socket, measured with tracemalloc: docs/performance.md). Mostly empty or a few frames
    long, so a list serves as the queue."""

    __slots__ = ("_items", "_waiter", "maxsize")

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: list[bytes | None] = []
        self._waiter: asyncio.Future[None] | None = None

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def put_nowait(self, item: bytes | None) -> None:
        if len(self._items) >= self.maxsize:
            raise asyncio.QueueFull
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def get_nowait(self) -> bytes | None:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.pop(0)

    async def get(self) -> bytes | None:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)


class Connection:
    """One socket's outgoing side: a bounded queue drained by the socket's writer task."""

    __slots__ = (
        "_held", "_live", "active", "close_code", "display_name", "queue", "topics", "viewer",
    )  # fmt: skip

    def __init__(
        self,
        viewer: ViewerIdentity,
        queue_size: int,
        display_name: str | None = None,
    ) -> None:
        self.viewer = viewer
        # The name a typing indicator shows; a visitor's changes with their pre-chat form.
        self.display_name = display_name
        self.topics: set[str] = set()
        self.queue = Outbox(queue_size)
        self.close_code: int | None = None
        # Set when the person behind the socket did something (not a keep-alive ping).
        self.active = False
        # While set, frames wait here: a socket subscribes before its initial state is loaded,
        # and what arrives meanwhile must follow that state, not precede it.
        self._held: list[bytes] | None = None
        # Per chat topic, the last run of message seqs sent to this socket live, one after the
        # other: [first, last]. Made on the first message, so an idle socket pays nothing.
        self._live: dict[str, list[int]] | None = None

    def hold(self) -> None:
        self._held = []

    def release(self, *first: dict[str, Any]) -> None:
        """Send ``first`` (the state just loaded), then what arrived while holding."""
        held, self._held = self._held or [], None
        for frame in first:
            self.send(frame)
        for data in held:
            self.offer(data)

    def sent_live(self, topic: str, seq: int) -> None:
        """A ``message.new`` with this seq was queued for the socket (in order, so the client
        is shown it before anything queued later)."""
        if self._live is None:
            self._live = {}
        run = self._live.get(topic)
        if run is not None and seq == run[1] + 1:
            run[1] = seq
        else:
            self._live[topic] = [seq, seq]

    def resume_from(self, topic: str, after_seq: int) -> int:
        """Where a resume of the chat from ``after_seq`` need start: past the live run when the
        client's last seq lies in it or just before it. A client that reconnects and then asks
        for what it missed is often sent some of it live first (the shipped clients show such
        a message as the next one); it is not sent again. A resume from 0 loads a chat's
        history: a client may have passed over frames of a chat it did not follow yet."""
        run = self._live.get(topic) if self._live and after_seq > 0 else None
        if run is not None and run[0] - 1 <= after_seq <= run[1]:
            return run[1]
        return after_seq

    def forget_live(self, topic: str) -> None:
        if self._live:
            self._live.pop(topic, None)

    def release_replay(self, chat_id: str, last_seq: int, *first: dict[str, Any]) -> None:
        """``release`` after a resume: a held ``message.new`` of the chat up to ``last_seq`` was
        committed while the history was read, so the replay in ``first`` has it already."""
        if self._held:
            self._held = [data for data in self._held if not _replayed(data, chat_id, last_seq)]
        self.release(*first)

    def send(self, frame: dict[str, Any]) -> None:
        self.offer(orjson.dumps(frame))

    def offer(self, data: bytes) -> None:
        if self.close_code is not None:
            return
        if self._held is not None:
            if len(self._held) >= self.queue.maxsize:
                self.close(CLOSE_SLOW_CONSUMER)
            else:
                self._held.append(data)
            return
        try:
            self.queue.put_nowait(data)
        except asyncio.QueueFull:
            SLOW_CONSUMERS.inc()
            self.close(CLOSE_SLOW_CONSUMER)

    def close(self, code: int) -> None:
        """Ask the writer to stop; what was queued is dropped, the client resumes by seq."""
        if self.close_code is not None:
            return
        self.close_code = code
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)

    def close_after(self, data: bytes, code: int) -> None:
        """Send ``data`` after what is queued, then close (the client learns why)."""
        if self.close_code is not None:
            return
        self._held = None  # frames held for a snapshot: the client resumes after reconnecting
        if self.queue.qsize() + 2 > self.queue.maxsize:
            self.close(code)
            return
        self.queue.put_nowait(data)
        self.close_code = code
        self.queue.put_nowait(None)


def _message_seq(view: dict[str, Any] | None) -> int | None:
    """The seq of a ``message.new`` as this audience sees it, or None for any other frame."""
    if view is None or view.get("type") != "message.new":
        return None
    seq = (view.get("message") or {}).get("seq")
    return seq if isinstance(seq, int) else None


def _replayed(data: bytes, chat_id: str, last_seq: int) -> bool:
    """A held frame is one the replay up to ``last_seq`` of the chat holds (parsed only on a
    resume's release: a few frames, not the hot path)."""
    if b'"message.new"' not in data:
        return False
    frame = orjson.loads(data)
    message = frame.get("message") or {}
    return (
        frame.get("type") == "message.new"
        and frame.get("chat_id") == chat_id
        and isinstance(message.get("seq"), int)
        and message["seq"] <= last_seq
    )


class Hub:
    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self._subscribers: dict[str, set[Connection]] = defaultdict(set)
        self._connections: set[Connection] = set()
        # Topics whose broker subscription is on its way: later subscribers wait for it too.
        self._pending: dict[str, asyncio.Future[None]] = {}

    async def start(self) -> None:
        await self.broker.start(self._deliver, self._resync)

    async def _resync(self) -> None:
        """Deliveries may have been lost: every client resumes its chats from its last seq."""
        for conn in list(self._connections):
            conn.send(RESYNC)

    async def stop(self) -> None:
        await self.broker.stop()

    async def publish(self, event: Event) -> None:
        await self.broker.publish(event.topic, event.encode())

    async def attach(self, conn: Connection, topics: list[str]) -> None:
        self._connections.add(conn)
        SOCKETS.labels(conn.viewer.side).inc()
        for topic in topics:
            await self.subscribe(conn, topic)

    async def detach(self, conn: Connection) -> None:
        if conn in self._connections:
            SOCKETS.labels(conn.viewer.side).dec()
        self._connections.discard(conn)
        for topic in list(conn.topics):
            await self.unsubscribe(conn, topic)

    async def subscribe(self, conn: Connection, topic: str) -> None:
        """Returns once the broker delivers the topic to this process, so whatever the caller
        reads next (a snapshot, history) cannot miss an event published in between."""
        if topic not in conn.topics:
            conn.topics.add(topic)
            first = not self._subscribers[topic]
            self._subscribers[topic].add(conn)
            if first:
                await self._subscribe_broker(topic)
                return
        pending = self._pending.get(topic)
        if pending is not None:
            await asyncio.shield(pending)

    async def _subscribe_broker(self, topic: str) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending[topic] = done
        try:
            await self.broker.subscribe(topic)
        finally:
            if self._pending.get(topic) is done:
                del self._pending[topic]
            done.set_result(None)

    async def unsubscribe(self, conn: Connection, topic: str) -> None:
        conn.topics.discard(topic)
        conn.forget_live(topic)
        subscribers = self._subscribers.get(topic)
        if subscribers is None:
            return
        subscribers.discard(conn)
        if not subscribers:
            del self._subscribers[topic]
            await self.broker.unsubscribe(topic)

    def attached(self, conn: Connection) -> bool:
        """The socket is still open here (between attach and detach)."""
        return conn in self._connections

    def local_agent_ids(self) -> set[str]:
        return {c.viewer.id for c in self._connections if c.viewer.side == "agent"}

    def take_active_agent_ids(self) -> set[str]:
        """Agents who did something since the last call (their activity flags are reset)."""
        active = set()
        for conn in self._connections:
            if conn.viewer.side == "agent" and conn.active:
                active.add(conn.viewer.id)
                conn.active = False
        return active

    def connection_count(self) -> int:
        return len(self._connections)

    def close_all(self, code: int) -> None:
        for conn in list(self._connections):
            conn.close(code)

    async def _deliver(self, topic: str, payload: bytes) -> None:
        subscribers = self._subscribers.get(topic)
        if not subscribers:
            return
        frame, audience, published = decode(payload)
        DELIVERY.observe(max(time.time() - published, 0.0))
        views: dict[Side, tuple[dict[str, Any] | None, bytes, int | None]] = {}
        for conn in list(subscribers):
            kind = conn.viewer.side
            if kind not in views:
                view = present(frame, audience, kind)
                data = orjson.dumps(view) if view is not None else b""
                views[kind] = (view, data, _message_seq(view))
            view, data, seq = views[kind]
            if view is None or is_own_echo(view, conn.viewer):
                continue
            if view.get("type") == SESSION_CLOSED:
                conn.close_after(data, int(view.get("code") or CLOSE_SESSION_CHANGED))
                continue
            conn.offer(data)
            if seq is not None:
                conn.sent_live(topic, seq)
            await self._follow(conn, view)

    async def _follow(self, conn: Connection, frame: dict[str, Any]) -> None:
        """Keep a socket's chat subscriptions in step with the frames it receives."""
        kind = frame.get("type")
        chat_id = frame.get("chat_id")
        if not isinstance(chat_id, str):
            return
        if kind in _JOINING_FRAMES:
            await self.subscribe(conn, chat_topic(chat_id))
        elif (
            kind == "chat.transferred"
            and conn.viewer.side == "agent"
            and frame.get("from_agent_id") == conn.viewer.id
        ):
            await self.unsubscribe(conn, chat_topic(chat_id))
