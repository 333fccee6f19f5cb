"""Post-chat surveys and the chat archive on a real server (SQLite, or PostgreSQL with
PARLEY_TEST_POSTGRES): a visitor rates their own chat once (a second submit updates), another
visitor's chat is not found, the KPIs count the ratings; full-text search finds a chat by a
word of its messages and never another site's, filters combine, and the export carries it."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import running_server
from tests.e2e.routing_support import Shop, start
from tests.e2e.webhook_receiver import Receiver
from tests.support import Client, Server, msg_id


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    try:
        yield r
    finally:
        r.stop()


@pytest.fixture
def hooks_server(tmp_path: Path) -> Iterator[Server]:
    with running_server(
        tmp_path, PARLEY_WEBHOOKS_ALLOW_PRIVATE="true", PARLEY_WEBHOOKS_POLL_S="0.2"
    ) as srv:
        yield srv


async def _answered_chat(shop: Shop, agent: Client, text: str, reply: str) -> tuple[Client, str]:
    visitor = await shop.visitor()
    chat_id = await start(visitor, text=text)
    await agent.expect("chat.assigned", chat_id=chat_id)
    await agent.send(
        {"type": "message.send", "chat_id": chat_id, "client_msg_id": msg_id(), "body": reply}
    )
    await agent.expect("message.ack")
    return visitor, chat_id


async def _close(agent: Client, visitor: Client, chat_id: str) -> None:
    await agent.send({"type": "chat.close", "chat_id": chat_id})
    await visitor.expect("chat.closed", chat_id=chat_id)


async def _ids(shop: Shop, **params: Any) -> list[str]:
    r = await shop.api("GET", "/chats", params=params)
    assert r.status_code == 200, r.text
    return [c["id"] for c in r.json()["items"]]


async def test_survey_is_stored_once_per_chat_and_counted(
    hooks_server: Server, receiver: Receiver
) -> None:
    server = hooks_server
    shop = await Shop.create(server, "Survey shop")
    r = await shop.api(
        "POST", "/webhooks", json={"url": receiver.url("/s"), "events": ["survey.submitted"]}
    )
    assert r.status_code == 201, r.text
    ann_id = await shop.add_agent("Ann")
    ann = await shop.connect_agent("Ann")
    visitor, chat_id = await _answered_chat(shop, ann, "Where is my parcel?", "On its way")
    stranger, other_chat = await _answered_chat(shop, ann, "Hello", "Hi")

    # A survey on an open chat is fine; agents of the chat hear it.
    saved = await visitor.answer(
        {"type": "survey.submit", "chat_id": chat_id, "rating": 2, "comment": "slow"},
        "survey.saved",
    )
    assert saved == {"type": "survey.saved", "chat_id": chat_id}
    heard = await ann.expect("chat.survey", chat_id=chat_id)
    assert (heard["survey"]["rating"], heard["survey"]["comment"]) == (2, "slow")

    # After the close the visitor changes their mind: one survey, updated.
    await _close(ann, visitor, chat_id)
    await visitor.answer(
        {"type": "survey.submit", "chat_id": chat_id, "rating": 5, "comment": "Great help <3"},
        "survey.saved",
    )
    r = await shop.api("GET", f"/chats/{chat_id}/survey")
    assert r.status_code == 200, r.text
    hooked = await receiver.expect("survey.submitted", "/s", rating=5)
    assert hooked.body["data"]["chat"]["id"] == chat_id
    assert hooked.body["data"]["survey"]["comment"] == "Great help <3"
    assert r.json()["survey"]["rating"] == 5
    assert r.json()["survey"]["comment"] == "Great help <3"

    # Another visitor's chat: not found, and nothing stored for it.
    refused = await stranger.answer(
        {"type": "survey.submit", "chat_id": chat_id, "rating": 1}, "error"
    )
    assert refused["code"] == "not_found"
    bad = await stranger.answer(
        {"type": "survey.submit", "chat_id": other_chat, "rating": 6}, "error"
    )
    assert bad["code"] == "bad_request"
    assert (await shop.api("GET", f"/chats/{other_chat}/survey")).json()["survey"] is None

    await stranger.answer(
        {"type": "survey.submit", "chat_id": other_chat, "rating": 4}, "survey.saved"
    )
    totals = (await shop.api("GET", "/kpis", params={"group_by": "agent"})).json()
    assert totals["totals"]["csat"] == {
        "avg": 4.5,
        "count": 2,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1},
    }
    assert [(g["key"], g["csat"]["count"]) for g in totals["groups"]] == [(ann_id, 2)]

    # The archive filters by rating.
    assert await _ids(shop, rating=5) == [chat_id]
    assert await _ids(shop, rating=4) == [other_chat]
    assert await _ids(shop, rating=3) == []


async def test_archive_search_filters_and_export(server: Server) -> None:
    shop, rival = await Shop.create(server, "Archive shop"), await Shop.create(server, "Rival")
    await shop.add_agent("Ann")
    ann = await shop.connect_agent("Ann")
    await rival.add_agent("Rob")
    rob = await rival.connect_agent("Rob")

    v1, parcel = await _answered_chat(shop, ann, "My parcel never arrived", "We will refund it")
    await ann.send(
        {"type": "message.send", "chat_id": parcel, "client_msg_id": msg_id(),
         "body": "customer was upset about zebracrossing", "kind": "note"}
    )  # fmt: skip
    await ann.expect("message.ack")
    await _close(ann, v1, parcel)
    _v2, sizes = await _answered_chat(shop, ann, "Which sizes do the shoes come in?", "All sizes")
    _rv, theirs = await _answered_chat(rival, rob, "My parcel is late", "Sorry")

    # By a word of a message (a prefix too, any case), on this site only.
    assert await _ids(shop, q="parcel") == [parcel]
    assert await _ids(shop, q="REFUND") == [parcel]  # the agent's words count too
    assert await _ids(shop, q="refun") == [parcel]
    assert await _ids(shop, q="zebracrossing") == [parcel]  # notes, for staff
    assert await _ids(shop, q="shoes sizes") == [sizes]
    assert await _ids(shop, q="parcel shoes") == []  # every word in one message
    assert await _ids(rival, q="parcel") == [theirs]
    assert await _ids(shop, q='"parcel*:(') == [parcel]  # never read as search syntax

    # Filters combine.
    assert await _ids(shop, q="parcel", status="closed") == [parcel]
    assert await _ids(shop, q="parcel", status="active") == []
    assert set(await _ids(shop, status="active")) == {sizes}
    first = (await shop.api("GET", "/chats", params={"q": "parcel"})).json()["items"][0]
    started = first["created_at"]
    assert await _ids(shop, q="parcel", **{"from": started}) == [parcel]
    assert await _ids(shop, q="parcel", to=started) == []
    ann_id = first["agent_id"]
    assert await _ids(shop, q="parcel", agent_id=ann_id) == [parcel]
    assert await _ids(shop, q="parcel", agent_id="nobody") == []

    # An agent (not a supervisor) finds the site's closed chats, never a colleague's live one.
    await shop.add_agent("Bea")
    bea = await asyncio.to_thread(server.login, shop.passwords["Bea"], "password-1")
    found = await shop.api("GET", "/chats", token=bea, params={"q": "parcel"})
    assert [c["id"] for c in found.json()["items"]] == [parcel]
    found = await shop.api("GET", "/chats", token=bea, params={"q": "shoes"})
    assert found.json()["items"] == []
    assert await _ids(shop, q="shoes") == [sizes]  # the admin does

    # Cursor pagination keeps working with filters.
    r = await shop.api("GET", "/chats", params={"limit": 1, "agent_id": ann_id})
    page = r.json()
    assert page["items"][0]["id"] == sizes
    assert page["next_cursor"] == sizes
    r = await shop.api("GET", "/chats", params={"limit": 1, "agent_id": ann_id, "cursor": sizes})
    assert [c["id"] for c in r.json()["items"]] == [parcel]

    # Export: JSON with the public messages, CSV one line per chat; nothing of the rival.
    await v1.answer({"type": "survey.submit", "chat_id": parcel, "rating": 3}, "survey.saved")
    r = await shop.api("GET", "/chats/export", params={"format": "json", "q": "parcel"})
    assert r.status_code == 200, r.text
    exported = r.json()["items"]
    assert [c["id"] for c in exported] == [parcel]
    assert exported[0]["rating"] == 3
    assert exported[0]["agent_name"] == "Ann"
    bodies = [m["body"] for m in exported[0]["messages"]]
    assert "My parcel never arrived" in bodies
    assert "We will refund it" in bodies
    r = await shop.api("GET", "/chats/export", params={"format": "csv"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["id"] for row in rows} == {parcel, sizes}
    assert {row["rating"] for row in rows if row["id"] == parcel} == {"3"}
    assert theirs not in r.text
