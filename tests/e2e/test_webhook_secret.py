"""Rotating a webhook's secret against a real receiver: during the grace period deliveries
carry both signatures (a receiver holding either secret accepts them), afterwards only the new
one; another endpoint's signing is untouched."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import DEMO_SITE_KEY, running_server
from tests.e2e.test_webhooks import FAST, api
from tests.e2e.webhook_receiver import Receiver
from tests.support import Server, msg_id, visitor

ADMIN = ("admin@demo.parley", "admin-demo")
GRACE_S = 4


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    try:
        yield r
    finally:
        r.stop()


@pytest.fixture
def grace_server(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path, **FAST, PARLEY_WEBHOOKS_SECRET_GRACE_S=str(GRACE_S)) as srv:
        yield srv


async def _chat(server: Server) -> str:
    v, _ = await visitor(server, DEMO_SITE_KEY)
    await v.send(
        {"type": "chat.start", "pre_chat": {"name": "Vera"}, "message": "Hi",
         "client_msg_id": msg_id()}
    )  # fmt: skip
    chat_id: str = (await v.expect("chat.started"))["chat_id"]
    await v.close()
    return chat_id


async def test_rotation_signs_with_both_secrets_then_only_the_new(
    grace_server: Server, receiver: Receiver
) -> None:
    token = await asyncio.to_thread(grace_server.login, *ADMIN)
    hooks = []
    for path in ("/a", "/b"):
        r = api(grace_server, token, "POST", "/webhooks",
                json={"url": receiver.url(path), "events": ["chat.started"]})  # fmt: skip
        assert r.status_code == 201, r.text
        hooks.append(r.json())
    a, b = hooks
    old = a["secret"]

    r = api(grace_server, token, "POST", f"/webhooks/{a['id']}/secret")
    assert r.status_code == 200, r.text
    rotated = r.json()
    new = rotated["secret"]
    assert new.startswith("whsec_")
    assert new not in (old, b["secret"])
    until = datetime.fromisoformat(rotated["previous_secret_expires_at"].replace("Z", "+00:00"))
    # Shown once: the endpoint's answers never show it (they say until when the old one signs).
    shown = api(grace_server, token, "GET", f"/webhooks/{a['id']}")
    assert new not in shown.text
    assert shown.json()["previous_secret_expires_at"] == rotated["previous_secret_expires_at"]
    assert new not in api(grace_server, token, "GET", "/webhooks").text

    chat = await _chat(grace_server)
    during = await receiver.expect("chat.started", "/a", chat_id=chat)
    assert len(during.signatures) == 2
    assert during.signed_with(new)
    assert during.signed_with(old)
    assert not during.signed_with(b["secret"])
    other = await receiver.expect("chat.started", "/b", chat_id=chat)
    assert other.signatures
    assert len(other.signatures) == 1
    assert other.signed_with(b["secret"])

    # After the grace period: only the new secret signs.
    await asyncio.sleep(max(0.0, until.timestamp() - time.time()) + 0.5)
    chat = await _chat(grace_server)
    after = await receiver.expect("chat.started", "/a", chat_id=chat)
    assert (
        api(grace_server, token, "GET", f"/webhooks/{a['id']}").json()["previous_secret_expires_at"]
        is None
    )
    assert len(after.signatures) == 1
    assert after.signed_with(new)
    assert not after.signed_with(old)

    # Rotating again: the secret just replaced signs beside the newest; the oldest never again.
    newest = api(grace_server, token, "POST", f"/webhooks/{a['id']}/secret").json()["secret"]
    chat = await _chat(grace_server)
    again = await receiver.expect("chat.started", "/a", chat_id=chat)
    assert again.signed_with(newest)
    assert again.signed_with(new)
    assert not again.signed_with(old)

    # An unknown endpoint is 404 (another site's: tests/e2e/test_access.py).
    r = api(grace_server, token, "POST", "/webhooks/no-such-hook/secret")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
