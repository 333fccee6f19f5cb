"""The example client of docs/crm.md ("Example: copy closed chats into your CRM"), taken from the
document and run against a real server: the full sync pages through the closed chats and their
messages and upserts them once however often it runs; as a webhook receiver it copies a chat
the moment it closes and refuses a forged request. The document cannot rot."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ALICE, DEMO_SITE_KEY, running_server
from tests.e2e.test_webhooks import FAST
from tests.support import Client, Server, agent, eventually, free_port, msg_id, visitor

ADMIN = ("admin@demo.parley", "admin-demo")
DOC = Path(__file__).resolve().parents[2] / "docs" / "crm.md"


def example_code() -> str:
    """The Python block right after the ``<!-- crm_sync.py -->`` marker."""
    found = re.search(r"<!-- crm_sync\.py -->\s*```python\n(.*?)\n```", DOC.read_text(), re.S)
    assert found, "docs/crm.md lost its crm_sync.py example"
    return found.group(1) + "\n"


@pytest.fixture
def hooks_server(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path, **FAST) as srv:
        yield srv


def call(server: Server, token: str, method: str, path: str, **kw: Any) -> httpx.Response:
    return httpx.request(
        method, f"{server.base}/api/v1{path}", headers={"Authorization": f"Bearer {token}"},
        timeout=30, **kw,
    )  # fmt: skip


async def chat_with_alice(
    server: Server, alice: Client, name: str, text: str
) -> tuple[Client, str]:
    v, _ = await visitor(server, DEMO_SITE_KEY)
    await v.send(
        {"type": "chat.start", "pre_chat": {"name": name, "email": f"{name.lower()}@example.com",
         "department": "sales"}, "message": text, "client_msg_id": msg_id()}
    )  # fmt: skip
    chat_id: str = (await v.expect("chat.started"))["chat_id"]
    await alice.expect("chat.assigned", chat_id=chat_id)
    for kind, body in (("public", f"Hello {name}, how can I help?"), ("whisper", "VIP customer")):
        ref = msg_id()
        await alice.send({"type": "message.send", "chat_id": chat_id, "client_msg_id": ref,
                          "body": body, "kind": kind})  # fmt: skip
        await alice.expect("message.ack", client_msg_id=ref)
    return v, chat_id


def crm_rows(db: Path) -> dict[str, dict[str, Any]]:
    if not db.exists():
        return {}
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT chat_id, customer_email, closed_at, transcript FROM conversations"
        )
        return {
            r[0]: {"email": r[1], "closed_at": r[2], "transcript": json.loads(r[3])} for r in rows
        }


async def test_the_documented_client_syncs_closed_chats_once(
    hooks_server: Server, tmp_path: Path
) -> None:
    script = tmp_path / "crm_sync.py"
    script.write_text(example_code())
    admin = await asyncio.to_thread(hooks_server.login, *ADMIN)
    created = call(hooks_server, admin, "POST", "/api-tokens",
                   json={"name": "CRM sync", "scope": "read"})  # fmt: skip
    assert created.status_code == 201, created.text
    db = tmp_path / "crm.sqlite3"
    env = {
        **os.environ,
        "PARLEY_URL": hooks_server.base,
        "PARLEY_TOKEN": created.json()["token"],
        "CRM_DB": str(db),
        "PARLEY_PAGE_SIZE": "1",  # every list takes several pages: the cursors are followed
    }

    alice, _ = await agent(hooks_server, *ALICE)
    ann, ann_chat = await chat_with_alice(hooks_server, alice, "Ann", "Where is my order?")
    bob, bob_chat = await chat_with_alice(hooks_server, alice, "Bob", "Do you ship to Oslo?")
    cid, cid_chat = await chat_with_alice(hooks_server, alice, "Cid", "Still open")
    for v, chat_id in ((ann, ann_chat), (bob, bob_chat)):
        await v.send({"type": "chat.close", "chat_id": chat_id})
        await alice.expect("chat.closed", chat_id=chat_id)

    def sync() -> str:
        run = subprocess.run(
            [sys.executable, str(script), "sync"], env=env, capture_output=True, text=True,
            timeout=120, cwd=tmp_path,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        return run.stdout

    assert "synced 2 closed chats" in await asyncio.to_thread(sync)
    rows = crm_rows(db)
    assert set(rows) == {ann_chat, bob_chat}  # the open chat is not copied
    ann_row = rows[ann_chat]
    assert ann_row["email"] == "ann@example.com"
    assert ann_row["closed_at"]
    texts = [m["text"] for m in ann_row["transcript"]]
    assert texts == ["Where is my order?", "Hello Ann, how can I help?"]  # no whisper
    # Again: the same records, none added.
    await asyncio.to_thread(sync)
    assert crm_rows(db) == rows

    # As a webhook receiver: Cid's chat arrives the moment it closes.
    port = free_port()
    target = {"url": f"http://127.0.0.1:{port}/parley", "events": ["chat.closed"]}
    hook = call(hooks_server, admin, "POST", "/webhooks", json=target)
    assert hook.status_code == 201, hook.text
    secret = hook.json()["secret"]
    receiver = await asyncio.to_thread(
        subprocess.Popen,
        [sys.executable, str(script), "serve", str(port)],
        env={**env, "PARLEY_WEBHOOK_SECRET": secret}, cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        await cid.send({"type": "chat.close", "chat_id": cid_chat})
        await eventually(lambda: cid_chat in crm_rows(db), timeout=20, what="the webhook's copy")
        assert crm_rows(db)[cid_chat]["email"] == "cid@example.com"
        assert [m["text"] for m in crm_rows(db)[cid_chat]["transcript"]] == [
            "Still open",
            "Hello Cid, how can I help?",
        ]
        # A forged request (wrong key) is refused and copies nothing.
        forged = json.dumps({"event": "chat.closed", "data": {"chat": {
            "id": "forged", "visitor_id": "x", "closed_at": None}}}).encode()  # fmt: skip
        async with httpx.AsyncClient(timeout=30) as http:
            r = await http.post(f"http://127.0.0.1:{port}/parley", content=forged,
                                headers={"X-Parley-Signature": "sha256=" + "0" * 64})  # fmt: skip
        assert r.status_code == 401
        assert "forged" not in crm_rows(db)
        assert len(crm_rows(db)) == 3
    finally:
        receiver.kill()
        receiver.wait(timeout=10)
        for client in (ann, bob, cid, alice):
            await client.close()
