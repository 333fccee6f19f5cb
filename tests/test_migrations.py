"""The Alembic migrations build exactly the schema the models describe, and every one of them
undoes cleanly: down to nothing and up again gives the same schema, step by step.

On SQLite always; on PostgreSQL too when ``PARLEY_TEST_POSTGRES`` is set (a database of its own).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from app import migrate
from app.db import make_engine
from app.models import Base
from tests.databases import drop_database, fresh_database, postgres_base

Schema = dict[str, Any]


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": migrate.include_name}
    )
    return list(compare_metadata(context, Base.metadata))


def _schema(connection: Connection) -> Schema:
    """Tables with their columns, keys and indexes, comparable between two moments."""
    insp = inspect(connection)
    out: Schema = {}
    for table in sorted(insp.get_table_names()):
        if table == "alembic_version":
            continue
        out[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in insp.get_columns(table)
            ],
            "pk": insp.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in insp.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in insp.get_indexes(table)
            ),
            "uniques": sorted(
                (u["name"], tuple(u["column_names"])) for u in insp.get_unique_constraints(table)
            ),
        }
    return out


async def _inspect(url: str) -> tuple[list[Any], Schema]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_diff), await conn.run_sync(_schema)
    finally:
        await engine.dispose()


def _params() -> list[Any]:
    postgres = pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(postgres_base() is None, reason="PARLEY_TEST_POSTGRES unset"),
    )
    return ["sqlite", postgres]


@pytest.fixture(params=_params())
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
        return
    database = fresh_database(tmp_path, migrated=False)
    try:
        yield database
    finally:
        drop_database(database)


def test_migrations_match_models(url: str) -> None:
    migrate.upgrade(url)
    diff, schema = asyncio.run(_inspect(url))
    assert diff == []
    assert set(Base.metadata.tables) <= set(schema)


def test_every_migration_downgrades_to_the_schema_before_it(url: str) -> None:
    """Up one revision at a time, noting the schema; then down one at a time, where each
    downgrade must give back exactly the schema noted before its upgrade."""
    cfg = migrate.alembic_config(url)
    revisions = [r.revision for r in ScriptDirectory.from_config(cfg).walk_revisions()][::-1]
    before: dict[str, Schema] = {}
    for revision in revisions:
        before[revision] = asyncio.run(_inspect(url))[1]
        command.upgrade(cfg, revision)
    diff, at_head = asyncio.run(_inspect(url))
    assert diff == []
    for revision in reversed(revisions):
        command.downgrade(cfg, "-1")
        assert asyncio.run(_inspect(url))[1] == before[revision], f"downgrade of {revision}"
    assert before[revisions[0]] == {}  # nothing of Parley's is left at base

    # And up again in one go: the same schema, and still what the models describe.
    migrate.upgrade(url)
    diff, again = asyncio.run(_inspect(url))
    assert diff == []
    assert again == at_head
