"""The baseline: the least a websocket chat server can do, on the same uvicorn as Parley.

A visitor socket (``/ws/visitor?pair=K``) and an agent socket (``/ws/agent?pair=K``) with the
same K are paired and every frame one sends is forwarded to the other. No persistence, no
authentication, no parsing. What Parley costs on top of this is what its features cost.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import uvicorn

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# pair key -> role -> the send callable of that socket
_pairs: dict[str, dict[str, Send]] = {}


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            event = (await receive())["type"]  # lifespan.startup, then lifespan.shutdown
            await send({"type": event + ".complete"})
            if event == "lifespan.shutdown":
                return
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"relay"})
        return
    role = "agent" if scope["path"].endswith("/agent") else "visitor"
    other_role = "visitor" if role == "agent" else "agent"
    key = parse_qs(scope["query_string"].decode()).get("pair", [""])[0]
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    ends = _pairs.setdefault(key, {})
    ends[role] = send
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            peer = ends.get(other_role)
            if peer is not None:
                frame = {"type": "websocket.send", "text": message.get("text")}
                if message.get("text") is None:
                    frame = {"type": "websocket.send", "bytes": message.get("bytes")}
                try:
                    await peer(frame)
                except Exception:  # the peer went away between lookup and send
                    ends.pop(other_role, None)
    finally:
        if ends.get(role) is send:
            del ends[role]
        if not ends:
            _pairs.pop(key, None)


def main() -> None:
    parser = argparse.ArgumentParser(description="bare websocket relay (benchmark baseline)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # The same transport settings as ``parley serve`` (app/web/server.py).
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        ws="wsproto",
        ws_per_message_deflate=False,
        log_level="warning",
    )
    uvicorn.Server(config).run()  # picks the event loop the way Parley's server does


if __name__ == "__main__":
    main()
