"""The live visitors list with two ``parley serve`` processes on one PostgreSQL and one Redis:
an agent watching on one process sees visitors browsing on the other, and only their site's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import drop_database, fresh_database
from tests.e2e.routing_support import Shop
from tests.e2e.test_cluster import start_cluster
from tests.e2e.test_live_visitors import _page, _row
from tests.e2e.test_triggers_cluster import BROKER, pytestmark, tab_on
from tests.support import Server

__all__ = ["pytestmark"]


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


async def test_a_watcher_sees_visitors_of_another_process(two_processes: list[Server]) -> None:
    a, b = two_processes
    shop, other = await Shop.create(a, "Shop A"), await Shop.create(a, "Shop B")
    await shop.add_agent("Ann")
    await other.add_agent("Bob")
    ann = await Shop(
        b, shop.site_id, shop.site_key, shop.admin_token, shop.passwords
    ).connect_agent("Ann")
    bob = await Shop(
        b, other.site_id, other.site_key, other.admin_token, other.passwords
    ).connect_agent("Bob")
    snapshot = await ann.answer({"type": "visitors.watch"}, "visitors.snapshot")
    assert snapshot["visitors"] == []
    await bob.answer({"type": "visitors.watch"}, "visitors.snapshot")

    maja, _ = await tab_on(a, shop.site_key)  # browsing on process A
    maja_id = maja.all("hello")[0]["visitor"]["id"]
    wim, _ = await tab_on(a, other.site_key)
    wim_id = wim.all("hello")[0]["visitor"]["id"]
    await _page(maja, "https://a.example/pricing", "Pricing")
    await _row(ann, maja_id, url="https://a.example/pricing")
    await _page(wim, "https://b.example/secret", "B")
    await _row(bob, wim_id, url="https://b.example/secret")
    # Say hello across processes: Ann on B, Maja's socket on A.
    invited = await ann.answer({"type": "visitor.invite", "visitor_id": maja_id}, "visitor.invited")
    assert (await maja.expect("invitation"))["invitation_id"] == invited["invitation_id"]
    await _page(maja, "https://a.example/marker", "Marker")  # fence: after B's page view
    await _row(ann, maja_id, url="https://a.example/marker")
    await maja.close()
    await ann.wait_for(
        lambda f: f.get("type") == "visitors.delta" and maja_id in f["left"], 10, "maja left"
    )
    assert wim_id not in json.dumps(ann.frames)
    assert maja_id not in json.dumps(bob.frames)
    for c in (ann, bob, wim):
        await c.close()
