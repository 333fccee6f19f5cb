"""List answers of the REST API: ``{"items"}``, and ``{"items", "next_cursor"}`` where the
list is paged. Generic, so each list route still documents its item type in the OpenAPI."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import Field

from app.common.wire import WireModel

Item = TypeVar("Item")


class Items(WireModel, Generic[Item]):
    """A whole list: small enough (or limited by the caller) to answer in one piece."""

    items: list[Item]


class Page(WireModel, Generic[Item]):
    """One page of a longer list, newest first."""

    items: list[Item]
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null: last")
