"""Three processes share one outbox: every mail goes out once, whichever process claims it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ALICE, DEMO_SITE_KEY
from tests.databases import postgres_base
from tests.e2e.mail_support import SmtpServer
from tests.e2e.test_cluster import BROKER, running_cluster
from tests.support import Server, agent, visitor

pytestmark = pytest.mark.skipif(
    postgres_base() is None or not BROKER.startswith("redis"),
    reason="needs PostgreSQL and Redis (the second pass of `make test`)",
)


@pytest.fixture
def mail_cluster(tmp_path: Path, smtp_down: SmtpServer) -> Iterator[list[Server]]:
    env = {
        "PARLEY_SMTP_URL": smtp_down.url,
        "PARLEY_MAIL_RETRY_BASE_S": "0.2",
        "PARLEY_MAIL_RETRY_MAX_S": "0.3",
        "PARLEY_JOB_POLL_S": "0.2",
    }
    with running_cluster(tmp_path, env=env) as servers:
        yield servers


async def test_every_mail_goes_out_once_when_three_processes_race_for_them(
    mail_cluster: list[Server], smtp_down: SmtpServer
) -> None:
    servers, smtp = mail_cluster, smtp_down
    a, _ = await agent(servers[0], *ALICE)
    token = await asyncio.to_thread(servers[0].login, *ALICE)
    addresses = []
    for n, server in enumerate(servers):
        v, _ = await visitor(server, DEMO_SITE_KEY)
        await v.send({"type": "chat.start", "pre_chat": {"name": f"V{n}"}, "message": "Hi"})
        chat_id = (await v.expect("chat.started"))["chat_id"]
        await a.expect("chat.assigned", chat_id=chat_id)
        for k in range(3):  # the most a chat may have in an hour, each asked at another process
            address = f"v{n}-{k}@example.com"
            async with httpx.AsyncClient(base_url=servers[k].base, timeout=30) as http:
                r = await http.post(
                    f"/api/v1/chats/{chat_id}/transcript",
                    json={"email": address},
                    headers={"Authorization": f"Bearer {token}"},
                )
            assert r.status_code == 202, r.text
            addresses.append(address)
        await v.close()
    # Every process has failed some of them by now; the SMTP server comes back and all three
    # retry at once.
    await asyncio.sleep(1)
    smtp.start()
    for address in addresses:
        await smtp.inbox.wait_for(address)
    # Marked sent everywhere: nothing is left to claim, so nothing more can arrive.
    async with httpx.AsyncClient(base_url=servers[0].base, timeout=30) as http:
        admin = (
            await http.post(
                "/api/v1/auth/login",
                json={"email": "admin@demo.parley", "password": "admin-demo"},
            )
        ).json()["access_token"]

        async def all_sent() -> None:
            while True:
                r = await http.get(
                    "/api/v1/mail/outbox?status=sent",
                    headers={"Authorization": f"Bearer {admin}"},
                )
                if len(r.json()["items"]) == len(addresses):
                    return
                await asyncio.sleep(0.1)

        await asyncio.wait_for(all_sent(), 15)
    assert sorted(m["To"] for m in smtp.inbox.messages) == sorted(addresses)
    await a.close()
