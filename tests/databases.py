"""Where a test's server keeps its data: a SQLite file, or a PostgreSQL database of its own.

``PARLEY_TEST_POSTGRES=postgresql+asyncpg://postgres@127.0.0.1:5432`` runs every server-backed
test on PostgreSQL; each test gets ``parley_test_<random>``, dropped afterwards, so runs never
meet. ``PARLEY_TEST_BROKER`` likewise sets the broker URL of every test server.

A test's database starts at the newest schema, copied from one that ``parley migrate`` built
once per run (a file copied on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL): the
migrations took a second or two of every server's start, hundreds of times a run. The tests of
the migrations themselves ask for an empty one (``migrated=False``). On PostgreSQL a test's
database commits without waiting for the disk (``synchronous_commit = off``: what another
connection sees is the same; only a crash of PostgreSQL itself could lose the last commits).
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import os
import secrets
import shutil
import tempfile
from pathlib import Path

import asyncpg

from tests.support import Server

_PREFIX = "parley_test_"


def postgres_base() -> str | None:
    return os.environ.get("PARLEY_TEST_POSTGRES") or None


def fresh_database(tmp: Path, migrated: bool = True) -> str:
    base = postgres_base()
    if base is None:
        path = tmp / "parley.db"
        if migrated and not path.exists():  # a second server in the same folder shares it
            shutil.copyfile(_sqlite_template(), path)
        return f"sqlite+aiosqlite:///{path}"
    name = _PREFIX + secrets.token_hex(6)
    template = f' TEMPLATE "{_postgres_template(base)}"' if migrated else ""
    asyncio.run(admin(base, f'CREATE DATABASE "{name}"{template}'))
    asyncio.run(admin(base, f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
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


@functools.cache
def _scratch() -> Path:
    """A folder for this run's template (SQLite) and for ``parley migrate`` to run in."""
    folder = Path(tempfile.mkdtemp(prefix="parley-template-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _migrate(url: str) -> None:
    """As an operator would: ``parley migrate`` in a process of its own."""
    Server(workdir=_scratch(), database_url=url).cli("migrate")


@functools.cache
def _sqlite_template() -> Path:
    path = _scratch() / "template.db"
    _migrate(f"sqlite+aiosqlite:///{path}")
    # The migrating process closed its connections, so the write-ahead log is folded in.
    assert not path.with_name(path.name + "-wal").exists()
    return path


@functools.cache
def _postgres_template(base: str) -> str:
    name = _PREFIX + "template_" + secrets.token_hex(6)
    asyncio.run(admin(base, f'CREATE DATABASE "{name}"'))
    atexit.register(drop_database, f"{base.rstrip('/')}/{name}")
    _migrate(f"{base.rstrip('/')}/{name}")
    return name
