"""``make bench``: every scenario against Parley and against the bare relay, in one run.

``python -m bench.run`` runs the full set (about 15 minutes on a 2-core machine);
``--smoke`` runs seconds-long versions so the harness cannot rot; ``--only`` picks scenarios.
Prints a table and writes ``bench/results/<date>-<scenario>.json`` for each scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import platform
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
import redis

from bench import browsing, kpis
from bench.servers import launch_parley, launch_relay
from tests.databases import admin
from tests.support import Server

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_BASE = os.environ.get("PARLEY_BENCH_POSTGRES", "postgresql+asyncpg://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("PARLEY_BENCH_REDIS", "redis://127.0.0.1:6379/0")
AGENT_PASSWORD = "bench-agent-pass"

Figures = dict[str, Any]


@dataclass(frozen=True)
class Plan:
    """Sizes of every scenario; the smoke plan is the same shape, seconds long."""

    idle_sockets: int
    pairs: int
    chats_per_agent: int
    rates: list[int]
    seconds: float
    max_rates: list[int]
    max_seconds: float
    storm_visitors: int
    storm_chats_per_agent: int
    scale_rates: list[int]
    kpi_chats: int = 100_000
    kpi_messages_per_chat: int = 10
    kpi_repeats: int = 20
    browsing_visitors: int = 2000
    browsing_phase_s: float = 60.0
    browsing_interval_s: float = 10.0
    browsing_hold_s: float = 5.0


FULL = Plan(
    idle_sockets=10_000,
    pairs=100,
    chats_per_agent=5,
    rates=[100, 500, 1000, 2000],
    seconds=10,
    max_rates=[500, 750, 1000, 1250, 1500, 2000, 2500, 3000, 4000, 6000, 8000, 10000, 12000, 14000],
    max_seconds=5,
    storm_visitors=1000,
    storm_chats_per_agent=50,
    scale_rates=[250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2500, 3000],
)
SMOKE = Plan(
    idle_sockets=40,
    pairs=4,
    chats_per_agent=2,
    rates=[40],
    seconds=1.5,
    max_rates=[40, 80],
    max_seconds=1,
    storm_visitors=12,
    storm_chats_per_agent=6,
    scale_rates=[40],
    kpi_chats=500,
    kpi_messages_per_chat=2,
    kpi_repeats=3,
    browsing_visitors=20,
    browsing_phase_s=3.0,
    browsing_interval_s=1.0,
    browsing_hold_s=0.5,
)


# ---------------------------------------------------------------- the pieces


@dataclass
class Shop:
    """A site of Parley's with an admin and ``agents`` agents, through the CLI and REST API."""

    site_key: str
    agent_tokens: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, parley: Server, agents: int, max_chats: int) -> Shop:
        site = parley.cli("create-site", "--name", "Bench shop")
        admin = f"admin-{secrets.token_hex(4)}@bench.example"
        parley.cli(
            "create-agent", "--email", admin, "--name", "Boss", "--password", AGENT_PASSWORD,
            "--role", "admin", "--site", site["id"],
        )  # fmt: skip
        with httpx.Client(base_url=parley.base, timeout=60) as http:
            admin_token = _login(http, admin)
            emails = []
            for i in range(agents):
                email = f"agent{i}-{secrets.token_hex(3)}@bench.example"
                http.post(
                    "/api/v1/agents",
                    headers={"Authorization": f"Bearer {admin_token}"},
                    json={
                        "email": email,
                        "name": f"Agent {i}",
                        "password": AGENT_PASSWORD,
                        "max_chats": max_chats,
                    },
                ).raise_for_status()
                emails.append(email)
            tokens = [_login(http, e) for e in emails]
        return cls(site["site_key"], tokens)


def _login(http: httpx.Client, email: str) -> str:
    r = http.post("/api/v1/auth/login", json={"email": email, "password": AGENT_PASSWORD})
    r.raise_for_status()
    token: str = r.json()["access_token"]
    return token


def loadgen(spec: dict[str, Any], timeout: float = 900) -> Figures:
    """One scenario in the load generator's own process."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.loadgen", json.dumps(spec)],
        cwd=ROOT,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{out.stderr.decode()[-3000:]}")
    figures: Figures = json.loads(out.stdout.decode().strip().splitlines()[-1])
    return figures


@contextlib.contextmanager
def parley_target(
    workdir: Path,
    agents: int,
    max_chats: int,
    processes: int = 1,
    cluster: bool = False,
    extra_env: dict[str, str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Parley on SQLite + memory broker, or ``processes`` of it on PostgreSQL + Redis."""
    database = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    broker = "memory://"
    pg_name = None
    if cluster:
        pg_name = "parley_bench_" + secrets.token_hex(4)
        asyncio.run(admin(PG_BASE, f'CREATE DATABASE "{pg_name}"'))
        database = f"{PG_BASE.rstrip('/')}/{pg_name}"
        broker = REDIS_URL
    servers: list[Server] = []
    try:
        for _ in range(processes):
            servers.append(launch_parley(workdir, database, broker, extra_env))
        shop = Shop.create(servers[0], agents, max_chats)
        yield {
            "target": "parley",
            "ws_urls": [s.ws_base for s in servers],
            "http_urls": [s.base for s in servers],
            "pids": [s.proc.pid for s in servers if s.proc is not None],
            "site_key": shop.site_key,
            "agent_tokens": shop.agent_tokens,
        }
    finally:
        for s in servers:
            s.kill(signal.SIGTERM)  # a graceful stop, as an operator's
        if pg_name is not None:
            asyncio.run(admin(PG_BASE, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))


@contextlib.contextmanager
def relay_target(workdir: Path) -> Iterator[dict[str, Any]]:
    relay = launch_relay(workdir)
    try:
        yield {
            "target": "relay",
            "ws_urls": [relay.ws_base],
            "http_urls": [relay.base],
            "pids": [relay.proc.pid],
        }
    finally:
        relay.stop()


def cluster_available() -> str | None:
    """Why PostgreSQL + Redis cannot be used, or None when both answer."""
    try:
        asyncio.run(admin(PG_BASE, "SELECT 1", timeout=5))
    except Exception as exc:
        return f"PostgreSQL at {PG_BASE} does not answer: {exc}"
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
    except Exception as exc:
        return f"Redis at {REDIS_URL} does not answer: {exc}"
    return None


# ---------------------------------------------------------------- scenarios


def ratio(parley: float | None, relay: float | None) -> float | None:
    if parley is None or relay in (None, 0):
        return None
    assert relay is not None
    return round(parley / relay, 3)


def against_both(
    spec: dict[str, Any], work: Path, agents: int, max_chats: int
) -> tuple[Figures, Figures]:
    """The same scenario against Parley on SQLite, then against the relay."""
    with parley_target(work / "parley", agents, max_chats) as t:
        parley = loadgen({**spec, **t})
    with relay_target(work / "relay") as t:
        relay = loadgen({**spec, **t})
    return parley, relay


def run_idle(plan: Plan, work: Path) -> Figures:
    spec = {"scenario": "idle", "sockets": plan.idle_sockets}
    parley, relay = against_both(spec, work, agents=0, max_chats=1)
    return {
        "settings": spec,
        "parley": parley,
        "relay": relay,
        "ratios": {
            "rss_per_1000_sockets": ratio(
                parley["rss_per_1000_sockets_mib"], relay["rss_per_1000_sockets_mib"]
            ),
            "connects_per_s": ratio(parley["connects_per_s"], relay["connects_per_s"]),
        },
    }


def _agents_for(pairs: int, per_agent: int) -> int:
    return math.ceil(pairs / per_agent)


def conversation_spec(
    pairs: int, rates: list[int], seconds: float, per_agent: int = 5
) -> dict[str, Any]:
    """The conversation scenario's load: ``pairs`` chats, ``per_agent`` of them per agent."""
    return {
        "scenario": "conversation",
        "pairs": pairs,
        "agents": _agents_for(pairs, per_agent),
        "rates": rates,
        "seconds": seconds,
    }


def run_conversation(plan: Plan, work: Path) -> Figures:
    spec = conversation_spec(plan.pairs, plan.rates, plan.seconds, plan.chats_per_agent)
    parley, relay = against_both(spec, work, spec["agents"], plan.chats_per_agent)
    ratios = {
        f"p99_at_{int(p['target_rate'])}": ratio(p["p99_ms"], r["p99_ms"])
        for p, r in zip(parley["steps"], relay["steps"], strict=True)
    }
    return {"settings": spec, "parley": parley, "relay": relay, "ratios": ratios}


def _max_spec(plan: Plan, rates: list[int]) -> dict[str, Any]:
    return {
        "scenario": "max",
        "pairs": plan.pairs,
        "agents": _agents_for(plan.pairs, plan.chats_per_agent),
        "rates": rates,
        "seconds": plan.max_seconds,
        "p99_limit_ms": 100,
    }


def run_max(plan: Plan, work: Path) -> Figures:
    spec = _max_spec(plan, plan.max_rates)
    parley, relay = against_both(spec, work, spec["agents"], plan.chats_per_agent)
    return {
        "settings": spec,
        "parley": parley,
        "relay": relay,
        "ratios": {"max_rate": ratio(parley["max_rate"], relay["max_rate"])},
    }


def run_storm(plan: Plan, work: Path) -> Figures:
    agents = _agents_for(plan.storm_visitors, plan.storm_chats_per_agent)
    spec = {"scenario": "storm", "visitors": plan.storm_visitors, "agents": agents}
    parley, relay = against_both(spec, work, agents, plan.storm_chats_per_agent)
    return {
        "settings": spec,
        "parley": parley,
        "relay": relay,
        "ratios": {"resumed_in_s": ratio(parley["resumed_in_s"], relay["resumed_in_s"])},
    }


def run_scale(plan: Plan, work: Path) -> Figures:
    why_not = cluster_available()
    spec = _max_spec(plan, plan.scale_rates)
    if why_not is not None:
        return {"settings": spec, "skipped": why_not}
    agents, per_agent = spec["agents"], plan.chats_per_agent
    with parley_target(work / "one", agents, per_agent, processes=1, cluster=True) as t:
        one = loadgen({**spec, **t})
    with parley_target(work / "two", agents, per_agent, processes=2, cluster=True) as t:
        two = loadgen({**spec, **t})
    return {
        "settings": {**spec, "database": "postgresql", "broker": "redis"},
        "one_process": one,
        "two_processes": two,
        "ratios": {"two_over_one": ratio(two["max_rate"], one["max_rate"])},
    }


def run_kpis(plan: Plan, work: Path) -> Figures:
    """GET /kpis's computation on a generated history; the baseline is a bare indexed count."""
    return kpis.run(work, plan.kpi_chats, plan.kpi_messages_per_chat, plan.kpi_repeats)


def run_browsing(plan: Plan, work: Path) -> Figures:
    """Visitors browsing, idle and then with 10 triggers and a live visitors list watched."""
    return browsing.run(
        work,
        {
            "visitors": plan.browsing_visitors,
            "phase_s": plan.browsing_phase_s,
            "interval_s": plan.browsing_interval_s,
            "hold_s": plan.browsing_hold_s,
        },
    )


SCENARIOS = {
    "idle": run_idle,
    "conversation": run_conversation,
    "max": run_max,
    "storm": run_storm,
    "scale": run_scale,
    "kpis": run_kpis,
    "browsing": run_browsing,
}


# ---------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    packages = ["uvicorn", "wsproto", "websockets", "fastapi", "sqlalchemy", "aiosqlite"]
    packages += ["asyncpg", "redis", "orjson", "uvloop"]
    versions = {}
    for name in packages:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kib / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": versions,
    }


def table_rows(name: str, figures: Figures) -> list[tuple[str, str, str, str]]:
    """(what, parley, relay, ratio) lines for the printed table."""
    if "skipped" in figures:
        return [(name, "skipped", "", figures["skipped"][:60])]
    p, r, q = figures.get("parley", {}), figures.get("relay", {}), figures["ratios"]
    if name == "idle":
        return [
            (f"idle: {p['sockets']} sockets held", str(p["held"]), str(r["held"]), ""),
            ("idle: server RSS MiB", f"{p['server_rss_mib']}", f"{r['server_rss_mib']}", ""),
            (
                "idle: RSS MiB per 1,000 sockets",
                f"{p['rss_per_1000_sockets_mib']}",
                f"{r['rss_per_1000_sockets_mib']}",
                _x(q["rss_per_1000_sockets"]),
            ),
            (
                "idle: connects/s",
                f"{p['connects_per_s']}",
                f"{r['connects_per_s']}",
                _x(q["connects_per_s"]),
            ),
        ]
    if name == "conversation":
        rows = []
        for ps, rs in zip(p["steps"], r["steps"], strict=True):
            rate = int(ps["target_rate"])
            rows.append(
                (
                    f"conversation {rate} msg/s: p50/p99/max ms",
                    f"{ps['p50_ms']}/{ps['p99_ms']}/{ps['max_ms']}",
                    f"{rs['p50_ms']}/{rs['p99_ms']}/{rs['max_ms']}",
                    _x(q[f"p99_at_{rate}"]),
                )
            )
            rows.append(
                (
                    f"conversation {rate} msg/s: CPU ms/msg (cores), lost/errors",
                    f"{ps['server_cpu_ms_per_message']} ({ps['server_cpu_cores']}), "
                    f"{ps['lost']}/{ps['errors']}",
                    f"{rs['server_cpu_ms_per_message']} ({rs['server_cpu_cores']}), "
                    f"{rs['lost']}/{rs['errors']}",
                    _x(ratio(ps["server_cpu_ms_per_message"], rs["server_cpu_ms_per_message"])),
                )
            )
        return rows
    if name == "max":
        return [
            (
                "max msg/s with p99 <= 100 ms",
                f"{p['max_rate']}",
                f"{r['max_rate']}",
                _x(q["max_rate"]),
            )
        ]
    if name == "storm":
        return [
            (
                f"storm: {p['visitors']} reconnect + resume, s",
                f"{p['resumed_in_s']}",
                f"{r['resumed_in_s']}",
                _x(q["resumed_in_s"]),
            ),
            ("storm: lost / duplicated", f"{p['lost']}/{p['duplicated']}", "n/a", ""),
        ]
    if name == "kpis":
        return [
            (
                f"kpis: {p['chats']:,} chats, 30 days, worst p95 ms",
                f"{p['worst_report_p95_ms']}",
                f"{p['baseline_count_p95_ms']} (count)",
                _x(q["worst_over_baseline"]),
            )
        ]
    if name == "browsing":
        idle, trig, active = p["idle"], p["triggers"], p["active"]
        return [
            (
                "browsing: CPU ms/page view with 10 triggers, nobody watching",
                f"{trig['server_cpu_ms_per_page_view']}",
                f"{idle['server_cpu_ms_per_page_view']} (idle)",
                _x(q["cpu_per_view_triggers_over_idle"]),
            ),
            (
                "browsing: rule true -> invitation p50/p99 ms, nobody watching",
                f"{trig['rule_true_to_invitation_p50_ms']}/{trig['rule_true_to_invitation_p99_ms']}",
                f"{trig['invitations']} sent, {trig['invitations_missing']} missing",
                "",
            ),
            (
                f"browsing: {p['visitors']} visitors, CPU ms/page view idle vs 10 triggers+watch",
                f"{active['server_cpu_ms_per_page_view']}",
                f"{idle['server_cpu_ms_per_page_view']} (idle)",
                _x(q["cpu_per_view_active_over_idle"]),
            ),
            (
                "browsing: rule true -> invitation p50/p99/max ms, watched",
                f"{active['rule_true_to_invitation_p50_ms']}/"
                f"{active['rule_true_to_invitation_p99_ms']}/"
                f"{active['rule_true_to_invitation_max_ms']}",
                f"{active['invitations']} sent, {active['invitations_missing']} missing",
                "",
            ),
            (
                "browsing: watcher frames/s, rows/frame",
                f"{active['watcher_frames_per_s']}, {active['watcher_rows_per_frame_avg']}",
                f"load avg {p['load_avg_before'][0]}->{p['load_avg_after'][0]}",
                "",
            ),
        ]
    one, two = figures["one_process"], figures["two_processes"]
    return [
        (
            "scale (PG+Redis): max msg/s, 1 vs 2 procs",
            f"{one['max_rate']}",
            f"{two['max_rate']}",
            _x(q["two_over_one"]),
        )
    ]


def _x(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}x"


def print_table(results: dict[str, Figures]) -> None:
    rows = [("scenario", "Parley", "relay", "Parley/relay")]
    for name, figures in results.items():
        rows += table_rows(name, figures)
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="seconds-long versions")
    parser.add_argument("--only", nargs="*", choices=list(SCENARIOS), default=list(SCENARIOS))
    parser.add_argument("--results", type=Path, default=RESULTS, help="where JSON goes")
    parser.add_argument("--sockets", type=int, help="idle sockets (default 10,000)")
    parser.add_argument("--browsing-visitors", type=int, help="browsing visitors (default 2,000)")
    parser.add_argument("--browsing-phase-s", type=float, help="seconds per browsing phase (60)")
    args = parser.parse_args(argv)
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # servers inherit it
    plan = SMOKE if args.smoke else FULL
    if args.sockets:
        plan = Plan(**{**plan.__dict__, "idle_sockets": args.sockets})
    if args.browsing_visitors:
        plan = Plan(**{**plan.__dict__, "browsing_visitors": args.browsing_visitors})
    if args.browsing_phase_s:
        plan = Plan(**{**plan.__dict__, "browsing_phase_s": args.browsing_phase_s})
    info = machine()
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    results: dict[str, Figures] = {}
    work = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    try:
        for name in args.only:
            started = time.monotonic()
            print(f"-- {name} ...", file=sys.stderr, flush=True)
            figures = SCENARIOS[name](plan, work / name)
            figures["duration_s"] = round(time.monotonic() - started, 1)
            results[name] = figures
            record = {
                "scenario": name,
                "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "smoke": args.smoke,
                "command": "python -m bench.run " + " ".join(argv or sys.argv[1:]),
                "machine": info,
                **figures,
            }
            suffix = "-smoke" if args.smoke else ""
            out = args.results / f"{stamp}-{name}{suffix}.json"
            out.write_text(json.dumps(record, indent=2) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {info['cpus']} x {info['cpu']}, {info['memory_gib']} GiB, "
          f"Python {info['python']}")  # fmt: skip
    print_table(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
