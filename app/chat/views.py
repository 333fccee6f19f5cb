"""Chats and messages as plain dicts for frames and REST (before the visibility rule)."""

from __future__ import annotations

from typing import Any

from app.agents.models import Agent
from app.chat.models import Chat, Message
from app.common.types import iso
from app.visitors.models import Visitor


def message_view(m: Message) -> dict[str, Any]:
    return {
        "id": m.id,
        "chat_id": m.chat_id,
        "seq": m.seq,
        "public_seq": m.public_seq,
        "kind": m.kind,
        "author": {
            "type": m.author_type,
            "id": m.author_id,
            "name": m.author_name,
            "avatar_url": m.author_avatar_url,
        },
        "body": m.body,
        "created_at": iso(m.created_at),
        "client_msg_id": m.client_msg_id,
        "attachments": m.attachments,
    }


def agent_card(agent: Agent | None) -> dict[str, Any] | None:
    """What a visitor may know of an agent."""
    if agent is None:
        return None
    return {"id": agent.id, "name": agent.name, "avatar_url": agent.avatar_url}


def visitor_card(visitor: Visitor) -> dict[str, Any]:
    return {
        "id": visitor.id,
        "name": visitor.name,
        "email": visitor.email,
        "visit_count": visitor.visit_count,
    }


def chat_summary(
    chat: Chat, visitor: Visitor, previous: list[Chat] | None = None
) -> dict[str, Any]:
    """A chat as agents and supervisors see it in lists and offers."""
    return {
        "id": chat.id,
        "status": chat.status,
        "visitor": visitor_card(visitor),
        "skill": chat.skill,
        "pre_chat": chat.pre_chat,
        "agent_id": chat.agent_id,
        "last_seq": chat.last_seq,
        "created_at": iso(chat.created_at),
        "assigned_at": iso(chat.assigned_at),
        "closed_at": iso(chat.closed_at),
        "previous_chats": [
            {
                "id": p.id,
                "created_at": iso(p.created_at),
                "closed_at": iso(p.closed_at),
                "status": p.status,
            }
            for p in (previous or [])
        ],
    }
