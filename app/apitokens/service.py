"""API tokens: issued once, kept as a keyed hash, checked against the database on every use."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.apitokens.models import ApiToken
from app.common.errors import NotFound
from app.common.types import new_id, utcnow

PREFIX = "pk_"
# ``last_used_at`` is written at most this often per token: a busy integration must not turn
# every read into a write.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def _digest(key: str, secret: str) -> str:
    return hmac.new(key.encode(), secret.encode(), hashlib.sha256).hexdigest()


def looks_like_token(bearer: str) -> bool:
    return bearer.startswith(PREFIX)


async def create(
    session: AsyncSession, key: str, site_id: str, name: str, role: str, scope: str, by: str
) -> tuple[ApiToken, str]:
    """A new token and its plain text, which is never stored and never shown again."""
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        id=new_id(),
        site_id=site_id,
        name=name,
        role=role,
        scope=scope,
        secret_hash=_digest(key, secret),
        created_by=by,
        created_at=utcnow(),
    )
    session.add(token)
    await session.flush()
    return token, f"{PREFIX}{token.id}_{secret}"


async def listed(session: AsyncSession, site_id: str) -> list[ApiToken]:
    rows = await session.execute(
        select(ApiToken)
        .where(ApiToken.site_id == site_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id)
    )
    return list(rows.scalars())


async def revoke(session: AsyncSession, site_id: str, token_id: str) -> None:
    token = await session.get(ApiToken, token_id)
    if token is None or token.site_id != site_id:
        raise NotFound("no such API token")
    await session.delete(token)


async def resolve(session: AsyncSession, key: str, bearer: str) -> ApiToken | None:
    """The live token a bearer string names, or None; notes its use (at most once a minute)."""
    if not looks_like_token(bearer):
        return None
    token_id, sep, secret = bearer[len(PREFIX) :].partition("_")
    if not sep or not secret or len(token_id) > 32:
        return None
    token = await session.get(ApiToken, token_id)
    # Compared even when the row is missing, so timing says nothing about which ids exist.
    expected = token.secret_hash if token is not None else "0" * 64
    if not hmac.compare_digest(expected, _digest(key, secret)) or token is None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        token.last_used_at = now
        await session.commit()
    return token
