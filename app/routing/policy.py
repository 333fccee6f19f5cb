"""How a site wants its chats routed; stored in the site's settings, defaults from the process."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

Assignment = Literal["least_busy", "round_robin"]


class RoutingSettings(BaseModel):
    """The routing part of a site's settings (admin REST ``PATCH /sites/{id}``)."""

    assignment: Assignment = "least_busy"
    auto_accept: bool = True
    offer_timeout_s: float | None = Field(default=None, gt=0, le=600)
    # With no agent of a chat's skill online at all, give it to any online agent instead.
    skill_fallback: bool = False
    default_skill: str | None = None


# Told (inside the transaction, with the site locked) that the site's queue was just drained:
# an agent came online or capacity freed. Other domains waiting for someone to answer (the
# proactive invitations) are plugged in by the process (app/state.py); routing imports none.
CapacityListener = Callable[[Any, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RoutingPolicy:
    """Process-wide routing parameters (from Settings)."""

    presence_grace_s: float
    offer_timeout_s: float = 30.0
    idle_away_s: float = 0.0
    on_capacity: tuple[CapacityListener, ...] = ()


@dataclass(frozen=True, slots=True)
class SitePolicy:
    assignment: Assignment
    auto_accept: bool
    offer_timeout_s: float
    skill_fallback: bool
    default_skill: str | None

    @classmethod
    def of(cls, settings: dict[str, Any], process: RoutingPolicy) -> SitePolicy:
        parsed = RoutingSettings.model_validate(settings.get("routing", {}))
        return cls(
            assignment=parsed.assignment,
            auto_accept=parsed.auto_accept,
            offer_timeout_s=parsed.offer_timeout_s or process.offer_timeout_s,
            skill_fallback=parsed.skill_fallback,
            default_skill=parsed.default_skill,
        )
