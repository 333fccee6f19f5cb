"""Triggers on the wire: REST bodies and answers, and the invitation frames both ways."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

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
Message = Annotated[str, Field(min_length=1, max_length=1000)]
# A/B variants: a handful of texts, each shown to a stable, weighted share of the visitors.
MAX_VARIANTS = 5
DEFAULT_VARIANT = "a"
VariantId = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
Weight = Annotated[int | float, Field(gt=0, le=1_000_000)]


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


class Variant(BaseModel):
    """One text of an A/B test; ``weight`` is its share relative to the other variants."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: VariantId
    message: Message
    weight: Weight = 1


Variants = Annotated[list[Variant], Field(min_length=1, max_length=MAX_VARIANTS)]


def _unique_ids(variants: list[Variant] | None) -> list[Variant] | None:
    seen: set[str] = set()
    for variant in variants or []:
        if variant.id in seen:
            raise ValueError(f"variant id {variant.id!r} is used twice; ids must be unique")
        seen.add(variant.id)
    return variants


def _message_or_variants(message: str | None, info: ValidationInfo, required: bool) -> str | None:
    """``message`` (one variant) or ``variants`` (an A/B test): one of them, not both. Declared
    after ``variants`` so the error is named after ``message``."""
    variants = info.data.get("variants")
    if message is not None and variants is not None:
        raise ValueError("send message or variants, not both")
    if required and message is None and variants is None and "variants" in info.data:
        raise ValueError("message or variants is required")
    return message


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
    variants: Variants | None = None
    message: Message | None = Field(default=None, validate_default=True)
    open_panel: bool = False
    when_unavailable: bool = False
    skill: Annotated[str, Field(min_length=1, max_length=64)] | None = None

    _variants_unique = field_validator("variants")(_unique_ids)

    @field_validator("message")
    @classmethod
    def _one_text(cls, message: str | None, info: ValidationInfo) -> str | None:
        return _message_or_variants(message, info, required=True)


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
    # ``variants`` replaces the texts; ``message`` alone makes the trigger one variant again.
    variants: Variants | None = None
    message: Message | None = None
    open_panel: bool | None = None
    when_unavailable: bool | None = None
    skill: Annotated[str, Field(min_length=1, max_length=64)] | None = None

    @field_validator(
        "name",
        "enabled",
        "conditions",
        "exclude_urls",
        "variants",
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

    _variants_unique = field_validator("variants")(_unique_ids)

    @field_validator("message")
    @classmethod
    def _one_text(cls, message: str | None, info: ValidationInfo) -> str | None:
        return _message_or_variants(message, info, required=False)


class InvitationStats(BaseModel):
    fired: int = 0
    shown: int = 0
    accepted: int = 0
    dismissed: int = 0


class VariantOut(Variant):
    invitations: InvitationStats


class TriggerOut(BaseModel):
    id: str
    name: str
    enabled: bool
    conditions: Conditions
    exclude_urls: list[str]
    message: str = Field(description="the first variant's text")
    variants: list[VariantOut] = Field(
        description="the texts and their weights; a trigger made with only message has one"
    )
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
    """A trigger fired, or an agent said hello by hand (``trigger_id`` null): shown as a
    teaser. ``agent`` is left out when the shop itself invites (nobody online,
    ``when_unavailable``)."""

    audience_note = "the visitor (every socket)"
    type: Literal["invitation"] = "invitation"
    invitation_id: str
    trigger_id: str | None = Field(description="null when an agent said hello by hand")
    message: str
    open_panel: bool
    agent: InvitationAgent | None = omitted("who would answer")
    variant_id: str | None = omitted("the trigger's A/B variant this visitor sees")


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


class InvitationShown(ClientFrame):
    """The widget drew the teaser (or opened the panel for it) where the visitor can see it."""

    type: Literal["invitation.shown"]
    invitation_id: InvitationId


class SampleVisit(BaseModel):
    """A made-up visit to test a trigger on: what the widget would have reported."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: Annotated[str, Field(min_length=1, max_length=MAX_PATTERN)]
    time_on_page_s: Annotated[float, Field(ge=0, le=7 * 86400)] = 0
    # Default: as long as on the page (the visit's first page).
    time_on_site_s: Annotated[float, Field(ge=0, le=7 * 86400)] | None = None
    page_views: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    visit_count: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    cart_value: Annotated[float, Field(ge=0)] | None = None
    referrer: Annotated[str, Field(max_length=MAX_PATTERN)] | None = None
    language: Annotated[str, Field(max_length=35)] | None = None
    events: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=50)
    ] = Field(default_factory=list)


class TriggerPreviewIn(BaseModel):
    """A trigger as the admin's form has it now (saved or not), and a visit to judge it on."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "trigger": {
                        "name": "Pricing help",
                        "conditions": {
                            "match": "all",
                            "rules": [
                                {"field": "url", "op": "contains", "value": "/pricing"},
                                {"field": "time_on_page_s", "op": "gte", "value": 20},
                            ],
                        },
                        "message": "Questions about our prices?",
                    },
                    "visit": {"url": "https://shop.example/pricing", "time_on_page_s": 25},
                }
            ]
        },
    )

    trigger: TriggerIn
    visit: SampleVisit


class RuleResult(WireModel):
    field: str
    op: str
    value: bool | int | float | str
    holds: bool = Field(description="whether the rule holds for the sample visit as it is")
    note: str = Field(description="why, in words")


class TriggerPreview(WireModel):
    """Would the trigger invite a visitor in this visit now (a visitor not invited yet in this
    visit, not chatting, not in a cool-down), and if not, why not."""

    fires: bool
    rules_hold: bool = Field(description="the conditions hold now")
    after_s: float | None = Field(
        description="0 when they hold now; else in how many more seconds on the page they "
        "will; null when they will not unless the visit changes"
    )
    excluded_by: str | None = Field(description="the exclude_urls pattern the URL matches")
    agent: InvitationAgent | None = Field(description="who would be shown, if someone can answer")
    reasons: list[str] = Field(description="why it would not fire now; empty when it would")
    rules: list[RuleResult]
