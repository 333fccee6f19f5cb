"""Starting the servers under test as real processes on free loopback ports."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Launched:
    proc: subprocess.Popen[bytes]
    port: int
    env: dict[str, str]
    workdir: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def http_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.port}"]

    @property
    def ws_urls(self) -> list[str]:
        return [f"ws://127.0.0.1:{self.port}"]

    def cli(self, *args: str) -> Any:
        out = subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            env=self.env,
            cwd=self.workdir,
            capture_output=True,
            check=True,
            timeout=120,
        )
        return json.loads(out.stdout.decode().strip().splitlines()[-1])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _launch(cmd: list[str], env: dict[str, str], workdir: Path, ready: str) -> Launched:
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = workdir / f"server-{port}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [*cmd, "--port", str(port)], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    launched = Launched(proc, port, env, workdir)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}{ready}", timeout=1).status_code == 200:
                return launched
        time.sleep(0.1)
    launched.stop()
    raise RuntimeError(f"server on port {port} did not become ready")


def launch_parley(
    workdir: Path, database_url: str, broker_url: str, extra_env: dict[str, str] | None = None
) -> Launched:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update(
        {
            "PARLEY_DATABASE_URL": database_url,
            "PARLEY_BROKER_URL": broker_url,
            "PARLEY_LOG_LEVEL": "warning",
            "PARLEY_UPLOAD_DIR": str(workdir / "uploads"),
        }
    )
    env.update(extra_env or {})
    return _launch([sys.executable, "-m", "app.cli", "serve"], env, workdir, "/readyz")


def launch_relay(workdir: Path) -> Launched:
    env = dict(os.environ)
    return _launch([sys.executable, "-m", "bench.baseline_relay"], env, workdir, "/")
