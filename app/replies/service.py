"""Saved replies: listing what an agent may use, and filling in their placeholders."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import or_, select

from app.agents.models import Agent
from app.chat.models import Chat
from app.common.enums import Role
from app.common.errors import BadRequest, Conflict, Forbidden, NotFound
from app.common.lookup import get_in_site
from app.common.uow import UnitOfWork
from app.replies.models import SavedReply
from app.sites.models import Site
from app.visitors.models import Visitor

_PLACEHOLDER = re.compile(r"\{(visitor\.name|visitor\.email|agent\.name|site\.name)\}")


async def visible_to(uow: UnitOfWork, agent: Agent) -> list[SavedReply]:
    """Shared replies of the site and the agent's own, most used first."""
    rows = await uow.session.execute(
        select(SavedReply)
        .where(
            SavedReply.site_id == agent.site_id,
            or_(SavedReply.owner_id.is_(None), SavedReply.owner_id == agent.id),
        )
        .order_by(SavedReply.usage_count.desc(), SavedReply.shortcut)
    )
    return list(rows.scalars())


async def create(uow: UnitOfWork, agent: Agent, data: dict[str, Any]) -> SavedReply:
    shared = bool(data.pop("shared", False))
    check_faq(shared, bool(data.get("faq")))
    if shared and agent.role == Role.AGENT:
        raise Forbidden("only supervisors and admins create shared replies")
    owner = None if shared else agent.id
    clash = await uow.session.scalar(
        select(SavedReply.id).where(
            SavedReply.site_id == agent.site_id,
            SavedReply.shortcut == data["shortcut"],
            SavedReply.owner_id.is_(None) if owner is None else SavedReply.owner_id == owner,
        )
    )
    if clash:
        raise Conflict(f"the shortcut /{data['shortcut']} is taken")
    reply = SavedReply(site_id=agent.site_id, owner_id=owner, **data)
    uow.session.add(reply)
    await uow.session.flush()
    return reply


def check_faq(shared: bool, faq: bool) -> None:
    """Visitors are shown FAQ replies: only the site's shared ones, never an agent's own."""
    if faq and not shared:
        raise BadRequest("faq: only shared replies can be FAQ answers")


async def editable(uow: UnitOfWork, agent: Agent, reply_id: str) -> SavedReply:
    reply = await get_in_site(
        uow.session, SavedReply, reply_id, agent.site_id, "no such saved reply"
    )
    if reply.owner_id is None and agent.role == Role.AGENT:
        raise Forbidden("only supervisors and admins change shared replies")
    if reply.owner_id not in (None, agent.id):
        raise NotFound("no such saved reply")
    return reply


async def use(uow: UnitOfWork, agent: Agent, reply_id: str, chat_id: str | None) -> str:
    """The reply's text for this chat, placeholders filled; counts the use."""
    reply = await get_in_site(
        uow.session, SavedReply, reply_id, agent.site_id, "no such saved reply"
    )
    if reply.owner_id not in (None, agent.id):
        raise NotFound("no such saved reply")
    reply.usage_count += 1
    values = {"agent.name": agent.name, "visitor.name": "", "visitor.email": "", "site.name": ""}
    site = await uow.session.get(Site, agent.site_id)
    values["site.name"] = site.name if site else ""
    chat = await uow.session.get(Chat, chat_id) if chat_id else None
    if chat is not None and chat.site_id == agent.site_id:
        visitor = await uow.session.get(Visitor, chat.visitor_id)
        if visitor is not None:
            values["visitor.name"] = visitor.name or "there"
            values["visitor.email"] = visitor.email or ""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], reply.body)
