"""The site's typical reply time (app/kpis/reply_time.py) on known times: the nearest-rank
median of the week's first responses, rounded to whole seconds, and a kept figure that is read
again once its time is up."""

from __future__ import annotations

from datetime import timedelta

from app.chat.models import Chat
from app.common.types import utcnow
from app.kpis.reply_time import ReplyTimes, typical_reply_s
from tests.unit.world import World


async def answered(world: World, site_id: str, *response_s: float) -> None:
    now = utcnow()
    async with world.uow() as uow:
        for seconds in response_s:
            wrote = now - timedelta(hours=1)
            uow.session.add(
                Chat(
                    site_id=site_id,
                    visitor_id=await world.visitor(),
                    status="closed",
                    created_at=wrote,
                    first_visitor_message_at=wrote,
                    first_response_at=wrote + timedelta(seconds=seconds),
                )
            )


async def test_the_median_of_five_or_more_answers_in_whole_seconds(world: World) -> None:
    site = await world.site()
    await answered(world, site, 10.4, 61.6, 30.2, 400)
    async with world.factory() as session:
        assert await typical_reply_s(session, site, utcnow()) is None
    await answered(world, site, 45.6)
    async with world.factory() as session:
        # 10.4, 30.2, 45.6, 61.6, 400: the third.
        assert await typical_reply_s(session, site, utcnow()) == 46
        # A week later none of them counts.
        assert await typical_reply_s(session, site, utcnow() + timedelta(days=8)) is None


async def test_a_kept_figure_is_read_again_once_its_time_is_up(world: World) -> None:
    site = await world.site()
    await answered(world, site, *[20] * 5)
    kept, fresh = ReplyTimes(ttl_s=3600), ReplyTimes(ttl_s=0)
    async with world.factory() as session:
        assert await kept.of(session, site, utcnow()) == 20
        assert await fresh.of(session, site, utcnow()) == 20
    await answered(world, site, *[300] * 6)
    async with world.factory() as session:
        assert await kept.of(session, site, utcnow()) == 20
        assert await fresh.of(session, site, utcnow()) == 300
