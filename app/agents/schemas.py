"""Agents on the wire: the account as the console and REST show it, the card a visitor sees,
and the frame that ends an agent's sessions."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from app.agents.models import Agent
from app.common.enums import AgentStatus, Role
from app.common.events import CLOSE_SESSION_CHANGED
from app.common.wire import ClientFrame, ServerFrame, WireModel


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value.strip()):
        raise ValueError("must be an e-mail address like name@shop.example")
    return value.strip()


# An agent's sign-in address, as forms send it (a real check is the mail that reaches them).
EmailAddress = Annotated[str, Field(min_length=3, max_length=320), AfterValidator(_email)]


class AgentOut(WireModel):
    """An agent as the team, the console and the supervisor grid see them."""

    id: str
    email: str
    name: str
    role: Role
    avatar_url: str | None
    site_id: str
    skills: list[str]
    max_chats: int
    status: AgentStatus
    active_chats: int
    active: bool

    @classmethod
    def of(cls, agent: Agent) -> AgentOut:
        return cls.model_validate(agent)


class AgentCard(WireModel):
    """What a visitor may know of an agent."""

    id: str
    name: str
    avatar_url: str | None

    @classmethod
    def of(cls, agent: Agent | None) -> AgentCard | None:
        return None if agent is None else cls.model_validate(agent)


# ``erased``: the visitor was erased (app/privacy); their widget sockets end the same way.
SessionEndReason = Literal[
    "role_changed", "password_reset", "password_changed", "deactivated", "erased"
]


class SessionClosed(ServerFrame):
    """The agent's access changed: every socket of theirs closes with 4001 right after."""

    type: Literal["session.closed"] = "session.closed"
    code: int = CLOSE_SESSION_CHANGED
    reason: SessionEndReason


class PresenceSet(ClientFrame):
    type: Literal["presence.set"]
    status: Literal["online", "busy", "away"]


class Activity(ClientFrame):
    """The agent is at the console (typing, clicking): keeps them from turning away."""

    type: Literal["activity"]


class SetupState(WireModel):
    """The first-run page: offered only while the install has no agent at all."""

    needed: bool
