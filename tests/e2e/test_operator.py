"""What an operator meets at the command line: sites, agents, the demo database, a busy port."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ALICE, make_server
from tests.databases import drop_database
from tests.support import Server


def parley(
    server: Server, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``parley ARGS`` against the server's database, whatever the exit code."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env if env is not None else server.env(),
        cwd=server.workdir,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def idle(tmp_path: Path) -> Iterator[Server]:
    """A fresh database and a server that is not started: the test runs the commands."""
    srv = make_server(tmp_path)
    try:
        yield srv
    finally:
        srv.kill()
        drop_database(srv.database_url)


def test_list_sites_and_create_agent_on_a_chosen_site(server: Server) -> None:
    [demo] = server.cli("list-sites")
    assert (demo["name"], demo["site_key"]) == ("Nordlys Cycles", "demo-nordlys")
    shop = server.cli("create-site", "--name", "Second Shop", "--origin", "https://two.example")
    assert server.cli("list-sites") == [
        demo,
        {"id": shop["id"], "name": "Second Shop", "site_key": shop["site_key"]},
    ]

    created = server.cli(
        "create-agent", "--site", shop["id"], "--email", "eva@two.example",
        "--name", "Eva", "--password", "eva-password-1",
    )  # fmt: skip
    assert created["site_id"] == shop["id"]
    r = httpx.post(
        f"{server.base}/api/v1/auth/login",
        json={"email": "eva@two.example", "password": "eva-password-1"},
        timeout=10,
    )
    assert r.status_code == 200
    assert r.json()["agent"]["site_id"] == shop["id"]

    refused = parley(
        server, "create-agent", "--site", "no-such-site", "--email", "x@two.example",
        "--name", "X", "--password", "x-password-1",
    )  # fmt: skip
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "parley: there is no site with id 'no-such-site'; `parley list-sites` shows them"
    )


def test_demo_without_a_database_url_uses_its_own_file(tmp_path: Path) -> None:
    server = Server(workdir=tmp_path, database_url="unused")
    env = {k: v for k, v in server.env().items() if k != "PARLEY_DATABASE_URL"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--demo", "--port", str(server.port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        # The banner is printed once the server accepts: the URL in it answers at once.
        assert first.strip() == f"Parley demo shop: http://127.0.0.1:{server.port}/demo"
        assert httpx.get(f"{server.base}/demo", timeout=10).status_code == 200
        assert server.login(*ALICE)
        assert (tmp_path / "parley-demo.db").exists()
        assert not (tmp_path / "parley.db").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if proc.stdout is not None:
            proc.stdout.close()


def test_demo_refuses_a_database_with_real_sites(idle: Server) -> None:
    shop = idle.cli("create-site", "--name", "Real Shop")
    refused = parley(idle, "serve", "--demo", "--port", str(idle.port))
    assert refused.returncode == 1
    assert "already holds 1 site(s) and 0 agent(s)" in refused.stderr
    assert "published passwords must not work there" in refused.stderr
    assert idle.cli("list-sites") == [
        {"id": shop["id"], "name": "Real Shop", "site_key": shop["site_key"]}
    ]


def test_a_busy_port_is_one_plain_line_and_a_failure(idle: Server) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", idle.port))
        taken.listen()
        run = parley(idle, "serve", "--port", str(idle.port))
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr == (
        f"parley: port {idle.port} on 127.0.0.1 is already in use by another program; "
        "stop it or choose another port with --port\n"
    )
