"""uvicorn, with a shutdown that tells websocket clients to go elsewhere before it waits on them.

Plain uvicorn stops accepting, then waits for open connections to end: websockets never end by
themselves, so every client would hang until the timeout. Here, the moment shutdown begins,
``/readyz`` turns 503 (a load balancer stops sending traffic) and every socket is closed with
1012 "service restart": clients reconnect at once to another process and resume.
"""

from __future__ import annotations

import socket

import uvicorn
from fastapi import FastAPI

from app.main import CLOSE_SERVICE_RESTART
from app.state import AppState


class DrainingServer(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        app = self.config.app
        state: AppState | None = getattr(getattr(app, "state", None), "parley", None)
        if state is not None:
            state.draining = True
            state.hub.close_all(CLOSE_SERVICE_RESTART)
        await super().shutdown(sockets)


def serve(app: FastAPI, host: str, port: int, log_level: str) -> None:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        ws="wsproto",
        ws_per_message_deflate=False,
        log_level=log_level,
        timeout_graceful_shutdown=10,
        # Forwarded headers are read by the app itself, from PARLEY_TRUSTED_PROXIES only.
        proxy_headers=False,
    )
    DrainingServer(config).run()
