"""Public departments: the topics a site's pre-chat form offers, each routed to one skill.

A site lists them in its settings (``{"departments": [{"skill", "label"}]}``), so an admin can
name them for visitors ("Questions about an invoice") without renaming the skill agents carry.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from app.agents.models import Agent, AgentSkill
from app.common.errors import BadRequest
from app.common.uow import UnitOfWork
from app.routing.claim import site_policy
from app.routing.models import Skill
from app.routing.policy import RoutingPolicy
from app.sites.models import Site
from app.visitors.rest_schemas import DepartmentChoice

# More than this is no longer a choice a visitor can make at a glance.
MAX_DEPARTMENTS = 20


class Department(BaseModel):
    skill: str = Field(min_length=1, max_length=64, pattern=r"^[\w.-]+$")
    label: str = Field(min_length=1, max_length=64)


def departments_of(settings: dict[str, Any]) -> list[Department]:
    return [Department.model_validate(d) for d in settings.get("departments") or []]


def public_view(departments: list[Department]) -> list[DepartmentChoice]:
    """What the widget shows: the label, and the value it sends back as ``department``."""
    return [DepartmentChoice(label=d.label, value=d.skill) for d in departments]


def match(departments: list[Department], wanted: str) -> Department | None:
    """The department a visitor named, by its skill or its label, in any letter case."""
    key = wanted.strip().casefold()
    for d in departments:
        if key in (d.skill.casefold(), d.label.strip().casefold()):
            return d
    return None


async def known_skill(uow: UnitOfWork, site_id: str, name: str) -> str | None:
    """The site's own spelling of a skill (defined, or carried by one of its agents), found
    without regard to letter case; None when the site does not know it."""
    wanted = name.strip().lower()
    if not wanted:
        return None
    carried = await uow.session.scalar(
        select(func.min(AgentSkill.skill))
        .join(Agent, Agent.id == AgentSkill.agent_id)
        .where(Agent.site_id == site_id, func.lower(AgentSkill.skill) == wanted)
    )
    if carried:
        return str(carried)
    defined = await uow.session.scalar(
        select(func.min(Skill.name)).where(
            Skill.site_id == site_id, func.lower(Skill.name) == wanted
        )
    )
    return str(defined) if defined else None


async def checked(uow: UnitOfWork, site_id: str, wanted: list[Department]) -> list[Department]:
    """An admin's department list, refused as a whole when a skill is unknown to the site or a
    skill or label appears twice; skills come back in the site's own spelling."""
    if len(wanted) > MAX_DEPARTMENTS:
        raise BadRequest(f"a site may offer at most {MAX_DEPARTMENTS} departments")
    result: list[Department] = []
    for i, d in enumerate(wanted):
        skill = await known_skill(uow, site_id, d.skill)
        if skill is None:
            raise BadRequest(
                f"departments: no skill {d.skill!r} on this site "
                "(create it under /skills or give it to an agent first)",
                field=f"departments.{i}.skill",
            )
        if match(result, skill) or match(result, d.label):
            raise BadRequest(
                f"departments: {d.label!r} ({skill}) is listed twice", field=f"departments.{i}"
            )
        result.append(Department(skill=skill, label=d.label.strip()))
    return result


async def skill_for(
    uow: UnitOfWork, site_id: str, department: object, policy: RoutingPolicy
) -> str | None:
    """The skill a new chat needs.

    A pre-chat department is one of the site's public departments (by value or label) or a
    skill the site knows (defined, or carried by one of its agents), in any letter case; one
    the site does not know is refused, because a chat needing it would wait forever. Without a
    department the site's default skill applies (None: any agent may take the chat).
    """
    if department is None or (isinstance(department, str) and not department.strip()):
        return (await site_policy(uow, site_id, policy)).default_skill
    if not isinstance(department, str):
        raise BadRequest("pre_chat.department must be a string")
    site = await uow.session.get_one(Site, site_id)
    listed = match(departments_of(site.settings), department)
    if listed is not None:
        return listed.skill
    known = await known_skill(uow, site_id, department)
    if known is None:
        raise BadRequest(f"We have no department called {department.strip()!r}.")
    return known
