"""What travels over the broker: a frame, the topic it goes to, and who may see it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import orjson

from app.common.wire import ServerFrame

# "everyone": every subscriber of the topic, through the visibility rule.
# "staff": agents and supervisors only; never a visitor socket.
Audience = Literal["everyone", "staff"]
# Which side a socket or token is on: a visitor's or an agent's (an agent's rank is their Role).
# app/realtime/visibility.py decides what each side sees of a frame.
Side = Literal["visitor", "agent"]

# A frame that ends the sockets it reaches, after telling them why: the person's access changed
# (role, deactivation, password). Clients reconnect; a revoked token is then refused with 4401.
SESSION_CLOSED = "session.closed"
CLOSE_SESSION_CHANGED = 4001


@dataclass(frozen=True, slots=True)
class Event:
    topic: str
    frame: dict[str, Any]
    audience: Audience = "everyone"

    def encode(self) -> bytes:
        return orjson.dumps({"frame": self.frame, "audience": self.audience, "ts": time.time()})


def decode(payload: bytes) -> tuple[dict[str, Any], Audience, float]:
    """The frame, who may see it, and when it was published (for delivery latency)."""
    data = orjson.loads(payload)
    audience: Audience = "staff" if data.get("audience") == "staff" else "everyone"
    return data["frame"], audience, float(data.get("ts") or time.time())


class Publisher(Protocol):
    async def publish(self, event: Event) -> None: ...


@dataclass
class Outbox:
    """Events collected inside a transaction, published only after it commits."""

    events: list[Event] = field(default_factory=list)

    def emit(self, topic: str, frame: ServerFrame, audience: Audience = "everyone") -> None:
        self.events.append(Event(topic, frame.dump(), audience))


def chat_topic(chat_id: str) -> str:
    return f"chat:{chat_id}"


def agent_topic(agent_id: str) -> str:
    return f"agent:{agent_id}"


def visitor_topic(visitor_id: str) -> str:
    return f"visitor:{visitor_id}"


def site_topic(site_id: str) -> str:
    return f"site:{site_id}"


def supervisors_topic(site_id: str) -> str:
    return f"supervisors:{site_id}"
