"""The one-hand-off SQLite adapter (app/sqlite_adapter.py) answers as the stock driver does:
the rows, the counts SQLAlchemy reads after a write, and the database's own errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.db import make_engine


async def test_rows_counts_and_errors_are_the_drivers(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'adapter.db'}")
    try:
        async with engine.begin() as c:
            await c.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
            one = await c.execute(text("INSERT INTO t (name) VALUES ('a')"))
            assert one.lastrowid == 1
            many = await c.execute(
                text("INSERT INTO t (name) VALUES (:name)"),
                [{"name": n} for n in ("b", "c", "d")],
            )
            assert many.rowcount == 3
            changed = await c.execute(text("UPDATE t SET name = name || '!' WHERE id > 2"))
            assert changed.rowcount == 2
            none = await c.execute(text("SELECT id, name FROM t WHERE id > 99"))
            assert list(none.keys()) == ["id", "name"]
            assert none.all() == []
            rows = await c.execute(text("SELECT id, name FROM t ORDER BY id"))
            assert rows.all() == [(1, "a"), (2, "b"), (3, "c!"), (4, "d!")]
        with pytest.raises(IntegrityError):
            async with engine.begin() as c:
                await c.execute(text("INSERT INTO t (name) VALUES ('a')"))
        async with engine.connect() as c:  # the failed transaction left nothing behind
            count = await c.execute(text("SELECT count(*) FROM t"))
            assert count.scalar_one() == 4
            streamed = await c.stream(text("SELECT name FROM t ORDER BY id"))
            assert [n async for (n,) in streamed] == ["a", "b", "c!", "d!"]
    finally:
        await engine.dispose()
