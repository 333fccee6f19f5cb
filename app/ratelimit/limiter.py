"""One limiter per process: named rules, counted where every process sees the same counts.

Counting is the `limits` library's (a moving window: a refused caller waits until its oldest
counted attempt leaves the window, never a whole window after the last one). With Redis the
counts are shared by all processes; otherwise they live in this process. A rule is one or
more limits ("10/15 minutes;20/hour"): all must allow, so a longer limit makes repeated
lockouts last longer. If the counting store fails, callers are let through: a chat that keeps
working beats one that refuses everyone while Redis restarts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from limits import RateLimitItem, parse_many
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from app.common.errors import RateLimited
from app.config import Settings

log = logging.getLogger(__name__)

# What each rule counts, for the message a refused client reads.
WHAT = {
    "login_account": "failed logins for this account",
    "login_address": "failed logins from this address",
    "widget_session": "widget sessions from this address",
    "chat_start": "chats started from this address",
    "visitor_message": "messages",
    "agent_message": "messages",
    "visitor_upload": "uploads",
    "visitor_frame": "frames",
}


@lru_cache(maxsize=256)
def parse_rule(text: str) -> list[RateLimitItem]:
    """``"10/15 minutes;20/hour"`` → its limits; an empty rule has none (no limit)."""
    return parse_many(text) if text.strip() else []


def storage_uri(configured: str, broker_url: str) -> str:
    if configured:
        return configured
    if broker_url.startswith(("redis://", "rediss://")):
        return f"async+{broker_url}"
    return "async+memory://"


@dataclass
class _CountedLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class Limiter:
    def __init__(
        self,
        rules: Mapping[str, str],
        storage: str,
        prefix: str,
        enabled: bool = True,
        max_visitor_sockets: int = 0,
    ) -> None:
        self.enabled = enabled
        self._rules = {name: parse_rule(text) for name, text in rules.items()}
        options: dict[str, str | float] = {}
        if storage.startswith(("async+redis://", "async+rediss://")):
            # redis-py (already used by the broker), and short timeouts: with Redis gone, a
            # frame waits a second at most before it is let through unlimited.
            options = {
                "implementation": "redispy",
                "socket_timeout": 1.0,
                "socket_connect_timeout": 1.0,
            }
        self._window = MovingWindowRateLimiter(storage_from_string(storage, **options))
        self._prefix = prefix
        self._max_sockets = max_visitor_sockets
        self._sockets: Counter[str] = Counter()
        self._locks: dict[str, _CountedLock] = {}

    async def hit(self, rule: str, key: str, override: str | None = None) -> None:
        """Count one attempt, or raise ``RateLimited`` (not counted) if the rule is exhausted.
        ``override``: a site's own limits for this rule instead of the process's."""
        if not self.enabled:
            return
        items = parse_rule(override) if override else self._rules[rule]
        for item in items:
            try:
                allowed = await self._window.hit(item, self._prefix, rule, key)
            except Exception as exc:
                log.warning("rate limit store failed; letting the call through: %s", exc)
                return
            if not allowed:
                await self.check(rule, key, override)  # the longest wait of the limits used up
                raise self._refusal(rule, item.get_expiry())

    async def check(self, rule: str, key: str, override: str | None = None) -> None:
        """Raise ``RateLimited`` if one more attempt would be refused; counts nothing."""
        if not self.enabled:
            return
        waits = []
        try:
            for item in parse_rule(override) if override else self._rules[rule]:
                if not await self._window.test(item, self._prefix, rule, key):
                    waits.append(await self._wait_s(item, rule, key))
        except Exception as exc:
            log.warning("rate limit store failed; letting the call through: %s", exc)
            return
        if waits:
            raise self._refusal(rule, max(waits))

    async def count(self, rule: str, key: str) -> None:
        """Count one attempt that already happened (a failed login), refusing nothing."""
        if not self.enabled:
            return
        try:
            for item in self._rules[rule]:
                await self._window.hit(item, self._prefix, rule, key)
        except Exception as exc:
            log.warning("rate limit store failed; attempt not counted: %s", exc)

    @contextlib.asynccontextmanager
    async def one_at_a_time(self, *keys: str) -> AsyncIterator[None]:
        """Attempts under the same keys take turns in this process.

        Failures are counted after the attempt (only failures count), so attempts running side by
        side would all pass the check before any is counted: a hundred parallel guesses would
        all be tried. Taking turns leaves at most one attempt in flight per key and process.
        """
        if not self.enabled:
            yield
            return
        async with contextlib.AsyncExitStack() as stack:
            for key in sorted(keys):  # one order everywhere: no two attempts wait on each other
                lock = self._locks.setdefault(key, _CountedLock())
                lock.users += 1
                stack.callback(self._unuse, key, lock)
                await stack.enter_async_context(lock.lock)
            yield

    def _unuse(self, key: str, lock: _CountedLock) -> None:
        lock.users -= 1
        if lock.users == 0:
            self._locks.pop(key, None)

    def open_socket(self, visitor_id: str) -> bool:
        """Take one of the visitor's socket slots on this process; False when all are taken."""
        if self.enabled and self._max_sockets and self._sockets[visitor_id] >= self._max_sockets:
            return False
        self._sockets[visitor_id] += 1
        return True

    def close_socket(self, visitor_id: str) -> None:
        self._sockets[visitor_id] -= 1
        if self._sockets[visitor_id] <= 0:
            del self._sockets[visitor_id]

    async def _wait_s(self, item: RateLimitItem, rule: str, key: str) -> int:
        """Seconds until the oldest counted attempt leaves this limit's window."""
        stats = await self._window.get_window_stats(item, self._prefix, rule, key)
        return max(1, math.ceil(stats.reset_time - time.time()))

    @staticmethod
    def _refusal(rule: str, wait_s: int) -> RateLimited:
        what = WHAT.get(rule, "requests")
        return RateLimited(f"too many {what}; try again in {wait_s} s", wait_s)


def limiter_from(settings: Settings) -> Limiter:
    return Limiter(
        {rule: getattr(settings, f"rate_limit_{rule}") for rule in WHAT},
        storage_uri(settings.rate_limit_storage, settings.broker_url),
        settings.rate_limit_prefix,
        enabled=settings.rate_limits,
        max_visitor_sockets=settings.max_visitor_sockets,
    )
