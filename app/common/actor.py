"""Who is acting: a visitor or an agent, and what they may touch.

Two words that are easy to mix up: the *side* is which kind of socket or token someone holds
(visitor or agent); the *role* is an agent's rank (agent < supervisor < admin). A visitor has
a side and no role.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.common.enums import Role
from app.common.events import Side

STAFF_ROLES = frozenset(r for r in Role if r.is_staff)


@dataclass(frozen=True, slots=True)
class Actor:
    side: Side
    id: str
    site_id: str
    role: Role | None = None
    name: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES
