"""Where a client's token travels: never in a URL that a log or a browser history keeps.

Sockets offer it as a subprotocol (``new WebSocket(url, ["parley", "parley.auth." + token])``);
the server answers with ``parley``. The contract's older ``?token=`` form still works for
clients that use it, and the access log never shows it (app/web/logs.py).
"""

from __future__ import annotations

from starlette.websockets import WebSocket

SUBPROTOCOL = "parley"
AUTH_PREFIX = "parley.auth."


def socket_token(ws: WebSocket) -> str:
    for offered in ws.scope.get("subprotocols") or ():
        if offered.startswith(AUTH_PREFIX):
            return str(offered[len(AUTH_PREFIX) :])
    return ws.query_params.get("token", "")


def socket_subprotocol(ws: WebSocket) -> str | None:
    """The subprotocol to answer with: a browser refuses a socket whose offer goes unanswered."""
    return SUBPROTOCOL if SUBPROTOCOL in (ws.scope.get("subprotocols") or ()) else None
