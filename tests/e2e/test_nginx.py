"""The nginx configuration of docs/scaling.md, taken from the page, in front of 3 processes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ALICE
from tests.databases import drop_database, fresh_database
from tests.e2e.routing_support import start
from tests.e2e.test_cluster import BROKER, start_cluster
from tests.e2e.test_cluster import pytestmark as cluster_only
from tests.support import Client, Server, free_port, msg_id

pytestmark = cluster_only
DOC = Path(__file__).resolve().parents[2] / "docs" / "scaling.md"


def nginx_conf(doc: str, backends: list[int], port: int, prefix: Path) -> str:
    """The page's server config, made to listen on a free port without TLS."""
    block = re.search(r"```nginx\n(.*?)```", doc, re.S)
    assert block, "docs/scaling.md has no nginx block"
    conf = block.group(1)
    for old, new in zip((8001, 8002, 8003), backends, strict=True):
        conf = conf.replace(f"127.0.0.1:{old}", f"127.0.0.1:{new}")
    conf = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{port};", conf)
    conf = re.sub(r"\n\s*ssl_certificate\S*[^\n]*", "", conf)
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"{k} {prefix / k};"
        for k in (
            "client_body_temp_path",
            "proxy_temp_path",
            "fastcgi_temp_path",
            "uwsgi_temp_path",
            "scgi_temp_path",
        )
    )
    return (
        f"{user}pid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'};\n"
        f"events {{}}\nhttp {{\naccess_log off;\n{temp}\n{conf}\n}}\n"
    )


@pytest.fixture
def behind_nginx(tmp_path: Path) -> Iterator[tuple[str, list[Server]]]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is not installed (scripts/services.sh installs it)"
    url = fresh_database(tmp_path)
    # As docs/scaling.md sets it: nginx on this host names the client in X-Forwarded-For.
    servers = start_cluster(tmp_path, url, BROKER, env={"PARLEY_TRUSTED_PROXIES": "127.0.0.1"})
    port = free_port()
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_conf(DOC.read_text(), [s.port for s in servers], port, prefix))
    proc = subprocess.Popen(
        [nginx, "-c", str(conf), "-p", str(prefix), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"http://{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base, servers
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for srv in servers:
            srv.kill()
        drop_database(url)


async def test_three_processes_behind_the_documented_nginx(
    behind_nginx: tuple[str, list[Server]],
) -> None:
    base, servers = behind_nginx
    async with httpx.AsyncClient(base_url=f"http://{base}") as http:
        token = (
            await http.post("/api/v1/auth/login", json={"email": ALICE[0], "password": ALICE[1]})
        ).json()
        session = (
            await http.post("/api/v1/widget/session", json={"site_key": "demo-nordlys"})
        ).json()
        assert (await http.get("/widget.js")).status_code == 200
    alice = await Client.connect(f"ws://{base}/ws/agent?token={token['access_token']}")
    await alice.expect("hello")
    v = await Client.connect(f"ws://{base}/ws/visitor?token={session['visitor_token']}")
    await v.expect("hello")
    chat_id = await start(v, text="Through nginx")
    await alice.expect("chat.assigned", chat_id=chat_id)
    await alice.send({"type": "resume", "chat_id": chat_id, "after_seq": 0})
    await alice.expect_message(chat_id, body="Through nginx")
    cid = msg_id()
    await alice.send(
        {
            "type": "message.send",
            "chat_id": chat_id,
            "client_msg_id": cid,
            "body": "Answered through nginx",
        }
    )
    await v.expect_message(chat_id, body="Answered through nginx")

    # One process dies; the visitor reconnects through nginx (to whichever process) and resumes.
    servers[0].kill()
    servers[1].kill()
    await v.close()
    v2 = await Client.connect(f"ws://{base}/ws/visitor?token={session['visitor_token']}")
    await v2.expect("hello")
    await v2.send({"type": "resume", "chat_id": chat_id, "after_seq": 0})
    await v2.expect("resume.done", chat_id=chat_id)
    assert [f["message"]["body"] for f in v2.all("message.new")] == [
        "Through nginx",
        "Answered through nginx",
    ]
