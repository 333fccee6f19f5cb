"""Who is acting: a visitor or an agent, and what they may touch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.common.enums import Role
from app.common.events import Viewer

STAFF_ROLES = frozenset(r for r in Role if r.is_staff)


@dataclass(frozen=True, slots=True)
class Actor:
    type: Literal["visitor", "agent"]
    id: str
    site_id: str
    role: str = "visitor"
    name: str | None = None

    @property
    def viewer(self) -> Viewer:
        return "visitor" if self.type == "visitor" else "agent"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES
