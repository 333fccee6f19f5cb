"""The live visitors list's notices: "this visitor's row changed", on a topic per site.

Every change a watching agent would see is announced here with a tiny frame and nothing read:
a page view costs one publish, which the in-process broker drops at once and Redis sends only
to processes that subscribed (where someone watches). Those processes read the changed rows
once per second for all their watchers (app/livevisitors/watch.py).
"""

from __future__ import annotations

from app.common.uow import UnitOfWork
from app.visitors.schemas import VisitorChanged


def live_topic(site_id: str) -> str:
    return f"visitors:{site_id}"


def changed(uow: UnitOfWork, site_id: str, visitor_id: str) -> None:
    """Announce (after commit) that the visitor's row in the live list changed."""
    uow.emit(live_topic(site_id), VisitorChanged(visitor_id=visitor_id), audience="staff")
