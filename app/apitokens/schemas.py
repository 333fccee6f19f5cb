"""API tokens on the wire: the admin REST API's requests and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from app.common.types import iso
from app.common.wire import WireModel

TokenRole = Literal["agent", "admin"]
TokenScope = Literal["read", "write"]

Time = Annotated[datetime, PlainSerializer(iso, return_type=str)]
MaybeTime = Annotated[datetime | None, PlainSerializer(iso, return_type=str | None)]


class ApiTokenIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "CRM sync", "role": "agent", "scope": "read"}]}
    )

    name: str = Field(min_length=1, max_length=200)
    role: TokenRole = "agent"
    scope: TokenScope = "write"


class ApiTokenOut(WireModel):
    """A token as listed: never its secret."""

    id: str
    name: str
    role: TokenRole
    scope: TokenScope
    created_at: Time
    last_used_at: MaybeTime


class ApiTokenCreated(ApiTokenOut):
    """The answer to a creation: the only time the token itself is shown."""

    token: str = Field(examples=["pk_0f1e2d3c4b5a69788796a5b4c3d2e1f0_Zm9vYmFy"])


class ApiTokenList(WireModel):
    items: list[ApiTokenOut]
    next_cursor: str | None = None
