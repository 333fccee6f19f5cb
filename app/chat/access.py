"""Who may do what to a chat: the one policy every socket frame and REST route applies.

Callers authorise first, before any side effect (a subscription, a write, a reply), and only
then act. Refusals never reveal another site's or another visitor's chats: those are
``NotFound``; a chat the caller may know of but not touch is ``Forbidden``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol, TypeVar

from sqlalchemy import ColumnElement, and_, or_

from app.chat.models import Chat
from app.common.actor import Actor
from app.common.enums import ChatStatus
from app.common.errors import Forbidden, NotFound
from app.common.lookup import in_site
from app.visitors.models import Visitor


class ChatAction(StrEnum):
    # Read messages: history, resume, REST, attachments.
    READ = "read"
    # Take part: send, type, close.
    WRITE = "write"
    # Hand the chat to someone else.
    TRANSFER = "transfer"
    # Monitor silently, join visibly, take over: supervisors and admins only.
    SUPERVISE = "supervise"


class ChatFacts(Protocol):
    """What the policy reads of a chat: a loaded ``Chat`` row, or the few columns the message
    writer reads for a batch (app/chat/sqlite_batch.py)."""

    @property
    def site_id(self) -> str: ...
    @property
    def visitor_id(self) -> str: ...
    @property
    def agent_id(self) -> str | None: ...
    @property
    def status(self) -> str: ...


C = TypeVar("C", bound=ChatFacts)


def authorize(actor: Actor, action: ChatAction, chat: C | None) -> C:
    """The chat, if ``actor`` may do ``action`` to it; otherwise NotFound or Forbidden."""
    chat = in_site(chat, actor.site_id, "no such chat")
    if actor.side == "visitor":
        if chat.visitor_id != actor.id:
            raise NotFound("no such chat")
        if action not in (ChatAction.READ, ChatAction.WRITE):
            raise Forbidden("visitors cannot do this")
        return chat
    if actor.is_staff:
        return chat
    if action is ChatAction.SUPERVISE:
        raise Forbidden("only supervisors and admins may monitor or join chats")
    if chat.agent_id == actor.id:
        return chat
    # An offline message belongs to no one yet: any agent of the site may read and answer it.
    if chat.status == ChatStatus.OFFLINE and action in (ChatAction.READ, ChatAction.WRITE):
        return chat
    # The shop's archive: an agent reads finished chats (a returning customer's earlier ones),
    # never a live chat of a colleague, whose whispers and notes are not theirs to see.
    if action is ChatAction.READ and chat.status == ChatStatus.CLOSED:
        return chat
    raise Forbidden("this chat is assigned to another agent")


def readable(actor: Actor) -> ColumnElement[bool]:
    """``authorize(actor, READ, chat)`` as a SQL condition on ``Chat``, for lists that must show
    only what the caller could open (the archive's search): keep the two in step."""
    if actor.side == "visitor":
        return and_(Chat.site_id == actor.site_id, Chat.visitor_id == actor.id)
    if actor.is_staff:
        return Chat.site_id == actor.site_id
    return and_(
        Chat.site_id == actor.site_id,
        or_(
            Chat.agent_id == actor.id,
            Chat.status.in_((ChatStatus.CLOSED, ChatStatus.OFFLINE)),
        ),
    )


def authorize_visitor(actor: Actor, visitor: Visitor | None) -> Visitor:
    """A visitor's profile and page trail: every agent of the site sees them (as the live
    visitors list already shows where each visitor is), nobody else."""
    if actor.side != "agent":
        raise NotFound("no such visitor")
    return in_site(visitor, actor.site_id, "no such visitor")
