"""No install signs tokens with a published key: the key is generated on first start and kept.

A token forged offline (with the development key older versions shipped, or with any key an
attacker picks) is refused; the generated key survives a restart and is shared by every process
on the same database (the PostgreSQL pass runs this with two processes on one database).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jwt

from tests.conftest import make_server
from tests.databases import drop_database
from tests.support import Client, Server

ADMIN = ("admin@demo.parley", "admin-demo")
# The constant Parley used to sign with when PARLEY_SECRET_KEY was unset.
OLD_DEVELOPMENT_KEY = "parley-development-secret-change-me"


def me(server: Server, token: str) -> int:
    r = httpx.get(
        f"{server.base}/api/v1/agents/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    return r.status_code


def forge(real_token: str, key: str) -> str:
    """An admin token with the real claims, signed with ``key`` instead of the install's."""
    claims = jwt.decode(real_token, options={"verify_signature": False})
    now = int(time.time())
    claims.update(iat=now, exp=now + 3600)
    return jwt.encode(claims, key, algorithm="HS256")


def test_forged_tokens_are_refused_and_the_generated_key_is_kept(tmp_path: Path) -> None:
    first = make_server(tmp_path)
    second = Server(workdir=tmp_path, database_url=first.database_url)
    try:
        first.start()
        token = first.login(*ADMIN)
        assert me(first, token) == 200
        for key in (OLD_DEVELOPMENT_KEY, "k" * 64, "x" * 32):
            assert me(first, forge(token, key)) == 401, key

        first.kill(signal.SIGTERM)
        first.start()
        assert me(first, token) == 200, "a restart must keep the install's key"

        second.start()
        assert me(second, token) == 200, "a second process on the same database shares the key"
        assert me(first, second.login(*ADMIN)) == 200
    finally:
        first.kill()
        second.kill()
        drop_database(first.database_url)


async def test_agent_socket_reconnects_after_restart_with_its_old_token(server: Server) -> None:
    token = server.login("alice@demo.parley", "alice-demo")
    server.kill(signal.SIGTERM)
    server.start()
    client = await Client.connect(f"{server.ws_base}/ws/agent?token={token}")
    await client.expect("hello")
    await client.close()


def test_configured_secret_key_overrides_and_short_keys_are_refused(tmp_path: Path) -> None:
    key = "operator-chosen-key-" + "z" * 40
    server = make_server(tmp_path, PARLEY_SECRET_KEY=key)
    try:
        server.start()
        token = server.login(*ADMIN)
        assert me(server, forge(token, key)) == 200
        short = Server(tmp_path, server.database_url, {"PARLEY_SECRET_KEY": "short"})
        run = subprocess.run(
            [sys.executable, "-m", "app.cli", "migrate"],
            env=short.env(),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 2
        assert run.stderr.strip() == (
            "parley: PARLEY_SECRET_KEY: PARLEY_SECRET_KEY must be at least 32 characters "
            "(e.g. `openssl rand -base64 48`), or unset to use the generated key"
        )
    finally:
        server.kill()
        drop_database(server.database_url)
