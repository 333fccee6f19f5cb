"""Every list of the REST API pages the same way: ``limit`` and ``cursor`` in, ``next_cursor``
out, every item once over the pages, an unknown cursor refused."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.conftest import DEMO_SITE_KEY
from tests.support import Server, msg_id, visitor

ADMIN = ("admin@demo.parley", "admin-demo")


def get(server: Server, token: str, path: str, **params: Any) -> httpx.Response:
    return httpx.get(
        f"{server.base}/api/v1{path}",
        params=params,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def walk(server: Server, token: str, path: str, limit: int) -> list[list[str]]:
    """The ids of each page, following ``next_cursor`` to the end."""
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        r = get(server, token, path, **params)
        assert r.status_code == 200, r.text
        body = r.json()
        pages.append([item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def test_every_list_pages_by_cursor(server: Server) -> None:
    admin = await asyncio.to_thread(server.login, *ADMIN)
    headers = {"Authorization": f"Bearer {admin}"}
    async with httpx.AsyncClient(base_url=f"{server.base}/api/v1", headers=headers) as http:
        for i in range(3):
            await http.post("/skills", json={"name": f"extra{i}"})
            await http.post("/webhooks", json={"url": f"https://93.184.215.14/h{i}",
                                               "events": ["chat.closed"]})  # fmt: skip
            await http.post("/api-tokens", json={"name": f"t{i}"})
            await http.post("/saved-replies",
                            json={"shortcut": f"r{i}", "title": "R", "body": "x"})  # fmt: skip
    for path in ("/agents", "/skills", "/saved-replies", "/webhooks", "/api-tokens"):
        whole = get(server, admin, path).json()
        assert whole["next_cursor"] is None, path
        everything = [item["id"] for item in whole["items"]]
        assert len(everything) >= 3, path
        pages = walk(server, admin, path, 2)
        assert [i for page in pages for i in page] == everything, path
        assert all(len(page) == 2 for page in pages[:-1]), path
        refused = get(server, admin, path, cursor="no-such-item")
        assert refused.status_code == 400, path
        assert refused.json()["error"]["code"] == "bad_request"

    # A chat's messages: oldest first, the cursor a message number.
    v, _ = await visitor(server, DEMO_SITE_KEY)
    await v.send({"type": "chat.start", "pre_chat": {"name": "Vera"}, "message": "one",
                  "client_msg_id": msg_id()})  # fmt: skip
    chat_id = (await v.expect("chat.started"))["chat_id"]
    for text in ("two", "three", "four"):
        ref = msg_id()
        await v.send({"type": "message.send", "chat_id": chat_id, "client_msg_id": ref,
                      "body": text})  # fmt: skip
        await v.expect("message.ack", client_msg_id=ref)
    path = f"/chats/{chat_id}/messages"
    pages = walk(server, admin, path, 2)
    everything = [m["id"] for m in get(server, admin, path).json()["items"]]
    assert len(everything) >= 4
    assert [i for page in pages for i in page] == everything
    assert len(pages) >= 2
    assert get(server, admin, path, cursor="x").status_code == 422
    await v.close()
