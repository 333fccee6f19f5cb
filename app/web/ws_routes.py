"""The two websocket endpoints: who may connect, what they subscribe to, what they may send."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import select
from starlette.websockets import WebSocket

from app.agents import service as agents
from app.agents import ws as agent_frames
from app.agents.schemas import AgentOut
from app.chat import ws as chat_frames
from app.chat.models import OPEN_STATUSES, Chat
from app.chat.schemas import ChatSummary
from app.chat.visitor_sockets import Opening, OpeningRequest
from app.common.actor import Actor
from app.common.events import (
    agent_topic,
    chat_topic,
    site_topic,
    supervisors_topic,
    visitor_topic,
)
from app.common.tokens import verify
from app.livevisitors import ws as live_visitor_frames
from app.mail import ws as mail_frames
from app.offline import ws as offline_frames
from app.privacy import ws as privacy_frames
from app.realtime.hub import Connection
from app.realtime.schemas import Ping, Pong
from app.realtime.visibility import ViewerIdentity
from app.routing import staff
from app.routing import ws as routing_frames
from app.routing.schemas import AgentHello
from app.state import AppState
from app.supervision import ws as supervision_frames
from app.surveys import ws as survey_frames
from app.triggers import ws as trigger_frames
from app.visitors import ws as visitor_frames
from app.visitors.models import Visitor
from app.visitors.schemas import ActiveChat, HelloVisitor, VisitorHello
from app.web.context import FrameContext
from app.web.credentials import socket_subprotocol, socket_token
from app.web.dispatch import handles, table
from app.web.sockets import reject, run_socket


@handles(Ping, "visitor", "agent")
async def _pong(ctx: FrameContext, frame: Ping) -> None:
    ctx.reply(Pong())


# The domain modules whose ``@handles`` declarations make up the tables below: a new domain
# with frames of its own is added here.
FRAME_MODULES = (
    agent_frames,
    chat_frames,
    live_visitor_frames,
    mail_frames,
    privacy_frames,
    offline_frames,
    routing_frames,
    supervision_frames,
    survey_frames,
    trigger_frames,
    visitor_frames,
)
VISITOR_FRAMES = table("visitor")
AGENT_FRAMES = table("agent")


async def _visitor_opening(ws: WebSocket, state: AppState) -> Opening | None:
    """Who is connecting, or None when the token, the visitor, the site or the origin is wrong.
    One transaction reads them and, once they are right, records the socket as open; on SQLite
    the sockets opening in the same moment share it (app/chat/visitor_sockets.py)."""
    claims = verify(state.settings.secret_key, socket_token(ws), "visitor")
    if claims is None:
        return None
    origin = ws.headers.get("origin")
    request = OpeningRequest(claims.subject, claims.site_id, origin)
    return await state.visitor_sockets.open(request)


async def visitor_socket(ws: WebSocket, state: AppState) -> None:
    opening = await _visitor_opening(ws, state)
    if opening is None:
        await reject(ws)
        return
    visitor_id, site_id = opening.visitor_id, opening.site_id
    chat = None
    if opening.chat_id is not None and opening.chat_status is not None:
        chat = ActiveChat(id=opening.chat_id, status=opening.chat_status)
    async with state.visitor_sockets.present(opening, state.visitor_socket_ids):
        await ws.accept(subprotocol=socket_subprotocol(ws))
        actor = Actor(side="visitor", id=visitor_id, site_id=site_id, name=opening.name)
        conn = Connection(
            ViewerIdentity("visitor", visitor_id),
            state.settings.socket_queue_size,
            display_name=opening.name or "Visitor",
        )
        topics = [visitor_topic(visitor_id)] + ([chat_topic(chat.id)] if chat else [])

        async def on_open(ctx: FrameContext) -> None:
            hello = HelloVisitor(id=visitor_id, name=opening.name)
            ctx.release(VisitorHello(visitor=hello, active_chat=chat))

        await live_visitor_frames.announce(state, site_id, visitor_id)  # on the site now
        ctx = FrameContext(state, conn, actor)
        await run_socket(ws, ctx, VISITOR_FRAMES, topics, on_open)
    await live_visitor_frames.announce(state, site_id, visitor_id)  # left, or one tab fewer


async def agent_socket(ws: WebSocket, state: AppState) -> None:
    async with state.sessions() as session:
        agent = await agents.agent_for_token(session, state.settings.secret_key, socket_token(ws))
    if agent is None:
        await reject(ws)
        return
    await ws.accept(subprotocol=socket_subprotocol(ws))
    actor = agents.actor_of(agent)
    conn = Connection(
        ViewerIdentity("agent", agent.id),
        state.settings.socket_queue_size,
        display_name=agent.name,
    )
    topics = [agent_topic(agent.id), site_topic(agent.site_id)]
    if actor.is_staff:
        topics.append(supervisors_topic(agent.site_id))

    async def on_open(ctx: FrameContext) -> None:
        async with ctx.uow() as uow:
            # A supervisor watching the grid (presence=keep) does not become available for chats.
            keep = ws.query_params.get("presence") == "keep"
            me = await staff.connect(uow, agent.id, ctx.policy, go_online=not keep)
            rows = (
                await uow.session.execute(
                    select(Chat, Visitor)
                    .join(Visitor, Visitor.id == Chat.visitor_id)
                    .where(Chat.agent_id == agent.id, Chat.status.in_(OPEN_STATUSES))
                    .order_by(Chat.created_at)
                )
            ).all()
            hello = AgentHello(agent=AgentOut.of(me), chats=[ChatSummary.of(c, v) for c, v in rows])
        for chat, _visitor in rows:
            await ctx.hub.subscribe(ctx.conn, chat_topic(chat.id))
        ctx.release(hello)
        if actor.is_staff:
            # The dashboard's tiles (kpi.tiles): now, and whenever they change.
            await state.live_tiles.watch(agent.site_id, conn)

    ctx = FrameContext(state, conn, actor)
    try:
        await run_socket(ws, ctx, AGENT_FRAMES, topics, on_open)
    finally:
        await state.live_tiles.unwatch(agent.site_id, conn)
    if agent.id not in state.hub.local_agent_ids():
        # The agent's last socket here ended: when their status period ends if no process
        # refreshes them before the presence grace runs out (docs/kpis.md, online time).
        async with state.uow() as uow:
            await agents.socket_ended(uow.session, agent.id)


# The websocket endpoints by path: routes of the app (app/main.py), and served around the HTTP
# middleware by the server (app/web/socket_lane.py).
SOCKET_ENDPOINTS: dict[str, Callable[[WebSocket, AppState], Awaitable[None]]] = {
    "/ws/visitor": visitor_socket,
    "/ws/agent": agent_socket,
}
