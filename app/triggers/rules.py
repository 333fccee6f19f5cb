"""Trigger rules, evaluated without a database: what a visitor's visit says, and from when on
a trigger's conditions hold.

Every rule holds over an interval of time while the visit stays as it is: a rule on a fact
(URL, page views, cart value...) holds always or never, ``time_on_page_s >= 20`` holds from 20 s
after the page view on, ``<= 20`` until then. So "all" is the intersection of the intervals and
"any" their union, and the first moment from ``now`` on at which the trigger holds is computed,
not polled for: the server sets one durable timer for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any

# Which operators each field takes (docs/triggers.md).
FIELD_OPS: Mapping[str, frozenset[str]] = {
    "url": frozenset({"contains", "equals", "glob", "regex"}),
    "time_on_page_s": frozenset({"gte", "lte"}),
    "time_on_site_s": frozenset({"gte", "lte"}),
    "page_views": frozenset({"gte", "lte"}),
    "visit_count": frozenset({"gte", "lte"}),
    "returning": frozenset({"is"}),
    "cart_value": frozenset({"gte", "lte"}),
    "referrer": frozenset({"contains"}),
    "language": frozenset({"equals"}),
    "event": frozenset({"equals"}),
}
TEXT_FIELDS = frozenset({"url", "referrer", "language", "event"})
NUMBER_FIELDS = frozenset(
    {"time_on_page_s", "time_on_site_s", "page_views", "visit_count", "cart_value"}
)
BOOL_FIELDS = frozenset({"returning"})
TIME_FIELDS = frozenset({"time_on_page_s", "time_on_site_s"})


@dataclass(frozen=True, slots=True)
class Facts:
    """What is known of the visitor's current visit."""

    url: str
    page_started_at: datetime
    visit_started_at: datetime
    page_views: int
    visit_count: int
    returning: bool
    cart_value: float | None
    referrer: str | None
    language: str | None
    events: frozenset[str]


# A rule holds between these two times (None: unbounded); a rule that never holds is None.
Interval = tuple[datetime | None, datetime | None]
ALWAYS: Interval = (None, None)


def glob_matches(pattern: str, text: str) -> bool:
    """Shell wildcards over the whole text; ``*`` matches ``/`` too (fnmatch, case-sensitive)."""
    return fnmatchcase(text, pattern)


def excluded(url: str, patterns: Sequence[str]) -> bool:
    return any(glob_matches(p, url) for p in patterns)


def _compare(op: str, actual: float | None, wanted: Any) -> bool:
    if actual is None:
        return False
    return bool(actual >= wanted if op == "gte" else actual <= wanted)


def _language_equals(actual: str | None, wanted: str) -> bool:
    """``de`` matches ``de`` and ``de-AT``; ``de-AT`` matches only ``de-AT`` (any case)."""
    if not actual:
        return False
    actual, wanted = actual.lower(), wanted.lower()
    return actual == wanted or ("-" not in wanted and actual.split("-")[0] == wanted)


def fact_holds(field: str, op: str, value: Any, facts: Facts) -> bool:
    """A rule on anything but time."""
    if field == "url":
        if op == "contains":
            return str(value) in facts.url
        if op == "equals":
            return facts.url == str(value)
        if op == "glob":
            return glob_matches(str(value), facts.url)
        return re.search(str(value), facts.url) is not None
    if field == "page_views":
        return _compare(op, facts.page_views, value)
    if field == "visit_count":
        return _compare(op, facts.visit_count, value)
    if field == "cart_value":
        return _compare(op, facts.cart_value, value)
    if field == "returning":
        return facts.returning is bool(value)
    if field == "referrer":
        return bool(facts.referrer) and str(value).lower() in (facts.referrer or "").lower()
    if field == "language":
        return _language_equals(facts.language, str(value))
    if field == "event":
        return str(value) in facts.events
    raise ValueError(f"unknown field {field!r}")


def interval(rule: Mapping[str, Any], facts: Facts) -> Interval | None:
    """When ``rule`` holds while the visit stays as it is; None when it cannot hold."""
    field, op, value = rule["field"], rule["op"], rule["value"]
    if field in TIME_FIELDS:
        start = facts.page_started_at if field == "time_on_page_s" else facts.visit_started_at
        edge = start + timedelta(seconds=float(value))
        return (edge, None) if op == "gte" else (None, edge)
    return ALWAYS if fact_holds(field, op, value, facts) else None


def first_time(conditions: Mapping[str, Any], facts: Facts, now: datetime) -> datetime | None:
    """The first moment from ``now`` on at which the conditions hold (``now`` when they hold
    already), or None when they cannot hold unless the visit changes."""
    spans = [interval(rule, facts) for rule in conditions.get("rules", [])]
    holding = [span for span in spans if span is not None]
    if not spans or (conditions.get("match", "all") == "all" and len(holding) < len(spans)):
        return None
    if conditions.get("match", "all") == "all":
        start = max([now, *(lo for lo, _ in holding if lo is not None)])
        highs = [hi for _, hi in holding if hi is not None]
        return start if not highs or start <= min(highs) else None
    starts = [_from(now, span) for span in holding]
    return min((t for t in starts if t is not None), default=None)


def _from(now: datetime, span: Interval) -> datetime | None:
    """The first moment from ``now`` on inside ``span``."""
    lo, hi = span
    start = max(now, lo) if lo is not None else now
    return start if hi is None or start <= hi else None
