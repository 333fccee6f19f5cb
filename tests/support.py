"""Test support: a real ``parley serve`` process and real websocket clients.

Nothing here stands in for Parley's own parts: the server is the real command on a free
loopback port, clients speak the public contract.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Subprotocol

Frame = dict[str, Any]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    """One real server process; restartable on the same database."""

    workdir: Path
    database_url: str
    env_extra: dict[str, str] = field(default_factory=dict)
    demo: bool = True
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
        env.update(
            {
                "PARLEY_DATABASE_URL": self.database_url,
                "PARLEY_LOG_LEVEL": "warning",
                "PARLEY_UPLOAD_DIR": str(self.workdir / "uploads"),
                # Rate-limit counters of this test's own: on a shared Redis, other tests' logins
                # and chats from 127.0.0.1 are not counted against it (processes on one database
                # count together).
                "PARLEY_RATE_LIMIT_PREFIX": "test-"
                + hashlib.sha256(self.database_url.encode()).hexdigest()[:12],
            }
        )
        env.update(self.env_extra)
        return env

    def cli(self, *args: str) -> Any:
        out = subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            env=self.env(),
            cwd=self.workdir,
            capture_output=True,
            check=True,
            timeout=60,
        )
        return json.loads(out.stdout.decode().strip().splitlines()[-1])

    def start(self) -> None:
        cmd = [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port)]
        if self.demo:
            cmd.append("--demo")
        log = self.workdir / f"server-{self.port}.log"
        with log.open("ab") as out:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                cmd, env=self.env(), cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {log.name}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError("server did not become ready")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=20)
        self.proc = None

    def login(self, email: str, password: str) -> str:
        r = httpx.post(
            f"{self.base}/api/v1/auth/login",
            json={"email": email, "password": password},
            timeout=10,
        )
        r.raise_for_status()
        token: str = r.json()["access_token"]
        return token

    def widget_session(self, site_key: str, token: str | None = None) -> Frame:
        r = httpx.post(
            f"{self.base}/api/v1/widget/session",
            json={"site_key": site_key, "visitor_token": token},
            timeout=10,
        )
        r.raise_for_status()
        data: Frame = r.json()
        return data


class Client:
    """A websocket client that records every frame and lets a test wait for the one it wants."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[Frame] = []
        self._seen = 0
        self._changed = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())
        self.close_code: int | None = None

    @classmethod
    async def connect(
        cls, url: str, token: str | None = None, headers: dict[str, str] | None = None
    ) -> Client:
        """With ``token``, it travels as Parley's clients send it: a subprotocol, not in the URL."""
        protocols = [Subprotocol("parley"), Subprotocol(f"parley.auth.{token}")] if token else None
        ws = await websockets.connect(
            url,
            open_timeout=10,
            max_size=2**22,
            subprotocols=protocols,
            additional_headers=headers,
        )
        return cls(ws)

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                async with self._changed:
                    self.frames.append(json.loads(raw))
                    self._changed.notify_all()
        except websockets.ConnectionClosed:
            pass
        finally:
            self.close_code = self.ws.close_code
            async with self._changed:
                self._changed.notify_all()

    async def send(self, frame: Frame | str) -> None:
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def expect(self, type_: str, timeout: float = 10.0, **match: Any) -> Frame:
        """The next not-yet-consumed frame of this type whose fields equal ``match``."""
        found = await self.wait_for(
            lambda f: f.get("type") == type_ and _matches(f, match), timeout, f"{type_} {match}"
        )
        return found

    async def wait_for(
        self, predicate: Callable[[Frame], bool], timeout: float, what: str = "frame"
    ) -> Frame:
        deadline = asyncio.get_running_loop().time() + timeout
        async with self._changed:
            while True:
                for i in range(self._seen, len(self.frames)):
                    frame = self.frames[i]
                    if not frame.get("_used") and predicate(frame):
                        frame["_used"] = True
                        return {k: v for k, v in frame.items() if k != "_used"}
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0 or self._reader.done():
                    types = [f.get("type") for f in self.frames]
                    raise AssertionError(f"no {what} within {timeout}s; got {types}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)

    async def expect_message(self, chat_id: str, timeout: float = 10.0, **match: Any) -> Frame:
        """The next ``message.new`` of the chat whose message has these fields."""
        return await self.wait_for(
            lambda f: (
                f.get("type") == "message.new"
                and f.get("chat_id") == chat_id
                and _matches(f["message"], match)
            ),
            timeout,
            f"message.new {match}",
        )

    async def answer(self, frame: Frame, type_: str, timeout: float = 10.0, **match: Any) -> Frame:
        """Send ``frame``, then wait for a ``type_`` frame that arrived after it was sent (an
        older one of the same type, still unread, does not count)."""
        waiting = self.after_now(type_, **match)
        await self.send(frame)
        return await waiting(timeout)

    def after_now(self, type_: str, **match: Any) -> Callable[[float], Awaitable[Frame]]:
        """A wait for a ``type_`` frame arriving from now on; call it with a timeout."""
        before = {id(f) for f in self.frames}

        def fresh(f: Frame) -> bool:
            return id(f) not in before and f.get("type") == type_ and _matches(f, match)

        return lambda timeout: self.wait_for(fresh, timeout, f"new {type_} {match}")

    async def fence(self) -> None:
        """Every frame this socket sent before has taken effect: the contract answers ``ping``
        only after them. (Frames published by others reach it through the broker: fence those
        with a marker on their topic, see ``topic_fence``.)"""
        await self.answer({"type": "ping"}, "pong")

    def all(self, type_: str, **match: Any) -> list[Frame]:
        return [f for f in self.frames if f.get("type") == type_ and _matches(f, match)]

    async def closed(self, timeout: float = 10.0) -> int | None:
        await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        return self.close_code

    async def drop(self) -> None:
        """Cut the connection without a closing handshake, as a dead network would."""
        self.ws.transport.abort()
        with contextlib.suppress(Exception):
            await self._reader

    async def close(self) -> None:
        await self.ws.close()
        with contextlib.suppress(Exception):
            await self._reader


def _matches(frame: Frame, match: dict[str, Any]) -> bool:
    return all(frame.get(k) == v for k, v in match.items())


def msg_id() -> str:
    return str(uuid.uuid4())


async def visitor(server: Server, site_key: str, token: str | None = None) -> tuple[Client, Frame]:
    session = await asyncio.to_thread(server.widget_session, site_key, token)
    client = await Client.connect(f"{server.ws_base}/ws/visitor", session["visitor_token"])
    await client.expect("hello")
    return client, session


async def agent(server: Server, email: str, password: str) -> tuple[Client, Frame]:
    token = await asyncio.to_thread(server.login, email, password)
    client = await Client.connect(f"{server.ws_base}/ws/agent", token)
    hello = await client.expect("hello")
    return client, hello


async def topic_fence(
    sender: Client, frame: Frame, type_: str, hearers: Iterable[Client], **match: Any
) -> None:
    """Publish a marker and wait until every hearer has it.

    ``frame`` (sent on ``sender``) makes the server publish a ``type_`` frame on a topic each
    hearer receives. A broker delivers to each process in publication order, and a process to
    each socket in the order it received, so once a hearer has the marker, everything published
    before it to that hearer has arrived too: "nothing else arrived" may be asserted then.
    """
    waits = [h.after_now(type_, **match) for h in hearers]
    await sender.send(frame)
    for wait in waits:
        await wait(10)


async def typing_fence(sender: Client, chat_id: str, hearers: Iterable[Client]) -> None:
    """A fence on a chat's topic that stores nothing: the sender (visitor or the chat's agent)
    stops typing; the other side of the chat and its staff hear it."""
    frame = {"type": "typing", "chat_id": chat_id, "active": False}
    await topic_fence(sender, frame, "typing", hearers, chat_id=chat_id)


async def presence_fence(staff: Client, status: str, hearers: Iterable[Client] = ()) -> None:
    """A fence on the site's staff topic: ``staff`` sets the status it already has, which is
    always answered with ``presence.update`` to every staff socket of the site (itself too)."""
    agent_id = staff.all("hello")[0]["agent"]["id"]
    frame = {"type": "presence.set", "status": status}
    await topic_fence(
        staff, frame, "presence.update", [staff, *hearers], agent_id=agent_id, status=status
    )


async def eventually(check: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    """Wait until ``check()`` holds (frames arrive in the background); fail after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {timeout}s: {what or check}")
        await asyncio.sleep(0.02)
