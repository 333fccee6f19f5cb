"""REST: skills and the queue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from app.common.errors import Conflict
from app.common.lookup import get_in_site
from app.routing.models import Skill
from app.routing.queue import queue_counts
from app.web.deps import AdminAgent, CurrentAgent, StateDep
from app.web.errors import ERRORS

router = APIRouter(prefix="/api/v1", tags=["routing"], responses=ERRORS)


class SkillIn(BaseModel):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[\w.-]+$")
    description: str = Field(default="", max_length=300)


def skill_view(skill: Skill) -> dict[str, Any]:
    return {"id": skill.id, "name": skill.name, "description": skill.description}


@router.get("/skills")
async def list_skills(agent: CurrentAgent, state: StateDep) -> dict[str, Any]:
    async with state.uow() as uow:
        rows = await uow.session.execute(
            select(Skill).where(Skill.site_id == agent.site_id).order_by(Skill.name)
        )
        return {"items": [skill_view(s) for s in rows.scalars()]}


@router.post("/skills", status_code=201)
async def create_skill(body: SkillIn, admin: AdminAgent, state: StateDep) -> dict[str, Any]:
    async with state.uow() as uow:
        taken = await uow.session.scalar(
            select(Skill.id).where(Skill.site_id == admin.site_id, Skill.name == body.name)
        )
        if taken:
            raise Conflict(f"the skill {body.name!r} exists")
        skill = Skill(site_id=admin.site_id, name=body.name, description=body.description)
        uow.session.add(skill)
        await uow.session.flush()
        return skill_view(skill)


@router.delete("/skills/{skill_id}", status_code=204)
async def delete_skill(skill_id: str, admin: AdminAgent, state: StateDep) -> None:
    async with state.uow() as uow:
        skill = await get_in_site(uow.session, Skill, skill_id, admin.site_id, "no such skill")
        await uow.session.delete(skill)


@router.get("/queue")
async def queue(agent: CurrentAgent, state: StateDep) -> dict[str, Any]:
    """Waiting chats per skill ("" for chats without a skill)."""
    async with state.uow() as uow:
        counts = await queue_counts(uow, agent.site_id)
    return {"waiting": counts, "total": sum(counts.values())}
