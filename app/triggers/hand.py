""" "Say hello": an agent invites one visitor by hand from the live visitors list.

Stored as an invitation like a trigger's (no trigger, ``by_hand``, the agent who said hello),
so the KPIs count it and accepting it starts a chat carrying its ``invitation_id``. The caps of
triggers apply: not to a visitor in a chat, not during the cool-down after a dismissal, at most
one invitation per visit (so never a second open one). Authorised here, and only here: staff
of the visitor's site.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.agents.models import Agent
from app.chat.access import authorize_visitor
from app.chat.queries import open_chat_of
from app.common.actor import Actor
from app.common.errors import Conflict
from app.common.events import visitor_topic
from app.common.types import new_id
from app.common.uow import UnitOfWork
from app.triggers import schemas
from app.triggers.models import Invitation
from app.triggers.service import InvitePolicy, current_visit
from app.visitors import live
from app.visitors.models import Visitor, VisitorSocket

DEFAULT_HELLO = "Hello! Can I help you with anything?"


async def say_hello(
    uow: UnitOfWork,
    actor: Actor,
    visitor_id: str,
    message: str | None,
    now: datetime,
    policy: InvitePolicy,
) -> str:
    """Invite the visitor as ``actor``; returns the invitation's id. Conflict when a cap
    stands in the way (the message says which)."""
    visitor = authorize_visitor(actor, await uow.session.get(Visitor, visitor_id))
    there = await uow.session.scalar(
        select(VisitorSocket.id).where(VisitorSocket.visitor_id == visitor.id).limit(1)
    )
    if there is None:
        raise Conflict("the visitor is not on the site now")
    visit = await current_visit(uow, visitor.id, visitor.site_id, now, policy)
    if await open_chat_of(uow, visitor.id) is not None:
        raise Conflict("the visitor is in a chat")
    dismissed = await uow.session.scalar(
        select(func.max(Invitation.dismissed_at)).where(Invitation.visitor_id == visitor.id)
    )
    if dismissed is not None and now < dismissed + timedelta(seconds=policy.cooldown_s):
        raise Conflict("the visitor dismissed an invitation recently (cool-down)")
    agent = await uow.session.get_one(Agent, actor.id)
    text = message or DEFAULT_HELLO
    insert = pg_insert if uow.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    invitation_id = await uow.session.scalar(
        insert(Invitation)
        .values(
            id=new_id(),
            site_id=visitor.site_id,
            trigger_id=None,
            visitor_id=visitor.id,
            visit_no=visit.visit_no,
            agent_id=agent.id,
            message=text,
            url=visit.url,
            fired_at=now,
            by_hand=True,
        )
        .on_conflict_do_nothing(index_elements=[Invitation.visitor_id, Invitation.visit_no])
        .returning(Invitation.id)
    )
    if invitation_id is None:
        raise Conflict("the visitor was invited in this visit already")
    frame = schemas.Invitation(
        invitation_id=invitation_id,
        trigger_id=None,
        message=text,
        open_panel=False,
        agent=schemas.InvitationAgent(id=agent.id, name=agent.name, avatar_url=agent.avatar_url),
    )
    uow.emit(visitor_topic(visitor.id), frame)
    live.changed(uow, visitor.site_id, visitor.id)
    return str(invitation_id)


async def inviting_agent(uow: UnitOfWork, visitor_id: str, invitation_id: str) -> str | None:
    """The agent who said hello by hand in this (the visitor's own) invitation: a chat started
    from it is offered to them first."""
    found = await uow.session.get(Invitation, invitation_id)
    if found is None or found.visitor_id != visitor_id or not found.by_hand:
        return None
    return found.agent_id
