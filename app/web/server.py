"""uvicorn, with a shutdown that tells websocket clients to go elsewhere before it waits on them.

Plain uvicorn stops accepting, then waits for open connections to end: websockets never end by
themselves, so every client would hang until the timeout. Here, the moment shutdown begins,
``/readyz`` turns 503 (a load balancer stops sending traffic) and every socket is closed with
1012 "service restart": clients reconnect at once to another process and resume.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from app.main import CLOSE_SERVICE_RESTART
from app.state import AppState
from app.web.socket_lane import SocketLane


class PortUnavailable(Exception):
    """The address cannot be listened on; the message says why in words an operator reads."""


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, taken before anything else starts so a busy port fails fast."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise PortUnavailable(f"cannot listen on {host}:{port}: {exc}") from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortUnavailable(
                f"port {port} on {host} is already in use by another program; "
                "stop it or choose another port with --port"
            ) from exc
        raise PortUnavailable(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.set_inheritable(True)
    return sock


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:  # the application started and the socket is accepting connections
            self._on_ready()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        app = self.config.app
        state: AppState | None = getattr(getattr(app, "state", None), "parley", None)
        if state is not None:
            state.draining = True
            state.hub.close_all(CLOSE_SERVICE_RESTART)
        await super().shutdown(sockets)


def serve(
    app: FastAPI,
    sock: socket.socket,
    log_level: str,
    on_ready: Callable[[], None],
    trusted_proxies: list[str] | None = None,
) -> None:
    """Serve on a socket from ``bind``; ``on_ready`` runs once connections are being accepted."""
    config = uvicorn.Config(
        SocketLane(app, trusted_proxies or []),
        ws="wsproto",
        ws_per_message_deflate=False,
        log_level=log_level,
        timeout_graceful_shutdown=10,
        # Forwarded headers are read by the app itself, from PARLEY_TRUSTED_PROXIES only.
        proxy_headers=False,
    )
    DrainingServer(config, on_ready).run(sockets=[sock])
