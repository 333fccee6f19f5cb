"""A real HTTP receiver for webhooks: a small threaded server on a free loopback port.

It records every POST (path, headers, raw body) and answers with the status it is told to;
``stop()`` closes the port (a receiver that is down), ``start()`` opens the same port again.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support import free_port


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    raw: bytes

    @property
    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.raw)
        return data

    @property
    def event(self) -> str:
        return self.headers["x-parley-event"]

    @property
    def delivery(self) -> str:
        return self.headers["x-parley-delivery"]

    def signed_with(self, secret: str) -> bool:
        """What a receiver does: HMAC the raw body with the secret, compare in constant time
        with each signature of the header (two while a rotated-out secret still signs)."""
        expected = "sha256=" + hmac.new(secret.encode(), self.raw, hashlib.sha256).hexdigest()
        given = self.headers.get("x-parley-signature", "").split(",")
        return any(hmac.compare_digest(expected, g.strip()) for g in given)

    @property
    def signatures(self) -> list[str]:
        return self.headers.get("x-parley-signature", "").split(",")


class Receiver:
    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[Received] = []
        self.status = 200
        self.answer = b"ok"
        # While set, requests are recorded but not answered until it is cleared (a slow
        # receiver; the sender's connection may die meanwhile).
        self.holding = threading.Event()
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver._lock:
                    receiver.received.append(Received(self.path, headers, raw))
                    status, answer = receiver.status, receiver.answer
                if receiver.holding.is_set():
                    receiver._released.wait(30)
                with contextlib.suppress(OSError):  # the sender may have gone meanwhile
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def hold(self) -> None:
        self._released.clear()
        self.holding.set()

    def release(self) -> None:
        self.holding.clear()
        self._released.set()

    def stop(self) -> None:
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def got(self, path: str | None = None, **match: Any) -> list[Received]:
        """What arrived (on ``path``), whose body's ``data`` has these fields somewhere."""
        with self._lock:
            found = list(self.received)
        return [
            r
            for r in found
            if (path is None or r.path == path)
            and all(_find(r.body, k, v) for k, v in match.items())
        ]

    async def expect(
        self, event: str, path: str | None = None, timeout: float = 15.0, **match: Any
    ) -> Received:
        """The first delivery of ``event`` (on ``path``) matching ``match``; waits for it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for r in self.got(path, **match):
                if r.event == event:
                    return r
            if asyncio.get_running_loop().time() > deadline:
                seen = [(r.path, r.event) for r in self.got()]
                raise AssertionError(f"no {event} {match} on {path} within {timeout}s; got {seen}")
            await asyncio.sleep(0.05)


def _find(body: Any, key: str, value: Any) -> bool:
    """``key`` equals ``value`` anywhere in the body (``chat_id`` in data.chat.id too)."""
    if isinstance(body, dict):
        if body.get(key) == value:
            return True
        if (
            key == "chat_id"
            and isinstance(body.get("chat"), dict)
            and body["chat"].get("id") == value
        ):
            return True
        return any(_find(v, key, value) for v in body.values())
    if isinstance(body, list):
        return any(_find(v, key, value) for v in body)
    return False
