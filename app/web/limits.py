"""Where the edge applies rate limits: client addresses, socket frames, visitor sockets.

Kept apart from the socket plumbing so that which frame costs what is read in one place.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import Depends
from pydantic import BaseModel
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket

from app.chat.schemas import ChatStart, MessageSend
from app.realtime.schemas import ErrorFrame, Ping
from app.state import AppState
from app.web.context import FrameContext

# Close code for a visitor socket beyond PARLEY_MAX_VISITOR_SOCKETS (docs/protocol.md).
CLOSE_TOO_MANY_SOCKETS = 4429


def client_address(conn: HTTPConnection) -> str:
    """The peer's address, or the forwarded one when the peer is a trusted proxy.

    The server applies the forwarded-header middleware (app/web/socket_lane.py) only for
    PARLEY_TRUSTED_PROXIES, so by the time a request or socket gets here ``client`` is already
    the right one.
    """
    return conn.client.host if conn.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]


async def check_frame(ctx: FrameContext, frame: BaseModel) -> None:
    """Count a frame against its limits, keyed by frame type; raises ``RateLimited``."""
    limiter = ctx.state.limiter
    actor = ctx.actor
    if isinstance(frame, Ping):
        return  # keeps a refused client's connection check working, and costs nothing
    if actor.side == "visitor":
        site = actor.site_id
        if isinstance(frame, MessageSend):
            await hit_for_site(ctx.state, "visitor_message", site, actor.id)
        elif isinstance(frame, ChatStart):
            await hit_for_site(ctx.state, "chat_start", site, ctx.client_address)
        await hit_for_site(ctx.state, "visitor_frame", site, actor.id)
    elif isinstance(frame, MessageSend):
        await limiter.hit("agent_message", actor.id)


async def hit_for_site(state: AppState, rule: str, site_id: str, key: str) -> None:
    """Count against the site's own limits for ``rule`` where it has them (PATCH /sites)."""
    if state.limiter.enabled:
        await state.limiter.hit(rule, key, await state.site_rules.rule(site_id, rule))


@contextlib.asynccontextmanager
async def socket_slot(
    ws: WebSocket, ctx: FrameContext, role: Literal["visitor", "agent"]
) -> AsyncIterator[bool]:
    """Holds one of the visitor's socket slots for the life of the socket.

    Yields False (after telling the client and closing with 4429) when the visitor already has
    PARLEY_MAX_VISITOR_SOCKETS open on this process.
    """
    ctx.client_address = client_address(ws)
    if role != "visitor":
        yield True
        return
    limiter = ctx.state.limiter
    visitor_id = ctx.actor.id
    if not limiter.open_socket(visitor_id):
        refused = ErrorFrame(
            code="rate_limited",
            message="too many open chat windows; close one and reload",
            ref=None,
        )
        await ws.send_json(refused.dump())
        await ws.close(CLOSE_TOO_MANY_SOCKETS)
        yield False
        return
    try:
        yield True
    finally:
        limiter.close_socket(visitor_id)
