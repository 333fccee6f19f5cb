"""The websocket edge: authenticate, then one reader and one writer per socket.

Frames from one socket are handled one after another, so a client's messages keep their order.
Each frame gets its own short database session; none is held for the life of the socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from app.common.errors import DomainError, ErrorCode, RateLimited
from app.realtime import frames
from app.realtime.hub import Connection
from app.realtime.schemas import ErrorFrame, Ping
from app.web import limits
from app.web.context import FrameContext
from app.web.credentials import socket_subprotocol
from app.web.dispatch import SideTable

log = logging.getLogger(__name__)

CLOSE_BAD_TOKEN = 4401
# Clients ping every 25 s; a socket silent for this long is a dead connection nobody closed.
IDLE_TIMEOUT_S = 75.0


async def run_socket(
    ws: WebSocket,
    ctx: FrameContext,
    accepts: SideTable,
    topics: list[str],
    on_open: Callable[[FrameContext], Awaitable[None]],
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        if not await stack.enter_async_context(limits.socket_slot(ws, ctx, accepts.side)):
            return
        hub = ctx.hub
        conn = ctx.conn
        conn.hold()
        await hub.attach(conn, topics)
        try:
            await on_open(ctx)
            writer = asyncio.create_task(_write(ws, conn))
            reader = asyncio.create_task(_read(ws, ctx, accepts))
            _done, pending = await asyncio.wait(
                {writer, reader}, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                    await task
        finally:
            await hub.detach(conn)
            if ws.application_state == WebSocketState.CONNECTED:
                with contextlib.suppress(Exception):
                    await ws.close(conn.close_code or 1000)


async def reject(ws: WebSocket) -> None:
    """Accept, then close with 4401 so the client can tell a bad token from a network error."""
    await ws.accept(subprotocol=socket_subprotocol(ws))
    await ws.close(CLOSE_BAD_TOKEN)


async def _write(ws: WebSocket, conn: Connection) -> None:
    while True:
        data = await conn.queue.get()
        if data is None:
            # The server may be closing this socket itself (shutdown): either close will do.
            with contextlib.suppress(Exception):
                await ws.close(conn.close_code or 1000)
            return
        await ws.send_text(data.decode())
        del data  # or an idle socket keeps its last frame (often its hello, 4 KiB) alive


async def _read(ws: WebSocket, ctx: FrameContext, accepts: SideTable) -> None:
    max_bytes = ctx.state.settings.max_frame_bytes
    while True:
        try:
            async with asyncio.timeout(IDLE_TIMEOUT_S):
                message = await ws.receive()
        except TimeoutError:
            ctx.conn.close(1001)
            return
        if message["type"] == "websocket.disconnect":
            return
        raw: str | bytes | None = message.get("text")
        if raw is None:
            raw = message.get("bytes") or b""
        await _dispatch(ctx, raw, accepts, max_bytes)


async def _dispatch(
    ctx: FrameContext, raw: str | bytes, accepts: SideTable, max_bytes: int
) -> None:
    ref = chat_id = None
    try:
        frame = accepts.frames.parse(raw, max_bytes)
        ref = getattr(frame, "client_msg_id", None)
        chat_id = getattr(frame, "chat_id", None)
        if not isinstance(frame, Ping):
            ctx.conn.active = True
        await limits.check_frame(ctx, frame)
        await accepts.handlers[type(frame)](ctx, frame)
    except DomainError as exc:
        reply = error_frame(exc.code, exc.message, ref or _safe_ref(raw, max_bytes), chat_id)
        if isinstance(exc, RateLimited):
            reply.retry_after_s = exc.retry_after_s
        ctx.reply(reply)
    except (DBAPIError, SQLAlchemyError, sqlite3.Error, OSError) as exc:
        # sqlite3's own: the batches that run on SQLite's thread in plain sqlite3 (app/db.py)
        log.warning("database unavailable while handling a frame: %s", exc)
        ctx.reply(
            error_frame(
                "unavailable", "the server could not store this; send it again", ref, chat_id
            )
        )
    except Exception:
        log.exception("frame handler failed")
        ctx.reply(error_frame("internal", "the server failed to handle this frame", ref, chat_id))


def _safe_ref(raw: str | bytes, max_bytes: int) -> str | None:
    return frames.client_ref(raw) if len(raw) <= max_bytes else None


def error_frame(
    code: ErrorCode, message: str, ref: str | None, chat_id: str | None = None
) -> ErrorFrame:
    """``ref`` names the refused message (its client_msg_id), ``chat_id`` the chat concerned."""
    return ErrorFrame(code=code, message=message, ref=ref, chat_id=chat_id)
