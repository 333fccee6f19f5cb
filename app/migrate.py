"""Run Alembic migrations programmatically (``parley migrate``, ``parley serve``, tests).

Every ``parley`` command upgrades first, so processes started together (several ``serve`` behind
a load balancer, a ``create-agent`` beside them) upgrade the same database at once. They take
turns: on PostgreSQL behind an advisory lock held by the migration's transaction, on SQLite
behind a lock file beside the database. Whoever comes second finds the schema at head and does
nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator, Mapping
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

from app.resources import shipped_dir

MIGRATIONS_DIR = shipped_dir("migrations")
# PostgreSQL names advisory locks by a 64-bit number; any fixed one that nothing else uses will
# do, and it must never change between versions. This is "parley" in ASCII.
MIGRATION_LOCK_KEY = 0x7061726C6579


def serialize_upgrades(connection: Connection) -> None:
    """Wait until no other process migrates this database (called by migrations/env.py inside
    the migration's transaction, before Alembic reads the current version).

    ``pg_advisory_xact_lock`` is released when that transaction commits or rolls back, also
    when the process dies, so a crashed upgrade never leaves the lock behind.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url)
    return cfg


def upgrade(database_url: str) -> None:
    """Bring the database to the newest schema; must not be called from a running event loop."""
    with _sqlite_turn(database_url):
        command.upgrade(alembic_config(database_url), "head")


@contextlib.contextmanager
def _sqlite_turn(database_url: str) -> Iterator[None]:
    """On SQLite, upgrades take turns through a lock file beside the database.

    Alembic reads the current version before SQLite's write lock is taken (SQLite's DDL is not
    transactional for Alembic), so two processes could both run the same step: seen as a batch
    migration that found its own new columns already there.
    """
    url = make_url(database_url)
    path = url.database
    if url.get_backend_name() != "sqlite" or not path or path == ":memory:":
        yield
        return
    with open(f"{path}.migrate-lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# Full-text search lives outside the models (migrations 0014 and 0019, app/archive/search.py,
# app/replies/faq.py): the FTS5
# table with its shadow tables on SQLite, the expression index on PostgreSQL.
SEARCH_OBJECTS = ("messages_fts", "ix_messages_body_fts", "saved_replies_fts")


def include_name(name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
    """Alembic's ``include_name``: compare everything but the search objects with the models."""
    return not (name and name.startswith(SEARCH_OBJECTS))
