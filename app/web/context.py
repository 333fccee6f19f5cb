"""What a frame handler gets: who sent it, their socket, and the process's services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.common.actor import Actor
from app.common.uow import UnitOfWork
from app.realtime.hub import Connection, Hub
from app.routing.policy import RoutingPolicy
from app.state import AppState


@dataclass
class FrameContext:
    state: AppState
    conn: Connection
    actor: Actor
    # The client's address (through trusted proxies only), for per-address limits.
    client_address: str = ""

    @property
    def hub(self) -> Hub:
        return self.state.hub

    @property
    def policy(self) -> RoutingPolicy:
        return self.state.routing_policy()

    def uow(self) -> UnitOfWork:
        return self.state.uow()

    def reply(self, frame: dict[str, Any]) -> None:
        self.conn.send(frame)
