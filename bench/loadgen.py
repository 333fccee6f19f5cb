"""The load generator: its own process, speaking only the public contract (or the relay's).

``python -m bench.loadgen '<spec as JSON>'`` runs one scenario against one target and prints
its figures as one JSON line. Send and receive times are taken in this one process, so a
delivery latency is measured on one clock. Messages are sent open-loop at a fixed rate (a
sender never waits for the previous answer), so a slow server shows up as latency, not as a
politely lowered rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import resource
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

Frame = dict[str, Any]
Spec = dict[str, Any]

CONNECT_CONCURRENCY = 200
APP_PING_EVERY_S = 20.0  # Parley closes a socket that sends nothing for 75 s, like the widget.
_ids = itertools.count(1)
# Set whenever any socket receives a frame: waiting for a condition re-checks it then.
PROGRESS = asyncio.Event()


def phase(name: str) -> None:
    """A line on stderr as a measured phase starts or ends, for a profiler to sample just it
    (bench.profile --phase)."""
    print(f"phase {name}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- measuring the server


@dataclass
class ServerProbe:
    """CPU seconds and resident memory of the server processes, read from /proc."""

    pids: list[int]

    def cpu_s(self) -> float:
        total = 0
        for pid in self.pids:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / os.sysconf("SC_CLK_TCK")

    def rss_mib(self) -> float:
        total = 0
        for pid in self.pids:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        return total / 1024


def own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def latency_summary(latencies_ms: list[float]) -> dict[str, float]:
    values = sorted(latencies_ms)
    return {
        "p50_ms": round(percentile(values, 50), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "p99_ms": round(percentile(values, 99), 2),
        "max_ms": round(values[-1], 2) if values else 0.0,
    }


# ---------------------------------------------------------------- one socket


class Peer:
    """One websocket; frames go to ``on_frame`` as they arrive."""

    def __init__(
        self, ws: ClientConnection, role: str, on_frame: Callable[[Peer, Frame], None], index: int
    ) -> None:
        self.ws = ws
        self.role = role
        self.index = index  # which visitor or agent of the scenario this is
        self.on_frame = on_frame
        self.chat_id: str | None = None
        self.last_seq = 0
        self.waiters: dict[str, asyncio.Future[Frame]] = {}
        self.closed = False
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                frame = orjson.loads(raw)
                waiter = self.waiters.pop(frame.get("type"), None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(frame)
                self.on_frame(self, frame)
                PROGRESS.set()
        except ConnectionClosed:
            pass
        finally:
            self.closed = True
            for waiter in self.waiters.values():
                if not waiter.done():
                    waiter.set_exception(ConnectionError(f"closed {self.ws.close_code}"))

    def expect(self, type_: str) -> asyncio.Future[Frame]:
        """A future for the next frame of this type; ask before sending what causes it."""
        future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self.waiters[type_] = future
        return future

    async def send(self, frame: Frame) -> None:
        await self.ws.send(orjson.dumps(frame).decode())

    def abort(self) -> None:
        """Cut the TCP connection without a closing handshake, as a dead network would."""
        transport = self.ws.transport
        transport.abort()

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 5)
        self.reader.cancel()
        with contextlib.suppress(BaseException):
            await self.reader


def _ignore(_peer: Peer, _frame: Frame) -> None:
    return None


async def open_socket(
    url: str, role: str, index: int, on_frame: Callable[[Peer, Frame], None] = _ignore
) -> Peer:
    # Browsers offer permessage-deflate; so does this client (websockets' default).
    ws = await connect(url, open_timeout=60, ping_interval=None, max_size=2**22)
    return Peer(ws, role, on_frame, index)


async def bounded(jobs: Iterable[Awaitable[Any]], limit: int = CONNECT_CONCURRENCY) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def run(job: Awaitable[Any]) -> Any:
        async with gate:
            return await job

    return await asyncio.gather(*(run(j) for j in jobs))


async def keep_alive(peers: list[Peer]) -> None:
    """Application pings, spread over the interval, like the widget's."""
    while True:
        for chunk in range(0, len(peers), 500):
            for peer in peers[chunk : chunk + 500]:
                if not peer.closed:
                    with contextlib.suppress(Exception):
                        await peer.send({"type": "ping"})
            await asyncio.sleep(APP_PING_EVERY_S * 500 / max(len(peers), 500))


# ---------------------------------------------------------------- targets


@dataclass
class Target:
    """How to open visitor and agent sockets on Parley or on the relay."""

    kind: str  # "parley" | "relay"
    ws_urls: list[str]
    http_urls: list[str]
    site_key: str = ""
    agent_tokens: list[str] = field(default_factory=list)

    @classmethod
    def from_spec(cls, spec: Spec) -> Target:
        return cls(
            spec["target"],
            spec["ws_urls"],
            spec["http_urls"],
            spec.get("site_key", ""),
            spec.get("agent_tokens", []),
        )

    async def visitor_token(self, http: httpx.AsyncClient, i: int) -> str:
        if self.kind == "relay":
            return ""
        base = self.http_urls[i % len(self.http_urls)]
        r = await http.post(f"{base}/api/v1/widget/session", json={"site_key": self.site_key})
        r.raise_for_status()
        token: str = r.json()["visitor_token"]
        return token

    async def visitor(
        self, i: int, token: str, on_frame: Callable[[Peer, Frame], None] = _ignore
    ) -> Peer:
        base = self.ws_urls[i % len(self.ws_urls)]
        query = f"pair={i}" if self.kind == "relay" else f"token={token}"
        peer = await open_socket(f"{base}/ws/visitor?{query}", "visitor", i, on_frame)
        if self.kind == "parley":
            await asyncio.wait_for(peer.expect("hello"), 30)
        return peer

    async def agent(self, i: int, on_frame: Callable[[Peer, Frame], None] = _ignore) -> Peer:
        # Agents sit on another process than the visitor with the same index, when there is one.
        base = self.ws_urls[(i + 1) % len(self.ws_urls)]
        if self.kind == "relay":
            return await open_socket(f"{base}/ws/agent?pair={i}", "agent", i, on_frame)
        token = self.agent_tokens[i % len(self.agent_tokens)]
        peer = await open_socket(f"{base}/ws/agent?token={token}", "agent", i, on_frame)
        await asyncio.wait_for(peer.expect("hello"), 30)
        return peer


# ---------------------------------------------------------------- pairs (conversation, storm)


@dataclass
class Pairs:
    """P visitors each in a chat with an agent; for the relay, P socket pairs."""

    target: Target
    visitors: list[Peer] = field(default_factory=list)
    agents: list[Peer] = field(default_factory=list)
    # per pair: the socket each side sends on, and the chat id (Parley)
    visitor_of: list[Peer] = field(default_factory=list)
    agent_of: list[Peer] = field(default_factory=list)
    chat_of: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    on_frame: Callable[[Peer, Frame], None] = _ignore  # the scenario's
    _assignments: Callable[[Peer, Frame], None] = _ignore  # while opening: who got which chat
    pinger: asyncio.Task[None] | None = None

    async def open(self, count: int, agents: int) -> None:
        await self._open(count, agents)
        self.pinger = asyncio.create_task(keep_alive([*self.visitors, *self.agents]))

    async def _open(self, count: int, agents: int) -> None:
        t = self.target
        if t.kind == "relay":
            self.agents = await bounded(t.agent(i, self._dispatch) for i in range(count))
            self.visitors = await bounded(t.visitor(i, "", self._dispatch) for i in range(count))
            self.visitor_of, self.agent_of = list(self.visitors), list(self.agents)
            self.chat_of = [str(i) for i in range(count)]
            return
        self.agents = await bounded(t.agent(i, self._dispatch) for i in range(agents))
        async with httpx.AsyncClient(timeout=60) as http:
            self.tokens = await bounded((t.visitor_token(http, i) for i in range(count)), limit=20)
        self.visitors = await bounded(
            t.visitor(i, self.tokens[i], self._dispatch) for i in range(count)
        )
        assigned: dict[str, Peer] = {}
        waiting: dict[str, asyncio.Future[None]] = {}

        def note_assignment(peer: Peer, frame: Frame) -> None:
            if peer.role == "agent" and frame.get("type") == "chat.assigned":
                assigned[frame["chat_id"]] = peer
                done = waiting.get(frame["chat_id"])
                if done is not None and not done.done():
                    done.set_result(None)

        self._assignments = note_assignment

        async def start(peer: Peer, i: int) -> str:
            started = peer.expect("chat.started")
            await peer.send({"type": "chat.start", "pre_chat": {"name": f"Bench visitor {i}"}})
            chat_id: str = (await asyncio.wait_for(started, 30))["chat_id"]
            peer.chat_id = chat_id
            if chat_id not in assigned:
                waiting[chat_id] = asyncio.get_running_loop().create_future()
                await asyncio.wait_for(waiting[chat_id], 30)
            return chat_id

        self.chat_of = await bounded((start(v, i) for i, v in enumerate(self.visitors)), limit=20)
        self.visitor_of = list(self.visitors)
        self.agent_of = [assigned[c] for c in self.chat_of]

    def _dispatch(self, peer: Peer, frame: Frame) -> None:
        self._assignments(peer, frame)
        self.on_frame(peer, frame)

    async def close(self) -> None:
        if self.pinger is not None:
            self.pinger.cancel()
        await bounded((p.close() for p in [*self.visitor_of, *self.agents]), limit=500)


def message_frame(kind: str, chat_id: str, body: str, client_msg_id: str) -> Frame:
    if kind == "relay":
        return {"type": "message.send", "body": body, "client_msg_id": client_msg_id}
    return {
        "type": "message.send",
        "chat_id": chat_id,
        "body": body,
        "kind": "public",
        "client_msg_id": client_msg_id,
    }


@dataclass
class Tally:
    """Deliveries and acks of one measured window."""

    sent: dict[int, int] = field(default_factory=dict)  # message number -> send time (ns)
    delivered: set[int] = field(default_factory=set)
    duplicates: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    acks: int = 0
    errors: int = 0
    error_samples: list[Frame] = field(default_factory=list)
    closed_sockets: int = 0

    def on_frame(self, peer: Peer, frame: Frame) -> None:
        kind = frame.get("type")
        if kind == "message.new":
            message = frame["message"]
            if message["author"]["type"] == peer.role:
                return  # our own message echoed to our other tabs
            self._deliver(message["body"])
        elif kind == "message.send":  # the relay forwards the frame as sent
            self._deliver(frame["body"])
        elif kind == "message.ack":
            self.acks += 1
        elif kind == "error":
            self.errors += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(frame)

    def _deliver(self, body: str) -> None:
        number, _, sent_ns = body.partition("|")
        n = int(number)
        if n in self.delivered:
            self.duplicates += 1
            return
        if n not in self.sent:
            return  # from an earlier window
        self.delivered.add(n)
        self.latencies_ms.append((time.monotonic_ns() - int(sent_ns)) / 1e6)


async def converse(pairs: Pairs, rate: float, seconds: float, probe: ServerProbe) -> Frame:
    """Both sides of every pair send at ``rate`` msg/s in total for ``seconds``."""
    tally = Tally()
    pairs.on_frame = tally.on_frame
    kind = pairs.target.kind
    senders = [(p, pairs.visitor_of[p]) for p in range(len(pairs.chat_of))] + [
        (p, pairs.agent_of[p]) for p in range(len(pairs.chat_of))
    ]
    interval = len(senders) / rate
    start = time.monotonic() + 0.2
    end = start + seconds

    async def sender(index: int, pair: int, peer: Peer) -> None:
        chat_id = pairs.chat_of[pair]
        next_at = start + interval * index / len(senders)  # spread the senders' phases
        while next_at < end:
            delay = next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            n = next(_ids)
            now = time.monotonic_ns()
            tally.sent[n] = now
            frame = message_frame(kind, chat_id, f"{n}|{now}", f"b{n}")
            try:
                await peer.send(frame)
            except ConnectionClosed:
                tally.closed_sockets += 1
                return
            next_at += interval

    cpu0, own0, wall0 = probe.cpu_s(), own_cpu_s(), time.monotonic()
    await asyncio.gather(*(sender(i, p, peer) for i, (p, peer) in enumerate(senders)))
    wall = time.monotonic() - wall0
    cpu1, own1 = probe.cpu_s(), own_cpu_s()
    await _settle(
        lambda: (
            len(tally.delivered) == len(tally.sent)
            and (kind == "relay" or tally.acks >= len(tally.sent))
        ),
        10,
    )
    # CPU per message counts until the last one is delivered and acked: on a loaded machine a
    # starved server does part of a window's work after it, which cores-in-the-window misses.
    cpu_settled = probe.cpu_s()
    pairs.on_frame = _ignore
    sent = len(tally.sent)
    return {
        "target_rate": rate,
        "achieved_rate": round(sent / seconds, 1),
        "sent": sent,
        "delivered": len(tally.delivered),
        "lost": sent - len(tally.delivered),
        "duplicates": tally.duplicates,
        "acks": tally.acks if kind == "parley" else None,
        "errors": tally.errors + tally.closed_sockets,
        "error_samples": tally.error_samples,
        **latency_summary(tally.latencies_ms),
        "server_cpu_cores": round((cpu1 - cpu0) / wall, 2),
        "server_cpu_ms_per_message": round(1000 * (cpu_settled - cpu0) / max(sent, 1), 3),
        "loadgen_cpu_cores": round((own1 - own0) / wall, 2),
        "server_rss_mib": round(probe.rss_mib(), 1),
    }


def healthy(step: Frame, p99_limit_ms: float) -> bool:
    return bool(
        step["errors"] == 0
        and step["lost"] == 0
        and step["p99_ms"] <= p99_limit_ms
        and step["achieved_rate"] >= 0.9 * step["target_rate"]
    )


# ---------------------------------------------------------------- scenarios


async def scenario_idle(target: Target, spec: Spec, probe: ServerProbe) -> Frame:
    """N visitor sockets with sessions started, held idle."""
    count = int(spec["sockets"])
    rss0 = probe.rss_mib()
    t0 = time.monotonic()
    async with httpx.AsyncClient(timeout=60) as http:
        tokens = await bounded((target.visitor_token(http, i) for i in range(count)), limit=20)
    t_sessions = time.monotonic() - t0
    phase("connects")
    t1 = time.monotonic()
    peers = await bounded(target.visitor(i, tokens[i]) for i in range(count))
    t_sockets = time.monotonic() - t1
    phase("end")
    pinger = asyncio.create_task(keep_alive(peers))
    await asyncio.sleep(float(spec.get("settle_s", 3)))
    rss1 = probe.rss_mib()
    alive = sum(not p.closed for p in peers)
    pinger.cancel()
    await bounded((p.close() for p in peers), limit=1000)
    return {
        "sockets": count,
        "held": alive,
        "server_rss_before_mib": round(rss0, 1),
        "server_rss_mib": round(rss1, 1),
        "rss_per_1000_sockets_mib": round((rss1 - rss0) / count * 1000, 1),
        "sessions_per_s": round(count / t_sessions, 1) if target.kind == "parley" else None,
        "connects_per_s": round(count / t_sockets, 1),
        "visitors_per_s": round(count / (t_sessions + t_sockets), 1),
    }


async def scenario_conversation(target: Target, spec: Spec, probe: ServerProbe) -> Frame:
    pairs = Pairs(target)
    await pairs.open(int(spec["pairs"]), int(spec.get("agents", 0)))
    steps = []
    try:
        for rate in spec["rates"]:
            steps.append(await converse(pairs, float(rate), float(spec["seconds"]), probe))
    finally:
        await pairs.close()
    return {"pairs": int(spec["pairs"]), "steps": steps}


async def scenario_max(target: Target, spec: Spec, probe: ServerProbe) -> Frame:
    """Raise the rate until p99 passes the limit or anything goes wrong."""
    limit = float(spec.get("p99_limit_ms", 100))
    pairs = Pairs(target)
    await pairs.open(int(spec["pairs"]), int(spec.get("agents", 0)))
    steps: list[Frame] = []
    best = 0.0
    try:
        for rate in spec["rates"]:
            step = await converse(pairs, float(rate), float(spec["seconds"]), probe)
            steps.append(step)
            if not healthy(step, limit):
                # One stall on a shared 2-core machine can spoil a short step: try it again.
                await asyncio.sleep(2)
                step = await converse(pairs, float(rate), float(spec["seconds"]), probe)
                steps.append({**step, "retry": True})
                if not healthy(step, limit):
                    break
            best = step["achieved_rate"]
            await asyncio.sleep(1)
    finally:
        await pairs.close()
    return {"pairs": int(spec["pairs"]), "max_rate": best, "p99_limit_ms": limit, "steps": steps}


async def scenario_storm(target: Target, spec: Spec, probe: ServerProbe) -> Frame:
    """Every visitor drops at once and comes back at once; nothing may be lost or doubled."""
    count = int(spec["visitors"])
    pairs = Pairs(target)
    seen: dict[int, list[int]] = {}  # pair -> public seqs the visitor was shown, in order

    def on_frame(peer: Peer, frame: Frame) -> None:
        if frame.get("type") == "message.new" and peer.role == "visitor":
            seq = frame["message"]["seq"]
            seen.setdefault(peer.index, []).append(seq)
            peer.last_seq = max(peer.last_seq, seq)

    pairs.on_frame = on_frame
    await pairs.open(count, int(spec.get("agents", 0)))
    kind = target.kind
    if kind == "relay":
        return await _relay_storm(pairs, probe)
    try:
        # One message each way while connected.
        for i in range(count):
            await pairs.visitor_of[i].send(message_frame(kind, pairs.chat_of[i], "hi", f"v{i}"))
            await pairs.agent_of[i].send(message_frame(kind, pairs.chat_of[i], "hello", f"a{i}"))
        await _settle(lambda: all(len(seen.get(i, [])) >= 2 for i in range(count)), 30)
        before = {i: list(seen.get(i, [])) for i in range(count)}
        # Everyone drops; the agents answer into the void.
        for v in pairs.visitor_of:
            v.abort()
        for i in range(count):
            await pairs.agent_of[i].send(
                message_frame(kind, pairs.chat_of[i], "while you were away", f"m{i}")
            )
        await asyncio.sleep(1)
        phase("storm")
        t0 = time.monotonic()
        cpu0 = probe.cpu_s()
        back = await asyncio.gather(*(_come_back(pairs, i, on_frame) for i in range(count)))
        resumed_s = time.monotonic() - t0
        phase("end")
        cpu = probe.cpu_s() - cpu0
        # Live again: one more message each must arrive exactly once.
        for i in range(count):
            await pairs.agent_of[i].send(message_frame(kind, pairs.chat_of[i], "back?", f"z{i}"))
        await _settle(lambda: all(len(seen.get(i, [])) >= 4 for i in range(count)), 30)
        lost = duplicated = 0
        for i in range(count):
            shown = seen.get(i, [])
            duplicated += len(shown) - len(set(shown))
            lost += len({1, 2, 3, 4} - set(shown))
            if sorted(before[i]) != [1, 2]:
                lost += 1
        return {
            "visitors": count,
            "resumed": len(back),
            "resumed_in_s": round(resumed_s, 3),
            "server_cpu_s": round(cpu, 2),
            "lost": lost,
            "duplicated": duplicated,
        }
    finally:
        await pairs.close()


async def _relay_storm(pairs: Pairs, probe: ServerProbe) -> Frame:
    """The relay has no history: time until every visitor socket is back and paired."""
    try:
        for v in pairs.visitor_of:
            v.abort()
        await asyncio.sleep(1)
        t0, cpu0 = time.monotonic(), probe.cpu_s()
        back = await asyncio.gather(
            *(_come_back(pairs, i, _ignore) for i in range(len(pairs.chat_of)))
        )
        return {
            "visitors": len(back),
            "resumed": len(back),
            "resumed_in_s": round(time.monotonic() - t0, 3),
            "server_cpu_s": round(probe.cpu_s() - cpu0, 2),
            "lost": None,
            "duplicated": None,
        }
    finally:
        await pairs.close()


async def _come_back(pairs: Pairs, i: int, on_frame: Callable[[Peer, Frame], None]) -> Peer:
    target = pairs.target
    old = pairs.visitor_of[i]
    peer = await target.visitor(i, pairs.tokens[i] if pairs.tokens else "", on_frame)
    # Like the widget: the last seq shown, counting what the new socket was sent live already.
    peer.last_seq = max(peer.last_seq, old.last_seq)
    if target.kind == "parley":
        done = peer.expect("resume.done")
        await peer.send({"type": "resume", "chat_id": pairs.chat_of[i], "after_seq": peer.last_seq})
        await asyncio.wait_for(done, 60)
    pairs.visitor_of[i] = peer
    return peer


async def _settle(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        PROGRESS.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(PROGRESS.wait(), min(remaining, 0.5))


SCENARIOS = {
    "idle": scenario_idle,
    "conversation": scenario_conversation,
    "max": scenario_max,
    "storm": scenario_storm,
}


async def run(spec: Spec) -> Frame:
    target = Target.from_spec(spec)
    probe = ServerProbe(spec["pids"])
    figures = await SCENARIOS[spec["scenario"]](target, spec, probe)
    return {"scenario": spec["scenario"], "target": target.kind, **figures}


def main() -> None:
    spec: Spec = json.loads(sys.argv[1])
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        import uvloop

        runner: Callable[[Awaitable[Frame]], Frame] = uvloop.run  # type: ignore[assignment]
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        runner = asyncio.run  # type: ignore[assignment]
    result = runner(run(spec))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
