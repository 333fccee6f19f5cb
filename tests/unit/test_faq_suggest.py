"""FAQ suggestions: ranked by full-text search (SQLite FTS5 and PostgreSQL), only the site's
shared FAQ replies, at most three, and what a visitor types is never search syntax."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import migrate
from app.agents.models import Agent
from app.common.uow import UnitOfWork
from app.db import make_engine, make_session_factory
from app.realtime.hub import Hub
from app.replies import faq
from app.replies.models import SavedReply
from app.sites.models import Site
from tests.databases import drop_database, fresh_database, postgres_base

ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    postgres_base() is None, reason="PARLEY_TEST_POSTGRES unset"))]  # fmt: skip


@pytest.fixture(params=ENGINES)
def database_url(
    request: pytest.FixtureRequest, template_db: Path, tmp_path: Path
) -> Iterator[str]:
    """Built outside the event loop: migrations and PostgreSQL's CREATE DATABASE run their own."""
    if request.param == "sqlite":
        path = tmp_path / "parley.db"
        shutil.copyfile(template_db, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = fresh_database(tmp_path)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        drop_database(url)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    try:
        yield make_session_factory(engine)
    finally:
        await engine.dispose()


REPLIES = [
    # (shortcut, title, body, shared, faq)
    ("delivery", "Delivery times", "Bikes are delivered within 3 to 5 working days.", True, True),
    ("returns", "Returns", "You can return a bike within 30 days for a full refund.", True, True),
    ("sizes", "Frame sizes", "Measure your inside leg to find the frame size.", True, True),
    ("warranty", "Warranty", "Every frame has a 5 year warranty; delivery damage is covered.",
     True, True),
    ("payments", "Paying", "We take cards and invoices.", True, True),
    # Never suggested: shared but not FAQ, an agent's own reply.
    ("internal", "Delivery delays (internal)", "Delivery delayed: blame the courier.", True,
     False),
    ("mine", "My delivery note", "Delivery: I check the courier myself.", False, False),
]  # fmt: skip


async def seed(uow: UnitOfWork, name: str, replies: list[tuple[str, str, str, bool, bool]]) -> str:
    site = Site(name=name, site_key=f"key-{name}", secret="s")
    uow.session.add(site)
    await uow.session.flush()
    agent = Agent(
        site_id=site.id, email=f"a@{name}.example", name="A", password_hash="x", role="admin"
    )
    uow.session.add(agent)
    await uow.session.flush()
    for shortcut, title, body, shared, is_faq in replies:
        uow.session.add(
            SavedReply(
                site_id=site.id,
                owner_id=None if shared else agent.id,
                shortcut=shortcut,
                title=title,
                body=body,
                faq=is_faq,
            )
        )
    await uow.session.flush()
    return site.id


@pytest.fixture
async def sites(sessions: async_sessionmaker[AsyncSession], hub: Hub) -> dict[str, str]:
    async with UnitOfWork(sessions, hub) as uow:
        shop = await seed(uow, "shop", REPLIES)
        # Another site with a reply that would match best of all: never shown to the first.
        other = await seed(
            uow, "other", [("d", "Delivery delivery", "Delivery delivered delivery.", True, True)]
        )
    return {"shop": shop, "other": other}


async def titles(
    sessions: async_sessionmaker[AsyncSession], hub: Hub, site_id: str, q: str
) -> list[str]:
    async with UnitOfWork(sessions, hub) as uow:
        return [r.title for r in await faq.suggest(uow, site_id, q)]


async def test_best_match_first_and_only_shared_faq_of_the_site(
    sessions: async_sessionmaker[AsyncSession], hub: Hub, sites: dict[str, str]
) -> None:
    found = await titles(sessions, hub, sites["shop"], "When will my bike be delivered?")
    # "delivered" and "bike" are both in the delivery reply; "bike" alone in the returns one.
    assert found[0] == "Delivery times"
    assert "Delivery delays (internal)" not in found
    assert "My delivery note" not in found
    assert "Delivery delivery" not in found
    assert len(found) <= faq.LIMIT


async def test_title_words_outrank_body_words(
    sessions: async_sessionmaker[AsyncSession], hub: Hub, sites: dict[str, str]
) -> None:
    # "warranty" is the warranty reply's title and in its body; "delivery" is only a word of
    # the warranty body but the title of the delivery reply.
    assert (await titles(sessions, hub, sites["shop"], "warranty"))[0] == "Warranty"
    both = await titles(sessions, hub, sites["shop"], "delivery")
    assert both[:2] == ["Delivery times", "Warranty"]


async def test_at_most_three(
    sessions: async_sessionmaker[AsyncSession], hub: Hub, sites: dict[str, str]
) -> None:
    # Words of four different replies.
    found = await titles(sessions, hub, sites["shop"], "delivery refund frame cards")
    assert len(found) == 3


async def test_nothing_matching_and_search_syntax_are_no_suggestions(
    sessions: async_sessionmaker[AsyncSession], hub: Hub, sites: dict[str, str]
) -> None:
    assert await titles(sessions, hub, sites["shop"], "zebra xylophone") == []
    assert await titles(sessions, hub, sites["shop"], "  ?! a ") == []
    # FTS5 / tsquery syntax is read as words, never as syntax (and never an error).
    assert (await titles(sessions, hub, sites["shop"], 'refund" OR NEAR(*) & !:'))[0] == "Returns"


async def test_the_other_site_sees_only_its_own(
    sessions: async_sessionmaker[AsyncSession], hub: Hub, sites: dict[str, str]
) -> None:
    assert await titles(sessions, hub, sites["other"], "delivery refund") == ["Delivery delivery"]


def test_words() -> None:
    assert faq.words('Can I "return" my BIKE? return!') == ["can", "return", "bike"]
