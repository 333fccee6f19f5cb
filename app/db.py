"""Async engine and session factory; units of work (app/common/uow.py) open short sessions."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import MetaData, PoolResetState, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.util import greenlet_spawn

from app import sqlite_adapter

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


T = TypeVar("T")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets readers proceed while one writer commits; busy_timeout makes concurrent writers
    # wait their turn instead of failing, which is how SQLite serialises the routing claim.
    # Let SQLAlchemy's "begin" event issue BEGIN itself (see _begin_immediate).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _begin_immediate(conn: Any) -> None:
    # Take the write lock at the start of every transaction: a read-then-write transaction can
    # then never fail on lock upgrade, and the routing claim is serialised like a row lock.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _rollback_if_open(dbapi_conn: Any, _record: Any, state: PoolResetState) -> None:
    # A connection checked in inside a transaction is rolled back, as the pool's default reset
    # does; one whose transaction has ended (every unit of work's, and the message batch's,
    # which commits on aiosqlite's thread: app/chat/sqlite_batch.py) is not sent a ROLLBACK
    # that would cost a round trip to that thread for nothing.
    left_open = not state.transaction_was_reset and dbapi_conn.driver_connection.in_transaction
    if state.asyncio_safe and left_open:
        dbapi_conn.rollback()


def make_engine(url: str, stock_sqlite_adapter: bool = False) -> AsyncEngine:
    """The engine for ``url``. ``stock_sqlite_adapter`` keeps SQLAlchemy's own aiosqlite
    adapter (four round trips a statement), for bench.uow to measure against."""
    if url.startswith("sqlite"):
        # SQLite has one writer, and every transaction here takes the write lock. With one
        # pooled connection, units of work wait their turn in the pool, in order, without a
        # thread; with several, all but one would sleep in SQLite's busy handler (1, 2, 5, 10,
        # ... ms), which was most of a message's latency under load (docs/performance.md).
        # One hand-off to aiosqlite's thread a statement (app/sqlite_adapter.py).
        adapter = {} if stock_sqlite_adapter else {"module": sqlite_adapter.dbapi()}
        engine = create_async_engine(
            url,
            connect_args={"timeout": 30},
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            pool_reset_on_return=None,  # _rollback_if_open resets instead
            **adapter,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "reset", _rollback_if_open)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def sqlite_engine(sessions: async_sessionmaker[AsyncSession]) -> AsyncEngine | None:
    """The engine behind ``sessions`` when it is SQLite's: the batch writers then hand whole
    batches to its thread (``in_sqlite_transaction``); None on any other database."""
    engine = sessions.kw.get("bind")
    on_sqlite = isinstance(engine, AsyncEngine) and engine.dialect.name == "sqlite"
    return engine if on_sqlite else None


async def in_sqlite_transaction(
    engine: AsyncEngine, work: Callable[[sqlite3.Connection], T | None]
) -> T | None:
    """``work`` run on aiosqlite's thread with the plain ``sqlite3`` connection, in one
    transaction from ``BEGIN IMMEDIATE`` (the write lock, as every Parley transaction takes it)
    to ``COMMIT``: one hand-off for the whole of it. ``work`` returning None rolls back.

    The pool's only connection is checked out from the pool itself, not through an
    ``AsyncConnection`` and a session: those cost more than a batch's statements
    (docs/performance.md). The checkout still queues with every other unit of work, and the
    check-in skips the pool's rollback, as the transaction ended here (``_rollback_if_open``).
    """
    fairy = await greenlet_spawn(engine.sync_engine.pool.connect)
    try:
        driver = fairy.driver_connection  # aiosqlite.Connection
        # aiosqlite runs a callable on its thread with ``_execute``; the sqlite3 connection
        # is ``_conn``. Both private, so the suite's tests (real aiosqlite) guard this call.
        run = cast(Any, driver)._execute
        result: T | None = await run(_transaction, cast(Any, driver)._conn, work)
        return result
    finally:
        await greenlet_spawn(fairy.close)


def _transaction(
    db: sqlite3.Connection, work: Callable[[sqlite3.Connection], T | None]
) -> T | None:
    db.execute("BEGIN IMMEDIATE")
    try:
        result = work(db)
        db.execute("ROLLBACK" if result is None else "COMMIT")
        return result
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
