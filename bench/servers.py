"""Starting the servers under test as real processes on free loopback ports.

Parley is started exactly as the test suite starts it (``tests.support.Server``: the real
``parley serve`` command); the relay by the same uvicorn, from ``bench.baseline_relay``.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support import Server, free_port

ROOT = Path(__file__).resolve().parent.parent


def launch_parley(
    workdir: Path, database_url: str, broker_url: str, extra_env: dict[str, str] | None = None
) -> Server:
    workdir.mkdir(parents=True, exist_ok=True)
    server = Server(
        workdir=workdir,
        database_url=database_url,
        # A benchmark floods from one address on purpose: rate limits would measure themselves.
        env_extra={
            "PARLEY_BROKER_URL": broker_url,
            "PARLEY_RATE_LIMITS": "false",
            **(extra_env or {}),
        },
        demo=False,
    )
    server.start()
    return server


@dataclass
class Relay:
    proc: subprocess.Popen[bytes]
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def launch_relay(workdir: Path) -> Relay:
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = workdir / f"relay-{port}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.baseline_relay", "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    relay = Relay(proc, port)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"relay exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(relay.base, timeout=1).status_code == 200:
                return relay
        time.sleep(0.1)
    relay.stop()
    raise RuntimeError(f"relay on port {port} did not become ready")
