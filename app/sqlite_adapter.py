"""SQLAlchemy's aiosqlite adapter with one hand-off to the database's thread per statement.

The stock adapter makes a statement four round trips between the event loop and aiosqlite's
thread: open a cursor, execute, fetch the rows, close the cursor. Each round trip is a queue
put, a thread wake-up and a future resolved back on the loop, about 70 µs of CPU on this
machine, more than the statement itself; a unit of work with one query paid eight of them
(docs/performance.md). Here the cursor is opened, executed, read and closed in one call on the
thread, and the adapter keeps the result. Server-side cursors (streamed results) stay stock.

It is plugged in as the engine's DBAPI module (``create_async_engine(..., module=...)``), so
SQLAlchemy's dialect, pool and types are unchanged. It uses aiosqlite's ``_execute`` and
``_conn`` as app/chat/sqlite_batch.py does; the whole suite runs on it.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT

_Result = tuple[Any, list[Any], int, int | None]


def _run(db: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Result:
    """On aiosqlite's thread: the whole life of a cursor."""
    cursor = db.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class _OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:  # no cursor opened here: _run does
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _call(self, operation: Any, parameters: Any, many: bool) -> None:
        async with self._adapt_connection._execute_mutex:
            driver = self._connection
            result: _Result = await driver._execute(_run, driver._conn, operation, parameters, many)
        self._description, rows, self._rowcount, self._lastrowid = result
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        await self._call(operation, parameters, False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> None:
        await self._call(operation, seq_of_parameters, True)

    async def _async_soft_close(self) -> None:  # closed on the thread already
        return None

    def close(self) -> None:
        self._rows.clear()

    def nextset(self) -> None:
        return None

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _OneHopCursor


class _Dbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> _Connection:
        stock = super().connect(*arg, **kw)
        return _Connection(self, stock._connection)


def dbapi() -> Any:
    """The DBAPI module to hand ``create_async_engine`` for ``sqlite+aiosqlite`` URLs."""
    return _Dbapi(aiosqlite, sqlite3)
