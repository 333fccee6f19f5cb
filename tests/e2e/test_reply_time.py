"""The widget's "usually replies in ..." on a real server: the widget session's
``config.reply_time_s`` is the median first response time (docs/kpis.md) of the site's live
chats of the last 7 days, null without 5 answered ones or while nobody can answer, kept per site
for a while; and the header shows it under the team's faces in Chromium.

The chats are written with known times straight into the server's database: a week of history
cannot be lived through in a test, and the figure is read from those columns alone.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

import app.models  # noqa: F401  (every table in the metadata)
from app.chat.models import Chat
from app.common.types import utcnow
from tests.e2e.axe import describe, severe_violations
from tests.e2e.conftest import settled
from tests.e2e.routing_support import Shop
from tests.e2e.test_i18n_browser import shop_page, web
from tests.e2e.test_widget_api import Shop as PageServer
from tests.support import Server, presence_fence

__all__ = ["web"]  # the fixture, shared with test_i18n_browser.py


def answered(
    response_s: float, started: datetime, *, offline: bool = False, status: str = "closed"
) -> dict[str, object]:
    """A chat started at ``started`` whose visitor wrote 5 s later and was answered
    ``response_s`` after that (negative: a greeting before the visitor's first word)."""
    wrote = started + timedelta(seconds=5)
    return {
        "status": status,
        "created_at": started,
        "first_visitor_message_at": wrote,
        "first_response_at": wrote + timedelta(seconds=response_s),
        "offline_at": started if offline else None,
    }


async def write_chats(server: Server, shop: Shop, rows: list[dict[str, object]]) -> None:
    """The chats, of one visitor of the shop, straight into the server's database."""
    session = await asyncio.to_thread(server.widget_session, shop.site_key)
    engine = create_async_engine(server.database_url)
    try:
        async with AsyncSession(engine) as db, db.begin():
            for row in rows:
                db.add(Chat(site_id=shop.site_id, visitor_id=session["visitor"]["id"], **row))
    finally:
        await engine.dispose()


async def reply_time(server: Server, shop: Shop) -> object:
    session = await asyncio.to_thread(server.widget_session, shop.site_key)
    return session["config"]["reply_time_s"]


async def shop_with_agent(server: Server, name: str) -> Shop:
    shop = await Shop.create(server, name)
    await shop.add_agent("Ann")
    return shop


async def test_the_widget_session_carries_the_median_first_response_of_the_last_week(
    server: Server,
) -> None:
    shop = await shop_with_agent(server, "Reply shop")
    now = utcnow()
    hour = timedelta(hours=1)
    await write_chats(
        server,
        shop,
        [
            # Counted: answered after 20, 45, 150, 200 and 900 s; the median is 150.
            answered(20, now - 2 * hour),
            answered(45, now - 30 * hour),
            answered(150, now - 3 * 24 * hour),
            answered(200, now - 6 * 24 * hour, status="active"),
            answered(900, now - 5 * hour),
            # Not counted: an offline message answered by e-mail, a chat older than the week,
            # a greeting before the visitor wrote, and a chat nobody answered.
            answered(5, now - hour, offline=True),
            answered(1, now - 8 * 24 * hour),
            answered(-10, now - 4 * hour),
            {**answered(0, now - hour), "first_response_at": None},
        ],
    )
    # Nobody online (no office hours set, so the site still takes chats): no promise.
    assert await reply_time(server, shop) is None

    ann = await shop.connect_agent("Ann")
    assert await reply_time(server, shop) == 150

    # Kept per site for minutes: three quick answers now change nothing yet.
    await write_chats(server, shop, [answered(1, now - hour) for _ in range(3)])
    assert await reply_time(server, shop) == 150

    # Four answered chats are too few to say; a site without chats has nothing to say.
    few = await shop_with_agent(server, "Few chats shop")
    await write_chats(server, few, [answered(30, now - hour) for _ in range(4)])
    empty = await shop_with_agent(server, "New shop")
    others = [await few.connect_agent("Ann"), await empty.connect_agent("Ann")]
    assert await reply_time(server, few) is None
    assert await reply_time(server, empty) is None
    for client in [ann, *others]:
        await client.close()


@pytest.mark.browser
async def test_the_header_says_how_soon_the_shop_usually_replies(
    server: Server, browser: Browser, web: PageServer
) -> None:
    shop = await shop_with_agent(server, "Header shop")
    now = utcnow()
    await write_chats(
        server, shop, [answered(s, now - timedelta(hours=1)) for s in (40, 90, 120, 200, 400)]
    )
    ann = await shop.connect_agent("Ann")

    page = await shop_page(browser, server, web, shop.site_key, "en-GB")
    await page.click("[data-testid=parley-bubble]")
    team = page.locator("[data-testid=header-team]")
    reply = page.locator("[data-testid=header-reply-time]")
    await expect(team).to_contain_text("Online now")
    await expect(reply).to_have_text("Usually replies in a few minutes")
    # Under the faces, inside the header.
    await settled(page)
    team_box, reply_box = await team.bounding_box(), await reply.bounding_box()
    assert team_box is not None
    assert reply_box is not None
    assert reply_box["y"] >= team_box["y"] + team_box["height"] - 1
    violations = await severe_violations(page, include="#parley-widget")
    assert not violations, describe(violations)
    await page.context.close()

    # Ann steps away: nobody is online and the header promises nothing.
    await presence_fence(ann, "away")
    page = await shop_page(browser, server, web, shop.site_key, "en-GB")
    await page.click("[data-testid=parley-bubble]")
    # The header is there (the shop's name), without faces or a promise.
    await expect(page.locator("#parley-widget .hdr__title").first).to_have_text("Header shop")
    await expect(page.locator("[data-testid=header-reply-time]")).to_have_count(1)
    await expect(page.locator("[data-testid=header-team]")).to_be_hidden()
    await expect(page.locator("[data-testid=header-reply-time]")).to_be_hidden()
    await page.context.close()
    await ann.close()
