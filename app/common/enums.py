"""The words Parley's states are made of, each defined once.

``StrEnum`` members are their strings: stored, sent and compared as before, so the database,
the wire and old literals agree.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """An agent's rank: ``agent`` < ``supervisor`` < ``admin``."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @property
    def is_staff(self) -> bool:
        """Supervisors and admins: they monitor, whisper, join and take over."""
        return self.rank >= _RANKS[Role.SUPERVISOR]


_RANKS = {Role.AGENT: 0, Role.SUPERVISOR: 1, Role.ADMIN: 2}


class AgentStatus(StrEnum):
    ONLINE = "online"
    BUSY = "busy"
    AWAY = "away"
    OFFLINE = "offline"


class ChatStatus(StrEnum):
    QUEUED = "queued"
    OFFERED = "offered"
    ACTIVE = "active"
    CLOSED = "closed"
    # Started while the site was unavailable: kept as a message for agents to answer by e-mail.
    OFFLINE = "offline"
