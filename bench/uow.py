"""CPU per unit of work on SQLite: Parley's engine next to the stock aiosqlite adapter.

``python -m bench.uow --rounds 3`` builds a fresh database, then times, in alternating rounds,
units of work on Parley's engine (app/db.py: one hand-off to aiosqlite's thread a statement,
app/sqlite_adapter.py) and on the same engine with SQLAlchemy's stock adapter (four hand-offs a
statement): one reading a site row by id, one reading it and renaming it. Prints CPU per unit of
work for each and their ratio. Nearly every request and socket event is a few such units, so
this is the floor under connects per second.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from app import db, migrate
from app.common.events import Event
from app.common.uow import UnitOfWork
from app.sites.models import Site


class _Nobody:
    async def publish(self, event: Event) -> None:
        return None


async def _cpu_per_call(work: Callable[[], Awaitable[None]], n: int) -> float:
    for _ in range(n // 10):
        await work()
    start = time.process_time()  # the process: the loop and aiosqlite's thread alike
    for _ in range(n):
        await work()
    return (time.process_time() - start) / n * 1e6


async def measure(engine: AsyncEngine, site_id: str, n: int) -> dict[str, float]:
    sessions = db.make_session_factory(engine)

    async def read() -> None:
        async with UnitOfWork(sessions, _Nobody()) as uow:
            await uow.session.get_one(Site, site_id, populate_existing=True)

    async def rename() -> None:
        async with UnitOfWork(sessions, _Nobody()) as uow:
            site = await uow.session.get_one(Site, site_id)
            site.name = f"Bench shop {time.monotonic_ns()}"

    try:
        return {"read": await _cpu_per_call(read, n), "rename": await _cpu_per_call(rename, n)}
    finally:
        await engine.dispose()


async def _site(url: str) -> str:
    engine = db.make_engine(url)
    try:
        async with UnitOfWork(db.make_session_factory(engine), _Nobody()) as uow:
            site = Site(name="Bench shop", site_key="bench-uow", secret="s")
            uow.session.add(site)
            await uow.session.flush()
            return site.id
    finally:
        await engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.uow", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, default=2000, help="units of work per measurement")
    args = parser.parse_args()
    url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp(prefix='parley-uow-')) / 'uow.db'}"
    migrate.upgrade(url)
    site_id = asyncio.run(_site(url))
    ratios: dict[str, list[float]] = {"read": [], "rename": []}
    for n in range(args.rounds):
        parley = asyncio.run(measure(db.make_engine(url), site_id, args.n))
        stock_engine = db.make_engine(url, stock_sqlite_adapter=True)
        stock = asyncio.run(measure(stock_engine, site_id, args.n))
        line = []
        for kind, values in ratios.items():
            values.append(parley[kind] / stock[kind])
            line.append(f"{kind}: Parley {parley[kind]:.0f} µs, stock {stock[kind]:.0f} µs")
        print(f"round {n + 1}: " + "; ".join(line), flush=True)
    for kind, values in ratios.items():
        print(f"median Parley / stock, {kind}: {statistics.median(values):.2f} x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
