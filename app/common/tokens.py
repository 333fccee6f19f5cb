"""Signed, expiring bearer tokens for agents and visitors (JWT, HS256)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import jwt

TokenType = Literal["agent", "visitor", "download"]


@dataclass(frozen=True, slots=True)
class TokenClaims:
    subject: str
    site_id: str
    type: TokenType
    # An agent's token epoch: bumped when a password is reset or the agent deactivated, so
    # every token issued before stops working on every process at once.
    epoch: int = 0


def _require(secret: str) -> None:
    # An empty key would sign tokens anyone can forge; it means the install's key was not loaded.
    if not secret:
        raise ValueError("no token-signing key: settings were not resolved (app/instance)")


def issue(secret: str, claims: TokenClaims, ttl_s: int) -> str:
    _require(secret)
    now = int(time.time())
    payload = {
        "sub": claims.subject,
        "site": claims.site_id,
        "typ": claims.type,
        "ep": claims.epoch,
        "iat": now,
        "exp": now + ttl_s,
    }
    return jwt.encode(payload, secret, algorithm="HS256")


def verify(secret: str, token: str, expected: TokenType) -> TokenClaims | None:
    """The claims of a valid, unexpired token of the expected type; None for anything else."""
    _require(secret)
    try:
        payload = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp"]})
    except jwt.PyJWTError:
        return None
    if payload.get("typ") != expected:
        return None
    sub, site, epoch = payload.get("sub"), payload.get("site"), payload.get("ep", 0)
    if not isinstance(sub, str) or not isinstance(site, str) or not isinstance(epoch, int):
        return None
    return TokenClaims(subject=sub, site_id=site, type=expected, epoch=epoch)
