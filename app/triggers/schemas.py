"""Triggers on the wire: REST bodies and answers, and the invitation frames both ways."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.common.wire import ClientFrame, ServerFrame, WireModel, omitted
from app.triggers.rules import BOOL_FIELDS, FIELD_OPS, NUMBER_FIELDS, TEXT_FIELDS

Field_ = Literal[
    "url",
    "time_on_page_s",
    "time_on_site_s",
    "page_views",
    "visit_count",
    "returning",
    "cart_value",
    "referrer",
    "language",
    "event",
]
Op = Literal["contains", "equals", "glob", "regex", "gte", "lte", "is"]
# Rules and patterns are typed by admins but run on every page view: bounded.
MAX_RULES = 20
MAX_EXCLUDES = 50
MAX_PATTERN = 2000
Pattern = Annotated[str, Field(min_length=1, max_length=MAX_PATTERN)]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: Field_
    op: Op
    value: bool | int | float | str

    @model_validator(mode="after")
    def _fits_field(self) -> Rule:
        ops = FIELD_OPS[self.field]
        if self.op not in ops:
            allowed = ", ".join(sorted(ops))
            raise ValueError(f"op {self.op!r} is not valid for field {self.field!r} ({allowed})")
        value = self.value
        if self.field in TEXT_FIELDS:
            if not isinstance(value, str) or not value or len(value) > MAX_PATTERN:
                raise ValueError(f"value of {self.field!r} must be text of 1 to {MAX_PATTERN}")
            if self.op == "regex":
                try:
                    re.compile(value)
                except re.error as exc:
                    raise ValueError(f"value is not a valid regular expression: {exc}") from None
        elif self.field in NUMBER_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"value of {self.field!r} must be a number of at least 0")
        elif self.field in BOOL_FIELDS and not isinstance(value, bool):
            raise ValueError(f"value of {self.field!r} must be true or false")
        return self


class Conditions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    match: Literal["all", "any"] = "all"
    # At least one rule: a trigger is about something the visitor did or how long they stayed.
    rules: Annotated[list[Rule], Field(min_length=1, max_length=MAX_RULES)]


class TriggerIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "name": "Pricing help",
                    "message": "Questions about our prices?",
                    "conditions": {
                        "match": "all",
                        "rules": [{"field": "url", "op": "contains", "value": "/pricing"}],
                    },
                }
            ]
        },
    )

    name: Annotated[str, Field(min_length=1, max_length=200)]
    enabled: bool = True
    conditions: Conditions
    exclude_urls: Annotated[list[Pattern], Field(max_length=MAX_EXCLUDES)] = Field(
        default_factory=list
    )
    message: Annotated[str, Field(min_length=1, max_length=1000)]
    open_panel: bool = False
    when_unavailable: bool = False
    skill: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class TriggerUpdate(BaseModel):
    """PATCH: only the fields sent change; ``conditions`` and ``exclude_urls`` are replaced."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"enabled": False}]},
    )

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    enabled: bool | None = None
    conditions: Conditions | None = None
    exclude_urls: Annotated[list[Pattern], Field(max_length=MAX_EXCLUDES)] | None = None
    message: Annotated[str, Field(min_length=1, max_length=1000)] | None = None
    open_panel: bool | None = None
    when_unavailable: bool | None = None
    skill: Annotated[str, Field(min_length=1, max_length=64)] | None = None

    @field_validator(
        "name",
        "enabled",
        "conditions",
        "exclude_urls",
        "message",
        "open_panel",
        "when_unavailable",
    )
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Only ``skill`` may be cleared with null; the others always have a value.
        if value is None:
            raise ValueError("may not be null")
        return value


class InvitationStats(BaseModel):
    fired: int = 0
    accepted: int = 0
    dismissed: int = 0


class TriggerOut(BaseModel):
    id: str
    name: str
    enabled: bool
    conditions: Conditions
    exclude_urls: list[str]
    message: str
    open_panel: bool
    when_unavailable: bool
    skill: str | None
    created_at: datetime
    updated_at: datetime
    invitations: InvitationStats


class TriggerList(BaseModel):
    items: list[TriggerOut]
    next_cursor: str | None


class InvitationAgent(WireModel):
    id: str
    name: str
    avatar_url: str | None


class Invitation(ServerFrame):
    """A trigger fired: shown as a teaser. ``agent`` is left out when the shop itself invites
    (nobody online, ``when_unavailable``)."""

    audience_note = "the visitor (every socket)"
    type: Literal["invitation"] = "invitation"
    invitation_id: str
    trigger_id: str
    message: str
    open_panel: bool
    agent: InvitationAgent | None = omitted("who would answer")


class InvitationDismissed(ServerFrame):
    """The visitor said no in one tab: every tab hides the teaser."""

    audience_note = "the visitor (every socket)"
    type: Literal["invitation.dismissed"] = "invitation.dismissed"
    invitation_id: str


InvitationId = Annotated[str, Field(min_length=1, max_length=64)]


class InvitationAccept(ClientFrame):
    type: Literal["invitation.accept"]
    invitation_id: InvitationId


class InvitationDismiss(ClientFrame):
    type: Literal["invitation.dismiss"]
    invitation_id: InvitationId
