"""What a frame handler gets: who sent it, their socket, and the process's services."""

from __future__ import annotations

from dataclasses import dataclass

from app.common.actor import Actor
from app.common.uow import UnitOfWork
from app.common.wire import ServerFrame
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

    def reply(self, frame: ServerFrame) -> None:
        self.conn.send(frame.dump())

    def release(self, *first: ServerFrame) -> None:
        """Send ``first`` (the state just loaded), then what arrived while the socket was held."""
        self.conn.release(*(f.dump() for f in first))
