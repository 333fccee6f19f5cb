"""A/B variants of a trigger's text: which one a visitor sees.

The first choice is a function of the visitor and the trigger only (a hash, spread over the
weights), so the same visitor sees the same text on every page, tab, process and restart, and
nothing has to be stored before the invitation itself. From then on the invitation row is the
assignment: a later invitation of the same trigger reuses the variant the visitor was last
invited with, so an admin editing the weights does not move visitors who already saw a text
(which would blur the comparison); only visitors not yet invited follow the new weights.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from app.triggers.schemas import DEFAULT_VARIANT


def variants_of(stored: Sequence[Mapping[str, Any]] | None, message: str) -> list[dict[str, Any]]:
    """The trigger's variants; a trigger made with only ``message`` is the one variant "a"."""
    if stored:
        return [dict(v) for v in stored]
    return [{"id": DEFAULT_VARIANT, "message": message, "weight": 1}]


def share(visitor_id: str, trigger_id: str) -> float:
    """Where the visitor falls in [0, 1) for this trigger: uniform over visitors, fixed per pair."""
    digest = hashlib.sha256(f"{trigger_id}/{visitor_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def pick(
    variants: Sequence[Mapping[str, Any]],
    visitor_id: str,
    trigger_id: str,
    assigned: str | None = None,
) -> Mapping[str, Any]:
    """The visitor's variant: ``assigned`` (the one they were invited with before) while the
    trigger still has it; otherwise each variant gets a share of visitors proportional to its
    weight."""
    if assigned is not None:
        for variant in variants:
            if variant["id"] == assigned:
                return variant
    total = sum(float(v["weight"]) for v in variants)
    point = share(visitor_id, trigger_id) * total
    running = 0.0
    for variant in variants:
        running += float(variant["weight"])
        if point < running:
            return variant
    return variants[-1]
