from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.databases import drop_database, fresh_database
from tests.support import Server

DEMO_SITE_KEY = "demo-nordlys"
ALICE = ("alice@demo.parley", "alice-demo")
BEN = ("ben@demo.parley", "ben-demo")
SAM = ("sam@demo.parley", "sam-demo")


def make_server(tmp: Path, **env: str) -> Server:
    return Server(workdir=tmp, database_url=fresh_database(tmp), env_extra=env)


@contextmanager
def running_server(tmp: Path, **env: str) -> Iterator[Server]:
    """A started demo server with its own database; stopped and its database dropped after."""
    srv = make_server(tmp, **env)
    srv.start()
    try:
        yield srv
    finally:
        srv.kill()
        drop_database(srv.database_url)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A fresh demo server with its own database, for one test."""
    with running_server(tmp_path) as srv:
        yield srv


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One demo server for the tests of a module that only look (refused frames and tokens,
    headers, files): what one of them does, no other one of them reads. Starting a server
    takes seconds; these tests take milliseconds."""
    with running_server(tmp_path_factory.mktemp("module-server")) as srv:
        yield srv


@pytest.fixture
def unlimited_server(tmp_path: Path) -> Iterator[Server]:
    """A demo server with rate limits off, for tests that flood on purpose (bursts, fifty
    visitors on one address) and are not about limits: tests/e2e/test_rate_limits.py is."""
    with running_server(tmp_path, PARLEY_RATE_LIMITS="false") as srv:
        yield srv
