"""List answers of the REST API: ``{"items"}``, and ``{"items", "next_cursor"}`` where the
list is paged. Generic, so each list route still documents its item type in the OpenAPI."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from pydantic import Field

from app.common.errors import BadRequest
from app.common.wire import WireModel

Item = TypeVar("Item")


class Items(WireModel, Generic[Item]):
    """A whole list: small enough (or limited by the caller) to answer in one piece."""

    items: list[Item]


class Page(WireModel, Generic[Item]):
    """One page of a longer list, newest first."""

    items: list[Item]
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null: last")


# A page of a short list (a site's agents, skills, saved replies, webhooks, API tokens) that is
# read whole and cut here: the same ``limit`` / ``cursor`` / ``next_cursor`` as the long lists.
SHORT_LIST_LIMIT = 200
SHORT_LIST_MAX = 500


def page_of(
    items: Sequence[Item], limit: int, cursor: str | None, key: Callable[[Item], str]
) -> tuple[list[Item], str | None]:
    """The ``limit`` items after the one whose key is ``cursor``, and the cursor of the next
    page (the last item's key; None on the last page). An unknown cursor is refused."""
    start = 0
    if cursor:
        keys = [key(item) for item in items]
        if cursor not in keys:
            raise BadRequest("unknown cursor")
        start = keys.index(cursor) + 1
    page = list(items[start : start + limit])
    more = start + limit < len(items)
    return page, (key(page[-1]) if more and page else None)
