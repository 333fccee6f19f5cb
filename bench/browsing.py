"""The browsing scenario: proactive invitations and the live visitors list under a shop's traffic.

``visitors`` visitors browse (a page view every ``interval_s`` each, spread evenly) on one
Parley process (SQLite, in-process broker), in two phases measured in the same run:

- **idle**: nothing listens: no trigger, nobody watching the visitors list (one agent is
  connected, as on any shop; in no chat, so no ``visitor.activity`` reaches it);
- **triggers**: 10 enabled triggers (nine whose URL never matches, one "on /pricing for
  ``hold_s``"), nobody watching;
- **active**: the same triggers, and that agent watching the live visitors list
  (``visitors.watch``).

In the two trigger phases half the visitors (even ones, then odd ones: one invitation per visit)
open /pricing once, at a random page view, and stay there
until their next page view (``interval_s`` > ``hold_s``): the pricing rule becomes true
``hold_s`` after that page view was sent. The delay from that moment to the ``invitation``
frame is measured per visitor (p50/p99/max). Server CPU (user + system, from /proc) is divided
by the page views of each phase. The watcher's frames are counted: batching keeps them at about
one a second whatever the traffic.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import secrets
import signal
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.exceptions import ConnectionClosed

from bench.loadgen import Peer, bounded, open_socket
from bench.servers import launch_parley

PASSWORD = "bench-browse-pass"
TRIGGERS = 10
Frame = dict[str, Any]


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of the process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def _trigger(i: int, hold_s: float) -> dict[str, Any]:
    url = "/pricing" if i == TRIGGERS - 1 else f"/never-{i}"
    return {
        "name": f"Bench trigger {i}",
        "conditions": {
            "match": "all",
            "rules": [
                {"field": "url", "op": "contains", "value": url},
                {"field": "time_on_page_s", "op": "gte", "value": hold_s},
            ],
        },
        "exclude_urls": ["*/checkout*"],
        "message": "Questions about our prices?",
    }


class Browsing:
    def __init__(self, base: str, ws_base: str, pid: int, site_key: str) -> None:
        self.base, self.ws_base, self.pid, self.site_key = base, ws_base, pid, site_key
        self.visitors: list[Peer] = []
        self.views = 0
        # Per visitor index: when (monotonic) the pricing rule became true, and the delay seen.
        self.due: dict[int, float] = {}
        self.delays_ms: list[float] = []
        self.watcher_frames: list[tuple[float, int]] = []
        self.pingers: list[asyncio.Task[None]] = []
        self.probe: Peer

    def on_visitor_frame(self, peer: Peer, frame: Frame) -> None:
        if frame.get("type") == "invitation" and peer.index in self.due:
            self.delays_ms.append((time.monotonic() - self.due.pop(peer.index)) * 1000)

    def on_watcher_frame(self, _peer: Peer, frame: Frame) -> None:
        if frame.get("type") == "visitors.delta":
            rows = len(frame["updated"]) + len(frame["left"])
            self.watcher_frames.append((time.monotonic(), rows))

    async def connect(self, count: int) -> None:
        async with httpx.AsyncClient(base_url=self.base, timeout=60) as http:

            async def one(i: int) -> Peer:
                r = await http.post("/api/v1/widget/session", json={"site_key": self.site_key})
                r.raise_for_status()
                token = r.json()["visitor_token"]
                peer = await open_socket(
                    f"{self.ws_base}/ws/visitor?token={token}", "visitor", i, self.on_visitor_frame
                )
                await asyncio.wait_for(peer.expect("hello"), 60)
                # The widget pings every 25 s; a socket silent for 75 s is closed as dead.
                self.pingers.append(asyncio.create_task(_keep_alive(peer)))
                return peer

            self.visitors = await bounded(one(i) for i in range(count))
            self.probe = await one(count)

    async def browse(
        self, seconds: float, interval_s: float, hold_s: float, pricing: int | None
    ) -> dict[str, Any]:
        """Every visitor views a page every ``interval_s`` for ``seconds``; those whose index
        is ``pricing`` modulo 2 open /pricing once. Returns the phase's page views, server CPU
        and invitation delays."""
        rng = random.Random(self.views)
        self.delays_ms, self.due = [], {}
        steps = max(1, int(seconds / interval_s))
        start = time.monotonic()
        cpu0, views0 = _cpu_s(self.pid), self.views

        async def visitor(peer: Peer) -> None:
            offset = rng.random() * interval_s
            chosen = pricing is not None and peer.index % 2 == pricing
            pricing_step = rng.randrange(steps) if chosen else -1
            for step in range(steps):
                at = start + offset + step * interval_s
                await asyncio.sleep(max(0.0, at - time.monotonic()))
                if peer.closed:
                    return
                page = "/pricing" if step == pricing_step else f"/product/{rng.randrange(500)}"
                try:
                    await peer.send(
                        {"type": "page.view", "url": f"https://shop.example{page}", "title": page}
                    )
                except ConnectionClosed:
                    return  # counted as closed below
                self.views += 1
                if step == pricing_step:
                    self.due[peer.index] = time.monotonic() + hold_s

        probe_ms: list[float] = []

        async def probe() -> None:
            """One more visitor's page view answered by a ping: how long a page view waits."""
            peer = self.probe
            while time.monotonic() < start + steps * interval_s:
                pong = peer.expect("pong")
                sent = time.monotonic()
                await peer.send({"type": "page.view", "url": "https://shop.example/probe"})
                await peer.send({"type": "ping"})
                await asyncio.wait_for(pong, 120)
                probe_ms.append((time.monotonic() - sent) * 1000)
                await asyncio.sleep(max(0.0, sent + 1 - time.monotonic()))

        await asyncio.gather(probe(), *(visitor(p) for p in self.visitors))
        await asyncio.sleep(max(0.0, start + steps * interval_s - time.monotonic()))
        elapsed = time.monotonic() - start
        cpu = _cpu_s(self.pid) - cpu0
        views = self.views - views0
        invited: dict[str, Any] = {}
        if pricing is not None:
            expected = len(self.due) + len(self.delays_ms)
            # A rule met on a visitor's last page view of the phase becomes true up to
            # ``hold_s`` after the phase ends: wait for the last one, then 2 s for its frame.
            last_due = max(self.due.values(), default=time.monotonic())
            await asyncio.sleep(max(0.0, last_due - time.monotonic()) + 2)
            invited = {
                "rules_true": expected,
                "invitations": len(self.delays_ms),
                "invitations_missing": len(self.due),
                "rule_true_to_invitation_p50_ms": _pct(self.delays_ms, 0.50),
                "rule_true_to_invitation_p99_ms": _pct(self.delays_ms, 0.99),
                "rule_true_to_invitation_max_ms": _pct(self.delays_ms, 1.0),
            }
        return {
            **invited,
            "page_view_answered_p50_ms": _pct(probe_ms, 0.50),
            "page_view_answered_p99_ms": _pct(probe_ms, 0.99),
            "seconds": round(elapsed, 1),
            "page_views": views,
            "page_views_per_s": round(views / elapsed, 1),
            "server_cpu_s": round(cpu, 2),
            "server_cpu_cores": round(cpu / elapsed, 3),
            "server_cpu_ms_per_page_view": round(cpu * 1000 / views, 3) if views else None,
            "closed_visitor_sockets": sum(1 for p in self.visitors if p.closed),
        }


async def _keep_alive(peer: Peer) -> None:
    with contextlib.suppress(ConnectionClosed):
        while not peer.closed:
            await asyncio.sleep(15 + random.random() * 10)
            await peer.send({"type": "ping"})


async def _measure(
    base: str, ws_base: str, pid: int, setup: dict[str, str], plan: dict[str, Any]
) -> dict[str, Any]:
    run = Browsing(base, ws_base, pid, setup["site_key"])
    started = time.monotonic()
    await run.connect(plan["visitors"])
    connected_s = time.monotonic() - started
    agent = await open_socket(f"{ws_base}/ws/agent?token={setup['agent_token']}", "agent", 0)
    await asyncio.wait_for(agent.expect("hello"), 60)
    pinger = asyncio.create_task(_keep_alive(agent))
    load_before = os.getloadavg()
    idle = await run.browse(plan["phase_s"], plan["interval_s"], plan["hold_s"], pricing=None)

    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        for i in range(TRIGGERS):
            r = await http.post(
                "/api/v1/triggers",
                json=_trigger(i, plan["hold_s"]),
                headers={"Authorization": f"Bearer {setup['admin_token']}"},
            )
            r.raise_for_status()
    # Half the visitors meet the pricing rule with nobody watching, the other half while watched.
    triggers = await run.browse(plan["phase_s"], plan["interval_s"], plan["hold_s"], pricing=0)
    triggers["triggers"] = TRIGGERS
    watcher = await open_socket(
        f"{ws_base}/ws/agent?token={setup['agent_token']}&presence=keep",
        "agent",
        1,
        run.on_watcher_frame,
    )
    await asyncio.wait_for(watcher.expect("hello"), 60)
    snapshot = watcher.expect("visitors.snapshot")
    t0 = time.monotonic()
    await watcher.send({"type": "visitors.watch"})
    shown = len((await asyncio.wait_for(snapshot, 60))["visitors"])
    snapshot_ms = (time.monotonic() - t0) * 1000
    watch_pinger = asyncio.create_task(_keep_alive(watcher))
    active = await run.browse(plan["phase_s"], plan["interval_s"], plan["hold_s"], pricing=1)
    load_after = os.getloadavg()
    frames = [t for t, _ in run.watcher_frames]
    rows = [n for _, n in run.watcher_frames]
    active.update(
        {
            "triggers": TRIGGERS,
            "watcher_snapshot_rows": shown,
            "watcher_snapshot_ms": round(snapshot_ms, 1),
            "watcher_delta_frames": len(frames),
            "watcher_frames_per_s": round(len(frames) / active["seconds"], 2),
            "watcher_rows_per_frame_avg": round(sum(rows) / len(rows), 1) if rows else None,
        }
    )
    for task in (pinger, watch_pinger, *run.pingers):
        task.cancel()
    await asyncio.gather(*(p.close() for p in [*run.visitors, run.probe, agent, watcher]))
    return {
        "visitors": plan["visitors"],
        "connect_s": round(connected_s, 1),
        "idle": idle,
        "triggers": triggers,
        "active": active,
        "load_avg_before": [round(x, 2) for x in load_before],
        "load_avg_after": [round(x, 2) for x in load_after],
    }


def run(work: Path, plan: dict[str, Any]) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    server = launch_parley(work, f"sqlite+aiosqlite:///{work / 'bench.db'}", "memory://")
    try:
        site = server.cli("create-site", "--name", "Browsing shop")
        suffix = secrets.token_hex(3)
        for email, role in ((f"admin-{suffix}@bench.example", "admin"),
                            (f"agent-{suffix}@bench.example", "agent")):  # fmt: skip
            server.cli(
                "create-agent", "--email", email, "--name", role.title(), "--password",
                PASSWORD, "--role", role, "--site", site["id"], "--max-chats", "3",
            )  # fmt: skip
        tokens = {}
        with httpx.Client(base_url=server.base, timeout=60) as http:
            for role in ("admin", "agent"):
                r = http.post(
                    "/api/v1/auth/login",
                    json={"email": f"{role}-{suffix}@bench.example", "password": PASSWORD},
                )
                r.raise_for_status()
                tokens[role] = r.json()["access_token"]
        setup = {
            "site_key": site["site_key"],
            "admin_token": tokens["admin"],
            "agent_token": tokens["agent"],
        }
        assert server.proc is not None
        figures = asyncio.run(_measure(server.base, server.ws_base, server.proc.pid, setup, plan))
    finally:
        server.kill(signal.SIGTERM)
    idle, triggers, active = (
        figures[phase]["server_cpu_ms_per_page_view"] for phase in ("idle", "triggers", "active")
    )
    return {
        "settings": {**plan, "triggers": TRIGGERS, "database": "sqlite", "broker": "memory"},
        "parley": figures,
        "ratios": {
            "cpu_per_view_active_over_idle": (round(active / idle, 2) if idle and active else None),
            "cpu_per_view_triggers_over_idle": (
                round(triggers / idle, 2) if idle and triggers else None
            ),
        },
    }
