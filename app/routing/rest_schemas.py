"""REST answers of routing: the site's skills and its queue."""

from __future__ import annotations

from app.common.wire import WireModel
from app.routing.models import Skill


class SkillOut(WireModel):
    id: str
    name: str
    description: str

    @classmethod
    def of(cls, skill: Skill) -> SkillOut:
        return cls.model_validate(skill)


class QueueOut(WireModel):
    """Waiting chats per skill ("" for chats without a skill)."""

    waiting: dict[str, int]
    total: int

    @classmethod
    def of(cls, counts: dict[str, int]) -> QueueOut:
        return cls(waiting=counts, total=sum(counts.values()))
