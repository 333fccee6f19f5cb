"""The KPI scenario: ``GET /kpis``'s computation on a generated history, timed per grouping.

A fresh SQLite database (migrated as a server would) receives ``chats`` chats over a year with
``messages_per_chat`` messages each, and around them proactive invitations from 10 triggers (a
third of the chats started from one, as many again fired without a chat) and ``order.completed``
events (a third of the chats' visitors order, within or after the assist window), the agents'
status periods (each agent online eight hours a day with a busy spell and an away lunch, offline
the rest), and page views (three per chat, plus as many visitors again who browse twice without a
chat, a tenth of whom order), written with plain ``sqlite3`` for speed. Then the report
for the last 30 days is computed ``repeats`` times per grouping through ``app.kpis.service``
(the code the route runs), and its p95 is compared with a baseline measured in the same run:
a bare indexed ``count(*)`` of the same window's chats.
"""

from __future__ import annotations

import asyncio
import math
import random
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from app import migrate
from app.db import make_engine, make_session_factory
from app.kpis import live, service

GROUPINGS: list[Any] = [None, "agent", "skill", "hour", "day", "trigger"]
SKILLS = [None, "billing", "shipping", "returns"]
WINDOW = timedelta(days=30)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def generate(path: Path, chats: int, messages_per_chat: int, seed: int = 7) -> tuple[str, datetime]:
    """A site with 20 agents and ``chats`` chats in the year before ``now``; returns its id."""
    rng = random.Random(seed)
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    db = sqlite3.connect(path)
    site_id = "benchsite"
    db.execute(
        "INSERT INTO sites (id, name, site_key, secret, allowed_origins, theme_color, greeting,"
        " settings, created_at) VALUES (?, 'Bench', 'bench-key', 's', '[]', '#0f766e', 'Hi',"
        " '{}', ?)",
        (site_id, _iso(now)),
    )
    agents = [f"agent{i:02d}" for i in range(20)]
    db.executemany(
        "INSERT INTO agents (id, site_id, email, name, password_hash, role, max_chats, status,"
        " active_chats, created_at, active, token_epoch)"
        " VALUES (?, ?, ?, ?, 'x', 'agent', 3, 'offline', 0, ?, 1, 0)",
        [(a, site_id, f"{a}@bench.example", a.title(), _iso(now)) for a in agents],
    )
    visitors = [(f"v{i:07d}", site_id, _iso(now), _iso(now)) for i in range(chats // 2 + 1)]
    db.executemany(
        "INSERT INTO visitors (id, site_id, attributes, visit_count, first_seen_at, last_seen_at)"
        " VALUES (?, ?, '{}', 1, ?, ?)",
        visitors,
    )
    triggers = [f"trigger{i:02d}" for i in range(10)]
    db.executemany(
        "INSERT INTO triggers (id, site_id, name, enabled, conditions, exclude_urls, message,"
        " open_panel, when_unavailable, created_at, updated_at)"
        " VALUES (?, ?, ?, 1, '{}', '[]', 'Hi', 0, 0, ?, ?)",
        [(t, site_id, t.title(), _iso(now), _iso(now)) for t in triggers],
    )
    chat_rows, message_rows = [], []
    invitation_rows: list[tuple[Any, ...]] = []
    order_rows: list[tuple[Any, ...]] = []
    chat_rows_all: list[tuple[str, str]] = []  # (visitor, created) for the page views
    for i in range(chats):
        created = now - timedelta(seconds=rng.uniform(0, 365 * 86400))
        wrote = created + timedelta(seconds=rng.uniform(0, 5))
        taken = created + timedelta(seconds=rng.expovariate(1 / 30))
        missed = rng.random() < 0.05
        answered = None if missed else taken + timedelta(seconds=rng.expovariate(1 / 20))
        closed = created + timedelta(seconds=rng.uniform(120, 1800))
        chat_id = f"c{i:08d}"
        chat_rows.append(
            (
                chat_id, site_id, visitors[i // 2][0], None if missed else rng.choice(agents),
                rng.choice(SKILLS), _iso(created), _iso(created), _iso(wrote),
                None if missed else _iso(taken), None if missed else _iso(taken),
                None if answered is None else _iso(answered), _iso(closed),
                messages_per_chat, messages_per_chat,
            )
        )  # fmt: skip
        for seq in range(1, messages_per_chat + 1):
            author = "visitor" if seq % 2 else "agent"
            message_rows.append(
                (
                    f"{chat_id}m{seq:03d}", chat_id, seq, seq, author, f"{author}-x",
                    "A question about an order and its delivery", _iso(created), "[]",
                )
            )  # fmt: skip
        visitor_id = visitors[i // 2][0]
        chat_rows_all.append((visitor_id, _iso(created)))
        if i % 3 == 0:  # started from an invitation, and one more fired without a chat
            fired = created - timedelta(seconds=rng.uniform(5, 60))
            invitation_rows.append(
                (f"i{i:08d}", site_id, rng.choice(triggers), visitor_id, 2 * i, _iso(fired),
                 _iso(created), None, chat_id)
            )  # fmt: skip
            invitation_rows.append(
                (f"j{i:08d}", site_id, rng.choice(triggers), visitor_id, 2 * i + 1,
                 _iso(fired - timedelta(days=1)), None, _iso(fired - timedelta(days=1)), None)
            )  # fmt: skip
        if answered is not None and i % 3 == 1:  # ordered, some after the assist window
            ordered = answered + timedelta(seconds=rng.uniform(0, 10 * 86400))
            order_rows.append(
                (site_id, visitor_id, f'{{"order_id": "o{i}", "value": {rng.randint(10, 900)}}}',
                 _iso(ordered))
            )  # fmt: skip
        if len(message_rows) > 200_000:
            _flush(db, chat_rows, message_rows)
    _flush(db, chat_rows, message_rows)
    db.executemany(
        "INSERT INTO invitations (id, site_id, trigger_id, visitor_id, visit_no, message, url,"
        " fired_at, accepted_at, dismissed_at, chat_id)"
        " VALUES (?, ?, ?, ?, ?, 'Hi', 'https://shop.example/', ?, ?, ?, ?)",
        invitation_rows,
    )
    db.executemany(
        "INSERT INTO visitor_events (site_id, visitor_id, name, data, created_at)"
        " VALUES (?, ?, 'order.completed', ?, ?)",
        order_rows,
    )
    periods: list[tuple[Any, ...]] = []
    first_day = (now - timedelta(days=366)).replace(hour=0, minute=0, second=0, microsecond=0)
    for n, agent in enumerate(agents):
        day, last = first_day, first_day
        while day < now:
            shift = day + timedelta(hours=6 + n % 8, minutes=rng.uniform(0, 30))
            for status, length_s in (
                ("offline", (shift - last).total_seconds()), ("online", 3.5 * 3600),
                ("away", 1800), ("busy", 1800), ("online", 3.5 * 3600),
            ):  # fmt: skip
                end = last + timedelta(seconds=length_s)
                periods.append((site_id, agent, status, _iso(last), _iso(min(end, now))))
                last = end
                if last >= now:
                    break
            day += timedelta(days=1)
        if last < now:
            periods.append((site_id, agent, "offline", _iso(last), None))
    db.executemany(
        "INSERT INTO agent_presence (site_id, agent_id, status, started_at, ended_at)"
        " VALUES (?, ?, ?, ?, ?)",
        periods,
    )
    views: list[tuple[Any, ...]] = []
    for chat in chat_rows_all:
        created = datetime.fromisoformat(chat[1]).replace(tzinfo=UTC)
        for k in range(3):
            views.append((site_id, chat[0], _iso(created - timedelta(minutes=5 * k))))
    browsers = [(f"b{i:07d}", site_id, _iso(now), _iso(now)) for i in range(chats // 2)]
    db.executemany(
        "INSERT INTO visitors (id, site_id, attributes, visit_count, first_seen_at, last_seen_at)"
        " VALUES (?, ?, '{}', 1, ?, ?)",
        browsers,
    )
    browse_orders = []
    for i, (visitor_id, *_rest) in enumerate(browsers):
        seen = now - timedelta(seconds=rng.uniform(0, 365 * 86400))
        views.append((site_id, visitor_id, _iso(seen)))
        views.append((site_id, visitor_id, _iso(seen + timedelta(minutes=2))))
        if i % 10 == 0:
            browse_orders.append(
                (site_id, visitor_id, f'{{"order_id": "b{i}", "value": 50}}',
                 _iso(seen + timedelta(minutes=3)))
            )  # fmt: skip
    db.executemany(
        "INSERT INTO page_views (site_id, visitor_id, url, created_at)"
        " VALUES (?, ?, 'https://shop.example/', ?)",
        views,
    )
    db.executemany(
        "INSERT INTO visitor_events (site_id, visitor_id, name, data, created_at)"
        " VALUES (?, ?, 'order.completed', ?, ?)",
        browse_orders,
    )
    db.commit()
    db.close()
    return site_id, now


def _flush(db: sqlite3.Connection, chats: list[Any], messages: list[Any]) -> None:
    db.executemany(
        "INSERT INTO chats (id, site_id, visitor_id, agent_id, skill, created_at, queued_at,"
        " first_visitor_message_at, first_assigned_at, assigned_at, first_response_at,"
        " closed_at, last_seq, last_public_seq, status, pre_chat, priority, passed_over)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,'closed','{}',0,'[]')",
        chats,
    )
    db.executemany(
        "INSERT INTO messages (id, chat_id, seq, public_seq, author_type, author_id, body,"
        " created_at, attachments, kind) VALUES (?,?,?,?,?,?,?,?,?,'public')",
        messages,
    )
    chats.clear()
    messages.clear()


def p95_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return round(1000 * ordered[max(1, math.ceil(0.95 * len(ordered))) - 1], 2)


async def measure(url: str, site_id: str, now: datetime, repeats: int) -> dict[str, Any]:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    start, end = now - WINDOW, now
    figures: dict[str, Any] = {}
    try:
        async with factory() as session:
            baseline = []
            for _ in range(repeats):
                began = time.perf_counter()
                await session.execute(
                    text(
                        "SELECT count(*) FROM chats WHERE site_id = :s"
                        " AND created_at >= :a AND created_at < :b"
                    ),
                    {"s": site_id, "a": _iso(start), "b": _iso(end)},
                )
                baseline.append(time.perf_counter() - began)
            figures["baseline_count_p95_ms"] = p95_ms(baseline)
            for grouping in GROUPINGS:
                samples = []
                for _ in range(repeats):
                    began = time.perf_counter()
                    result = await service.report(
                        session, site_id, start, end, grouping, "Europe/Copenhagen", now
                    )
                    samples.append(time.perf_counter() - began)
                figures[f"report_{grouping or 'totals'}_p95_ms"] = p95_ms(samples)
            samples = []
            for _ in range(repeats):
                began = time.perf_counter()
                await live.tiles(session, site_id, now)
                samples.append(time.perf_counter() - began)
            figures["live_tiles_p95_ms"] = p95_ms(samples)
            figures["chats_in_window"] = result.totals.chats
            if result.totals.utilisation is not None and result.conversion is not None:
                figures["utilisation_pct"] = result.totals.utilisation.pct
                figures["visitors_seen_in_window"] = result.conversion.seen
            if result.totals.invitations is not None and result.totals.orders is not None:
                figures["invitations_in_window"] = result.totals.invitations.fired
                figures["assisted_orders_in_window"] = result.totals.orders.assisted
    finally:
        await engine.dispose()
    return figures


def run(work: Path, chats: int, messages_per_chat: int, repeats: int) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    path = work / "kpis.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    began = time.monotonic()
    site_id, now = generate(path, chats, messages_per_chat)
    generated_s = round(time.monotonic() - began, 1)
    figures = asyncio.run(measure(f"sqlite+aiosqlite:///{path}", site_id, now, repeats))
    worst = max(v for k, v in figures.items() if k.startswith("report_"))
    baseline = max(figures["baseline_count_p95_ms"], 0.01)
    return {
        "parley": {
            "chats": chats,
            "messages": chats * messages_per_chat,
            "generated_in_s": generated_s,
            **figures,
            "worst_report_p95_ms": worst,
        },
        "ratios": {"worst_over_baseline": round(worst / baseline, 1)},
    }
