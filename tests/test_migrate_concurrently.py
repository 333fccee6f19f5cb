"""Processes started together upgrade one fresh database without racing (app/migrate.py).

Three ``parley migrate`` processes start at once against an empty database: every one
succeeds, and the schema is exactly what the models describe. On SQLite always; on PostgreSQL
(the advisory lock) when ``PARLEY_TEST_POSTGRES`` is set.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from app import migrate
from app.db import make_engine
from app.models import Base
from tests.databases import drop_database, fresh_database, postgres_base

PROCESSES = 3
ROOT = Path(__file__).resolve().parent.parent


def _schema(connection: Connection) -> tuple[list[Any], set[str], list[str]]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": migrate.include_name}
    )
    diff = list(compare_metadata(context, Base.metadata))
    heads = list(context.get_current_heads())
    return diff, set(inspect(connection).get_table_names()), heads


async def _inspect(url: str) -> tuple[list[Any], set[str], list[str]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_schema)
    finally:
        await engine.dispose()


def _migrate_all_at_once(url: str, tmp: Path) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "PARLEY_DATABASE_URL": url, "PARLEY_LOG_LEVEL": "warning"}
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "app.cli", "migrate"],
            cwd=tmp,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    finished = []
    for process in started:
        out, err = process.communicate(timeout=120)
        finished.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return finished


@pytest.mark.parametrize(
    "backend",
    [
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                postgres_base() is None, reason="PARLEY_TEST_POSTGRES is not set"
            ),
        ),
    ],
)
def test_three_processes_migrate_one_fresh_database(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'parley.db'}"
    else:
        url = fresh_database(tmp_path, migrated=False)
    assert url.startswith(backend)
    try:
        results = _migrate_all_at_once(url, tmp_path)
        for result in results:
            assert result.returncode == 0, result.stderr
            assert '{"migrated": true}' in result.stdout
        diff, tables, heads = asyncio.run(_inspect(url))
    finally:
        drop_database(url)
    assert diff == []
    assert set(Base.metadata.tables) <= tables
    assert len(heads) == 1
