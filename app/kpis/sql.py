"""Seconds since the epoch of a timestamp column, in SQL, on SQLite and PostgreSQL alike.

The KPIs need differences of times for thousands of chats; computing them in the database
returns plain numbers and spares the process parsing every timestamp.
"""

from __future__ import annotations

from typing import Any, TypeVarTuple

from sqlalchemy import Float, Result, Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

_Ts = TypeVarTuple("_Ts")


class epoch(FunctionElement[float]):  # noqa: N801 - reads as a SQL function
    """``epoch(column)``: the column's time as seconds since 1970-01-01 UTC (NULL stays NULL)."""

    type = Float()
    inherit_cache = True
    name = "epoch"

    def __init__(self, column: Any) -> None:  # a mapped attribute or any column expression
        super().__init__(column)


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC; julianday keeps the fraction.
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch, "postgresql")
def _epoch_postgresql(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})::float8"


async def core_rows(session: AsyncSession, statement: Select[*_Ts]) -> Result[*_Ts]:
    """The rows of a column select, run on the session's connection (same transaction) as a
    Core statement: the ORM's result handling, which these plain tuples do not need, costs
    about a sixth more per row on the thousands of rows a report reads."""
    connection = await session.connection()
    return await connection.execute(statement)
