"""Sites: the shops that embed the widget."""

from __future__ import annotations

import secrets
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.common.i18n import Language, known
from app.sites.models import Site


async def create_site(
    session: AsyncSession, name: str, origins: list[str], site_key: str | None = None
) -> Site:
    site = Site(
        name=name,
        site_key=site_key or secrets.token_urlsafe(16),
        secret=secrets.token_urlsafe(32),
        allowed_origins=[o.rstrip("/") for o in origins],
    )
    session.add(site)
    await session.flush()
    return site


async def site_by_key(session: AsyncSession, site_key: str) -> Site | None:
    result = await session.execute(select(Site).where(Site.site_key == site_key))
    return result.scalar_one_or_none()


async def all_sites(session: AsyncSession) -> list[Site]:
    result = await session.execute(select(Site).order_by(Site.created_at, Site.id))
    return list(result.scalars())


async def first_site(session: AsyncSession) -> Site | None:
    result = await session.execute(select(Site).order_by(Site.created_at).limit(1))
    return result.scalar_one_or_none()


def origin_allowed(site: Site, origin: str | None) -> bool:
    return origin_in(site.allowed_origins, origin)


def origin_in(allowed_origins: list[str], origin: str | None) -> bool:
    """An empty allow-list admits any origin; a request without Origin is not from a browser."""
    if not allowed_origins or origin is None:
        return True
    return origin.rstrip("/") in allowed_origins


def site_timezone(site: Site) -> str:
    """The IANA zone the shop's times are shown in (mails, reports); UTC until it is set."""
    zone = site.settings.get("timezone")
    return zone if isinstance(zone, str) and zone else "UTC"


DEFAULT_ALERT_AFTER_S = 60


def alert_after_s(site: Site) -> int:
    """Seconds a visitor may wait for an answer before the dashboard raises its alert."""
    value = site.settings.get("alert_after_s")
    return (
        value if isinstance(value, int) and not isinstance(value, bool) else DEFAULT_ALERT_AFTER_S
    )


def transcripts_enabled(site: Site) -> bool:
    """Whether visitors and agents may have chat transcripts e-mailed (on unless turned off)."""
    return site.settings.get("transcripts") is not False


def site_language(site: Site) -> Language:
    """The language the shop's widget and e-mails speak (English until it is set)."""
    return known(site.settings.get("language"))


AskContact = Literal["before", "after", "never"]


def ask_contact(site: Site) -> AskContact:
    """When the widget asks a visitor's name and e-mail: with the question ("before"), once they
    have typed it ("after", the default: the visitor types first), or "never"."""
    value = site.settings.get("ask_contact")
    if value == "before":
        return "before"
    return "never" if value == "never" else "after"


def language_from_browser(site: Site) -> bool:
    """Whether the widget follows the visitor's browser language (among Parley's) instead."""
    return site.settings.get("language_from_browser") is True
