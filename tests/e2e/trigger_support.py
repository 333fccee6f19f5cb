"""Helpers of the proactive-invitation tests: triggers over REST and page views."""

from __future__ import annotations

import time
from typing import Any

from tests.e2e.routing_support import Shop
from tests.support import Client

PRICING = "https://shop.example/pricing"
# A timer runs on time on the process that set it (its alarm); at the latest at the next poll.
LATE_S = 1.0


def pricing_trigger(seconds: float, **changes: Any) -> dict[str, Any]:
    """The contract's example: on /pricing for ``seconds``, never on checkout pages."""
    body: dict[str, Any] = {
        "name": f"Pricing after {seconds} s",
        "conditions": {
            "match": "all",
            "rules": [
                {"field": "url", "op": "contains", "value": "/pricing"},
                {"field": "time_on_page_s", "op": "gte", "value": seconds},
            ],
        },
        "exclude_urls": ["*/checkout*"],
        "message": "Questions about our prices?",
    }
    body.update(changes)
    return body


async def add_trigger(shop: Shop, body: dict[str, Any]) -> dict[str, Any]:
    r = await shop.api("POST", "/triggers", json=body)
    assert r.status_code == 201, r.text
    trigger: dict[str, Any] = r.json()
    return trigger


async def view(v: Client, url: str = PRICING) -> float:
    """A page view; returns when it was sent (monotonic)."""
    await v.send({"type": "page.view", "url": url, "title": "Page"})
    return time.monotonic()
