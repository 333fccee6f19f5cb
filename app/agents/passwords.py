"""Argon2 password hashing; verification never says why it failed."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Compared against when the e-mail is unknown, so a wrong e-mail costs the same time as a
    wrong password and login timing does not reveal which accounts exist. Made on first use, not
    at import: every command and server start would pay for a hash it may never need."""
    return _hasher.hash("parley-no-such-agent")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        matches = _hasher.verify(password_hash or _dummy_hash(), password)
        return matches and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
