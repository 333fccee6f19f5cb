"""Proactive invitations with two ``parley serve`` processes on one PostgreSQL and one Redis:
a visitor's timer set on both fires once, on time."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import drop_database, fresh_database, postgres_base
from tests.e2e.routing_support import Shop
from tests.e2e.test_cluster import start_cluster
from tests.e2e.trigger_support import LATE_S, add_trigger, pricing_trigger, view
from tests.support import Client, Server

BROKER = os.environ.get("PARLEY_TEST_BROKER", "")
pytestmark = pytest.mark.skipif(
    postgres_base() is None or not BROKER.startswith("redis"),
    reason="needs PostgreSQL and Redis (the second pass of `make test`)",
)


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[list[Server]]:
    url = fresh_database(tmp_path)
    servers: list[Server] = []
    try:
        servers.extend(start_cluster(tmp_path, url, BROKER, n=2))
        yield servers
    finally:
        for srv in servers:
            srv.kill()
        drop_database(url)


async def tab_on(server: Server, site_key: str, token: str | None = None) -> tuple[Client, str]:
    session = await asyncio.to_thread(server.widget_session, site_key, token)
    client = await Client.connect(f"{server.ws_base}/ws/visitor", session["visitor_token"])
    await client.expect("hello")
    return client, session["visitor_token"]


async def test_a_timer_set_on_two_processes_invites_once(two_processes: list[Server]) -> None:
    a, b = two_processes
    shop = await Shop.create(a)
    await shop.add_agent("Alice")
    alice_shop = Shop(b, shop.site_id, shop.site_key, shop.admin_token, shop.passwords)
    await alice_shop.connect_agent("Alice")  # answers on process B
    trigger = await add_trigger(shop, pricing_trigger(1))
    # One visitor, a tab on each process; both tabs report the page at once, so each process
    # sets the visitor's timer and wakes for it at the same moment.
    tab_a, token = await tab_on(a, shop.site_key)
    tab_b, _ = await tab_on(b, shop.site_key, token)
    await asyncio.gather(view(tab_a), view(tab_b))
    sent = time.monotonic()
    first = await tab_a.expect("invitation", timeout=10)
    assert time.monotonic() - sent <= 1 + LATE_S
    assert first["agent"]["name"] == "Alice"
    await tab_b.expect("invitation", invitation_id=first["invitation_id"])
    # Past every process's next poll: a second invitation would have been published by now.
    await asyncio.sleep(1.5)
    await tab_a.send({"type": "invitation.dismiss", "invitation_id": first["invitation_id"]})
    for tab in (tab_a, tab_b):  # a fence on the visitor's topic, through Redis
        await tab.expect("invitation.dismissed", invitation_id=first["invitation_id"])
        assert len(tab.all("invitation")) == 1
    stored = (await shop.api("GET", f"/triggers/{trigger['id']}")).json()
    assert stored["invitations"] == {"fired": 1, "shown": 0, "accepted": 0, "dismissed": 1}


async def test_an_agent_coming_online_on_one_process_invites_once(
    two_processes: list[Server],
) -> None:
    """The waiting visitor has a tab on each process; Alice comes online on a third socket of
    process B: each process's job loop may claim the woken timer, one invitation is sent."""
    a, b = two_processes
    shop = await Shop.create(a)
    await shop.add_agent("Alice")
    alice_shop = Shop(b, shop.site_id, shop.site_key, shop.admin_token, shop.passwords)
    alice = await alice_shop.connect_agent("Alice")
    await alice.send({"type": "presence.set", "status": "away"})
    await alice.expect("presence.update", status="away")
    on_pricing = {
        "match": "all",
        "rules": [{"field": "url", "op": "contains", "value": "/pricing"}],
    }
    trigger = await add_trigger(shop, pricing_trigger(0, conditions=on_pricing))
    tab_a, token = await tab_on(a, shop.site_key)
    tab_b, _ = await tab_on(b, shop.site_key, token)
    await asyncio.gather(view(tab_a), view(tab_b))
    await tab_a.fence()
    await tab_b.fence()
    assert tab_a.all("invitation") == []
    await alice.send({"type": "presence.set", "status": "online"})
    first = await tab_a.expect("invitation", timeout=10)
    await tab_b.expect("invitation", invitation_id=first["invitation_id"])
    await asyncio.sleep(1.5)  # past every process's next poll
    await tab_a.send({"type": "invitation.dismiss", "invitation_id": first["invitation_id"]})
    for tab in (tab_a, tab_b):
        await tab.expect("invitation.dismissed", invitation_id=first["invitation_id"])
        assert len(tab.all("invitation")) == 1
    stored = (await shop.api("GET", f"/triggers/{trigger['id']}")).json()
    assert stored["invitations"]["fired"] == 1
