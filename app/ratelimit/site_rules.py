"""A shop's own limits for its visitors, where one shop's traffic differs from another's.

Stored in the site's settings (``rate_limits``), read through a short cache: a frame costs no
database read, and a change reaches every process within ``SITE_RULES_TTL_S``.
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.ratelimit.limiter import parse_rule
from app.sites.models import Site

# How long a process uses a site's limits before reading them again.
SITE_RULES_TTL_S = 30.0


class SiteRateLimits(BaseModel):
    """Per-site rules (``limits`` syntax, ``;``-separated; empty or null: the process's).

    Failed logins and widget sessions stay process-wide: they guard the server itself and are
    counted before anyone knows which shop a request is for.
    """

    model_config = ConfigDict(extra="forbid")
    chat_start: str | None = None
    visitor_message: str | None = None
    visitor_frame: str | None = None
    visitor_upload: str | None = None

    @field_validator("*")
    @classmethod
    def _parses(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            parse_rule(value)
        except ValueError as exc:
            raise ValueError(f"not a rate limit like '5/second;60/minute': {exc}") from exc
        return value.strip()

    @classmethod
    def of(cls, settings: dict[str, Any]) -> SiteRateLimits:
        return cls.model_validate(settings.get("rate_limits") or {})


class SiteRules:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._cache: dict[str, tuple[float, SiteRateLimits]] = {}

    async def rule(self, site_id: str, rule: str) -> str | None:
        """The site's own rule for ``rule``, or None for the process's."""
        now = time.monotonic()
        cached = self._cache.get(site_id)
        if cached is None or cached[0] < now:
            async with self._sessions() as session:
                settings = await session.scalar(select(Site.settings).where(Site.id == site_id))
            cached = (now + SITE_RULES_TTL_S, SiteRateLimits.of(settings or {}))
            self._cache[site_id] = cached
        value: str | None = getattr(cached[1], rule, None)
        return value

    def forget(self, site_id: str) -> None:
        """This process changed the site's limits: read them again at once."""
        self._cache.pop(site_id, None)
