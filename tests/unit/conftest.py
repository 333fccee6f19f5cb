"""Service-level tests: domain services on a real SQLite database and a real in-process Hub.

No server process. The schema is built once per run by the Alembic migrations (as a server
builds it) into a template file; each test gets a copy of that file, so tests never meet.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import migrate
from app.db import make_engine, make_session_factory
from app.realtime.broker import MemoryBroker
from app.realtime.hub import Hub
from tests.unit.world import World

# app/ still calls Result.tuples(), deprecated since SQLAlchemy 2.1; servers only log that, and
# the unit layer (where the suite turns warnings into errors) runs the same code.
TUPLES_DEPRECATED = "ignore:The Result.tuples:sqlalchemy.exc.SADeprecationWarning"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.filterwarnings(TUPLES_DEPRECATED))


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "template.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
async def factory(
    template_db: Path, tmp_path: Path
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    path = tmp_path / "parley.db"
    shutil.copyfile(template_db, path)
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        yield make_session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def hub() -> AsyncIterator[Hub]:
    hub = Hub(MemoryBroker())
    await hub.start()
    try:
        yield hub
    finally:
        await hub.stop()


@pytest.fixture
def world(factory: async_sessionmaker[AsyncSession], hub: Hub) -> World:
    return World(factory, hub)
