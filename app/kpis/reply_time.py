"""The site's typical time to a first answer lately, for the widget's header ("Usually replies
in a few minutes").

Every widget session start reads it, so it is computed at most once per ``REPLY_TIME_TTL_S``
per site and process, from the index ``ix_chats_site_created`` alone (covering: the window's
chats are read without a table lookup). The figure is the median of docs/kpis.md's
``first_response_s`` over the last ``REPLY_TIME_WINDOW`` — the dashboard's ``p50`` for that
window — and None until enough chats were answered for a median to mean something.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.chat.models import Chat
from app.kpis.service import percentile
from app.kpis.sql import core_rows, epoch

# The chats that count: those started this long before now.
REPLY_TIME_WINDOW = timedelta(days=7)
# Fewer answered chats than this say too little: no figure (a few slow nights are no rule).
REPLY_TIME_MIN_ANSWERED = 5
# How long a process keeps a site's figure; a week's median barely moves in five minutes.
REPLY_TIME_TTL_S = 300.0


async def typical_reply_s(session: AsyncSession, site_id: str, now: datetime) -> int | None:
    """The median first response time, in whole seconds, of the site's live chats started in
    the window, or None with fewer than ``REPLY_TIME_MIN_ANSWERED`` of them answered.

    As docs/kpis.md defines ``first_response_s``: from the visitor's first message to the
    agent's first public answer after it; offline messages (answered by e-mail) do not count.
    """
    wrote, answered = epoch(Chat.first_visitor_message_at), epoch(Chat.first_response_at)
    rows = await core_rows(
        session,
        select(answered - wrote).where(
            Chat.site_id == site_id,
            Chat.created_at >= now - REPLY_TIME_WINDOW,
            Chat.first_visitor_message_at.is_not(None),
            Chat.first_response_at >= Chat.first_visitor_message_at,
            Chat.offline_at.is_(None),
        ),
    )
    times = [float(seconds) for (seconds,) in rows]
    if len(times) < REPLY_TIME_MIN_ANSWERED:
        return None
    median = percentile(times, 50)
    return None if median is None else round(median)


class ReplyTimes:
    """Each site's ``typical_reply_s``, kept by this process for ``ttl_s`` seconds.

    Per process and never shared: a figure up to ``ttl_s`` old is as good as a fresh one for a
    "usually replies within" hint, and a cache miss costs one index range read.
    """

    def __init__(self, ttl_s: float = REPLY_TIME_TTL_S) -> None:
        self._ttl_s = ttl_s
        self._cache: dict[str, tuple[float, int | None]] = {}

    async def of(self, session: AsyncSession, site_id: str, now: datetime) -> int | None:
        """The site's figure, read again once the kept one is older than ``ttl_s``."""
        clock = time.monotonic()
        cached = self._cache.get(site_id)
        if cached is not None and cached[0] > clock:
            return cached[1]
        value = await typical_reply_s(session, site_id, now)
        self._cache[site_id] = (clock + self._ttl_s, value)
        return value
