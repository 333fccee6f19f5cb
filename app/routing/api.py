"""REST: skills and the queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from app.common.errors import Conflict
from app.common.lists import SHORT_LIST_LIMIT, SHORT_LIST_MAX, Page, page_of
from app.common.lookup import get_in_site
from app.routing.models import Skill
from app.routing.queue import queue_counts
from app.routing.rest_schemas import QueueOut, SkillOut
from app.web.deps import AdminAgent, CurrentAgent, StateDep
from app.web.errors import ERRORS
from app.web.idempotency import IdempotencyKey
from app.web.schemas import DELETED

router = APIRouter(prefix="/api/v1", tags=["routing"], responses=ERRORS)


class SkillIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "billing", "description": "Invoices and refunds"}]}
    )

    name: str = Field(min_length=1, max_length=64, pattern=r"^[\w.-]+$")
    description: str = Field(default="", max_length=300)


@router.get("/skills")
async def list_skills(
    agent: CurrentAgent,
    state: StateDep,
    limit: Annotated[int, Query(ge=1, le=SHORT_LIST_MAX)] = SHORT_LIST_LIMIT,
    cursor: str | None = None,
) -> Page[SkillOut]:
    async with state.uow() as uow:
        rows = await uow.session.execute(
            select(Skill).where(Skill.site_id == agent.site_id).order_by(Skill.name)
        )
        skills = [SkillOut.of(s) for s in rows.scalars()]
    page, next_cursor = page_of(skills, limit, cursor, lambda s: s.id)
    return Page(items=page, next_cursor=next_cursor)


@router.post("/skills", status_code=201)
async def create_skill(
    body: SkillIn, admin: AdminAgent, state: StateDep, idempotency: IdempotencyKey
) -> SkillOut:
    async with state.uow() as uow:
        taken = await uow.session.scalar(
            select(Skill.id).where(Skill.site_id == admin.site_id, Skill.name == body.name)
        )
        if taken:
            raise Conflict(f"the skill {body.name!r} exists")
        skill = Skill(site_id=admin.site_id, name=body.name, description=body.description)
        uow.session.add(skill)
        await uow.session.flush()
        return SkillOut.of(skill)


@router.delete("/skills/{skill_id}", status_code=204, responses=DELETED)
async def delete_skill(skill_id: str, admin: AdminAgent, state: StateDep) -> None:
    async with state.uow() as uow:
        skill = await get_in_site(uow.session, Skill, skill_id, admin.site_id, "no such skill")
        await uow.session.delete(skill)


@router.get("/queue")
async def queue(agent: CurrentAgent, state: StateDep) -> QueueOut:
    """Waiting chats per skill ("" for chats without a skill)."""
    async with state.uow() as uow:
        counts = await queue_counts(uow, agent.site_id)
    return QueueOut.of(counts)
