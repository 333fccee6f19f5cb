"""kpi.tiles over real sockets: the server pushes a site's tiles to its supervisors and admins
as a chat waits, is taken, answered and closed, and another site's dashboards hear only their
own figures."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import postgres_base
from tests.e2e.routing_support import Shop, start
from tests.e2e.test_cluster import BROKER, running_cluster
from tests.support import Client, Server, msg_id, presence_fence


async def watch(shop: Shop) -> Client:
    """The shop admin's dashboard socket (presence=keep: watching, not taking chats)."""
    client = await Client.connect(
        f"{shop.server.ws_base}/ws/agent?token={shop.admin_token}&presence=keep"
    )
    await client.expect("hello")
    return client


async def test_tiles_follow_a_chat_and_stay_on_their_site(server: Server) -> None:
    shop, other = await Shop.create(server, "Tiles shop"), await Shop.create(server, "Quiet shop")
    await shop.add_agent("Ann")
    await other.add_agent("Ola")
    boss, quiet = await watch(shop), await watch(other)
    first = await boss.expect("kpi.tiles", queue=0, chats_active=0)
    assert first["longest_wait_since"] is None
    assert first["alert_after_s"] == 60
    await quiet.expect("kpi.tiles", queue=0)
    ola = await other.connect_agent("Ola")  # the quiet shop's agent is online throughout
    await quiet.expect("kpi.tiles", agents_online=1)

    # Nobody online at the shop: the chat waits, and the tile says since when.
    visitor = await shop.visitor()
    chat_id = await start(visitor, text="Is anyone there?")
    waiting = await boss.expect("kpi.tiles", queue=1)
    assert waiting["longest_wait_since"] is not None
    assert (waiting["chats_active"], waiting["agents_online"]) == (0, 0)

    ann = await shop.connect_agent("Ann")
    await ann.expect("chat.assigned", chat_id=chat_id)
    taken = await boss.expect("kpi.tiles", queue=0, chats_active=1)
    assert (taken["agents_online"], taken["load"], taken["capacity"]) == (1, 1, 3)
    assert taken["longest_wait_since"] is None
    assert [(a["name"], a["active_chats"]) for a in taken["agents"] if a["name"] == "Ann"] == [
        ("Ann", 1)
    ]

    await ann.send(
        {"type": "message.send", "chat_id": chat_id, "client_msg_id": msg_id(), "body": "Yes!"}
    )
    await ann.expect("message.ack")
    await boss.expect("kpi.tiles", answered_within_60s_pct_today=100.0)
    await ann.send({"type": "chat.close", "chat_id": chat_id})
    await visitor.expect("chat.closed", chat_id=chat_id)
    closed = await boss.expect("kpi.tiles", chats_active=0, load=0)
    assert closed["answered_within_60s_pct_today"] == 100.0

    # The quiet shop recomputes after its own change (Ola goes busy) and still shows nothing
    # of the other shop; after a fence on its staff topic, no tile of it ever showed a chat.
    await ola.send({"type": "presence.set", "status": "busy"})
    after = await quiet.expect("kpi.tiles", agents_online=0)
    assert (after["queue"], after["chats_active"], after["answered_within_60s_pct_today"]) == (
        0,
        0,
        None,
    )
    await presence_fence(ola, "busy", [quiet])
    tiles = quiet.all("kpi.tiles")
    assert {(t["queue"], t["chats_active"], t["load"]) for t in tiles} == {(0, 0, 0)}
    # An agent's socket gets no tiles (they are for supervisors and admins).
    assert ann.all("kpi.tiles") == []
    assert ola.all("kpi.tiles") == []
    for client in (boss, quiet, ann, ola, visitor):
        await client.close()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[list[Server]]:
    """Three processes on one PostgreSQL and one Redis (tests/e2e/test_cluster.py)."""
    with running_cluster(tmp_path) as servers:
        yield servers


@pytest.mark.skipif(
    postgres_base() is None or not BROKER.startswith("redis"),
    reason="needs PostgreSQL and Redis (the second pass of `make test`)",
)
async def test_tiles_are_right_on_every_process(cluster: list[Server]) -> None:
    """The dashboard on one process, the agent and the visitor on another: the change reaches
    the dashboard's process through Redis, which reads the tiles from the shared database."""
    servers = cluster
    shop = await Shop.create(servers[0], "Cluster tiles")
    await shop.add_agent("Ann")
    here, there = (dataclasses.replace(shop, server=s) for s in servers[1:3])
    boss = await watch(here)
    await boss.expect("kpi.tiles", queue=0)
    visitor = await there.visitor()
    chat_id = await start(visitor)
    waiting = await boss.expect("kpi.tiles", queue=1)
    assert waiting["longest_wait_since"] is not None
    ann = await there.connect_agent("Ann")
    await ann.expect("chat.assigned", chat_id=chat_id)
    await boss.expect("kpi.tiles", queue=0, chats_active=1, agents_online=1, load=1)
    await ann.send({"type": "chat.close", "chat_id": chat_id})
    await visitor.expect("chat.closed", chat_id=chat_id)
    await boss.expect("kpi.tiles", chats_active=0, load=0)
    for client in (boss, ann, visitor):
        await client.close()
