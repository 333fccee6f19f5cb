"""The token-signing secret: ``PARLEY_SECRET_KEY`` when set, else one generated on first start.

The generated secret lives in the database, so every process of an installation (one SQLite
file, or many processes on one PostgreSQL) signs and verifies with the same key, a restart keeps
every token valid, and restoring a backup restores the key with the accounts it protects. No
install ever runs on a key that was published with the source.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.instance.models import InstanceSecret

TOKEN_SIGNING = "token_signing"


async def stored_secret(session: AsyncSession, name: str) -> str:
    """The secret called ``name``, created with 384 random bits if this install has none yet."""
    query = select(InstanceSecret.value).where(InstanceSecret.name == name)
    value = await session.scalar(query)
    if value is not None:
        return value
    try:
        async with session.begin_nested():
            session.add(InstanceSecret(name=name, value=secrets.token_urlsafe(48)))
    except IntegrityError:
        pass  # another process starting at the same moment stored its secret first: use that
    stored = await session.scalar(query)
    assert stored is not None
    return stored


async def with_signing_secret(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> Settings:
    """``settings`` with the key tokens are signed with: the configured one, else the stored one."""
    if settings.secret_key:
        return settings
    async with sessions() as session, session.begin():
        key = await stored_secret(session, TOKEN_SIGNING)
    return settings.model_copy(update={"secret_key": key})
