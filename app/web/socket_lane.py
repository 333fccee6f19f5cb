"""Websockets go straight from the server to their endpoint, around the HTTP middleware stack.

Every ASGI layer a connection passes through stays suspended until the connection ends; for a
websocket that is its whole life. The stack's layers (server errors, CORS, security headers,
idempotency, FastAPI's body limit and exit stack, exceptions, the router, the route) do nothing
for a websocket: each passes other scopes through. Held for every idle visitor they cost about
15 KiB a socket (tracemalloc; docs/performance.md). The one layer that matters to both kinds of
traffic, the forwarded-headers middleware, wraps the lane itself when proxies are trusted.
"""

from __future__ import annotations

from typing import Any, cast

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.web.ws_routes import SOCKET_ENDPOINTS


class SocketLane:
    """The ASGI app the server runs: the websocket endpoints directly, everything else ``app``;
    forwarded headers read once, for both."""

    def __init__(self, app: FastAPI, trusted_proxies: list[str]) -> None:
        self.app = app
        self.state = app.state  # what the server's shutdown reads (app/web/server.py)
        entry: ASGIApp = self._route
        if trusted_proxies:
            # The client's address comes from X-Forwarded-For only when the peer is a listed
            # proxy; without the setting nobody is trusted (uvicorn's default trusts 127.0.0.1).
            # uvicorn and Starlette type the same ASGI callables differently.
            entry = cast(ASGIApp, ProxyHeadersMiddleware(cast(Any, entry), trusted_proxies))
        self._entry = entry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._entry(scope, receive, send)

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = SOCKET_ENDPOINTS.get(scope["path"]) if scope["type"] == "websocket" else None
        if endpoint is None:
            await self.app(scope, receive, send)
        else:
            await endpoint(WebSocket(scope, receive, send), self.app.state.parley)
