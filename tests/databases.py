"""Where a test's server keeps its data: a SQLite file, or a PostgreSQL database of its own.

``PARLEY_TEST_POSTGRES=postgresql+asyncpg://postgres@127.0.0.1:5432`` runs every server-backed
test on PostgreSQL; each test gets ``parley_test_<random>``, dropped afterwards, so runs never
meet. ``PARLEY_TEST_BROKER`` likewise sets the broker URL of every test server.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path

import asyncpg

_PREFIX = "parley_test_"


def postgres_base() -> str | None:
    return os.environ.get("PARLEY_TEST_POSTGRES") or None


def fresh_database(tmp: Path) -> str:
    base = postgres_base()
    if base is None:
        return f"sqlite+aiosqlite:///{tmp / 'parley.db'}"
    name = _PREFIX + secrets.token_hex(6)
    asyncio.run(admin(base, f'CREATE DATABASE "{name}"'))
    return f"{base.rstrip('/')}/{name}"


def drop_database(url: str) -> None:
    base = postgres_base()
    if base is None or not url.startswith(base):
        return
    name = url.rsplit("/", 1)[1]
    if name.startswith(_PREFIX):
        asyncio.run(admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def admin(base: str, sql: str, timeout: float = 60) -> None:
    """Run one statement in the server's ``postgres`` database (create or drop a database)."""
    dsn = base.replace("postgresql+asyncpg://", "postgresql://").rstrip("/") + "/postgres"
    conn = await asyncpg.connect(dsn, timeout=timeout)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()
