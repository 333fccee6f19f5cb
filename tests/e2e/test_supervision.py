"""Whispers, notes, monitoring, joining, taking over, files and saved replies, over the contract."""

from __future__ import annotations

import asyncio
import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ALICE, BEN, DEMO_SITE_KEY, SAM, running_server
from tests.e2e.routing_support import Shop, start
from tests.support import Client, Server, agent, msg_id, typing_fence, visitor


def png(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


async def chat_with_alice(server: Server) -> tuple[Client, Client, str, dict[str, str]]:
    a, _ = await agent(server, *ALICE)
    v, session = await visitor(server, DEMO_SITE_KEY)
    await v.send(
        {
            "type": "chat.start",
            "pre_chat": {"name": "Maja"},
            "message": "Hello",
            "client_msg_id": msg_id(),
        }
    )
    chat_id: str = (await v.expect("chat.started"))["chat_id"]
    await a.expect("chat.assigned", chat_id=chat_id)
    return a, v, chat_id, {"token": session["visitor_token"]}


async def test_whispers_and_notes_reach_staff_only_and_monitoring_is_silent(
    server: Server,
) -> None:
    a, v, chat_id, _ = await chat_with_alice(server)
    sam, _ = await agent(server, *SAM)
    await sam.send({"type": "chat.monitor", "chat_id": chat_id})
    watching = await sam.expect("chat.monitoring", chat_id=chat_id)
    assert watching["chat"]["visitor"]["name"] == "Maja"

    cid = msg_id()
    await sam.send(
        {
            "type": "message.send",
            "chat_id": chat_id,
            "client_msg_id": cid,
            "body": "Offer free shipping",
            "kind": "whisper",
        }
    )
    await sam.expect("message.ack", client_msg_id=cid)
    whisper = await a.expect_message(chat_id, body="Offer free shipping")
    assert whisper["message"]["kind"] == "whisper"
    cid = msg_id()
    await a.send(
        {
            "type": "message.send",
            "chat_id": chat_id,
            "client_msg_id": cid,
            "body": "Regular customer",
            "kind": "note",
        }
    )
    await sam.expect_message(chat_id, body="Regular customer", kind="note")
    cid = msg_id()
    await a.send(
        {
            "type": "message.send",
            "chat_id": chat_id,
            "client_msg_id": cid,
            "body": "Shipping is free for you today!",
        }
    )
    await sam.expect_message(chat_id, body="Shipping is free for you today!")
    seen = await v.expect_message(chat_id, body="Shipping is free for you today!")
    assert seen["message"]["seq"] == 2  # visitor numbering skips nothing it may see

    await v.send({"type": "resume", "chat_id": chat_id, "after_seq": 0})
    await v.expect("resume.done", chat_id=chat_id)
    await typing_fence(a, chat_id, [v])
    bodies = [f["message"]["body"] for f in v.all("message.new")]
    assert "Offer free shipping" not in bodies
    assert "Regular customer" not in bodies
    # Monitoring told the visitor nothing: no system message, no join.
    assert not [f for f in v.frames if f.get("type") in ("chat.joined",)]
    assert not [f for f in v.all("message.new") if f["message"]["author"]["type"] == "system"]

    # Joining is announced to the visitor.
    await sam.send({"type": "chat.join", "chat_id": chat_id})
    joined = await v.expect("chat.joined", chat_id=chat_id)
    assert joined["agent"]["name"] == "Sam Lindqvist"
    await v.expect_message(chat_id, body="Sam Lindqvist joined the chat.")

    # Taking over: the supervisor transfers the chat to themself.
    sam_id = (sam.all("hello")[0])["agent"]["id"]
    await sam.send({"type": "chat.transfer", "chat_id": chat_id, "to_agent_id": sam_id})
    await sam.expect("chat.assigned", chat_id=chat_id)
    moved = await v.expect("chat.transferred", chat_id=chat_id)
    assert moved["agent"]["name"] == "Sam Lindqvist"
    cid = msg_id()
    await a.send(
        {"type": "message.send", "chat_id": chat_id, "client_msg_id": cid, "body": "still mine?"}
    )
    assert (await a.expect("error"))["code"] == "forbidden"


async def test_only_supervisors_monitor_and_nobody_reads_another_sites_chats(
    server: Server,
) -> None:
    a, _v, chat_id, _ = await chat_with_alice(server)
    ben, _ = await agent(server, *BEN)
    await ben.send({"type": "chat.monitor", "chat_id": chat_id})
    assert (await ben.expect("error"))["code"] == "forbidden"
    await ben.send({"type": "chat.join", "chat_id": chat_id})
    assert (await ben.expect("error"))["code"] == "forbidden"

    other = await Shop.create(server, "Other shop")
    async with httpx.AsyncClient(base_url=server.base) as http:
        r = await http.get(
            f"/api/v1/chats/{chat_id}/messages",
            headers={"Authorization": f"Bearer {other.admin_token}"},
        )
        assert r.status_code == 404
        r = await http.get(
            "/api/v1/chats", headers={"Authorization": f"Bearer {other.admin_token}"}
        )
        assert chat_id not in [c["id"] for c in r.json()["items"]]
    outsider = await Client.connect(f"{server.ws_base}/ws/agent?token={other.admin_token}")
    await outsider.expect("hello")
    for frame in (
        {"type": "chat.monitor", "chat_id": chat_id},
        {"type": "resume", "chat_id": chat_id, "after_seq": 0},
        {"type": "message.send", "chat_id": chat_id, "client_msg_id": "x", "body": "hi"},
    ):
        await outsider.send(frame)
        assert (await outsider.expect("error"))["code"] == "not_found"
    await a.close()


@pytest.fixture
def small_uploads(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path, PARLEY_MAX_UPLOAD_BYTES=str(200 * 1024)) as srv:
        yield srv


async def test_uploads_are_checked_and_only_the_chat_can_read_them(
    small_uploads: Server,
) -> None:
    server = small_uploads
    a, v, chat_id, visitor_auth = await chat_with_alice(server)
    vtoken = visitor_auth["token"]
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:

        def up(name: str, data: bytes, token: str) -> dict[str, object]:
            return {
                "files": {"file": (name, io.BytesIO(data), "image/png")},
                "headers": {"Authorization": f"Bearer {token}"},
            }

        big = await http.post("/api/v1/uploads", **up("big.png", png() + b"\0" * 300_000, vtoken))  # type: ignore[arg-type]
        assert big.status_code == 413
        assert big.json()["error"]["code"] == "too_large"
        exe = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"\x00" * 200
        disguised = await http.post("/api/v1/uploads", **up("cat.png", exe, vtoken))  # type: ignore[arg-type]
        assert disguised.status_code == 400
        ok = await http.post("/api/v1/uploads", **up("photo.png", png(), vtoken))  # type: ignore[arg-type]
        assert ok.status_code == 201, ok.text
        upload = ok.json()
        assert upload["content_type"] == "image/png"

        cid = msg_id()
        await v.send(
            {
                "type": "message.send",
                "chat_id": chat_id,
                "client_msg_id": cid,
                "body": "photo.png",
                "attachment_ids": [upload["id"]],
            }
        )
        await v.expect("message.ack", client_msg_id=cid)
        got = await a.expect_message(chat_id, body="photo.png")
        assert got["message"]["attachments"][0]["id"] == upload["id"]
        assert got["message"]["attachments"][0]["is_image"] is True

        atoken = await asyncio.to_thread(server.login, *ALICE)
        for token in (vtoken, atoken):
            r = await http.get(f"/api/v1/uploads/{upload['id']}", params={"token": token})
            assert r.status_code == 200
            assert r.content == png()
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["content-disposition"].startswith("inline")
        stranger = await asyncio.to_thread(server.widget_session, DEMO_SITE_KEY)
        other_agent = await asyncio.to_thread(server.login, *BEN)  # not in this chat
        for token in (stranger["visitor_token"], other_agent):
            r = await http.get(f"/api/v1/uploads/{upload['id']}", params={"token": token})
            assert r.status_code == 404
        assert (await http.get(f"/api/v1/uploads/{upload['id']}")).status_code == 404


async def test_saved_replies_fill_placeholders_and_count_use(server: Server) -> None:
    a, v, chat_id, _ = await chat_with_alice(server)
    sam_token = await asyncio.to_thread(server.login, *SAM)
    alice_token = await asyncio.to_thread(server.login, *ALICE)
    async with httpx.AsyncClient(base_url=server.base) as http:

        def auth(t: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {t}"}

        shared = await http.post(
            "/api/v1/saved-replies",
            headers=auth(sam_token),
            json={
                "shortcut": "hi",
                "title": "Greeting",
                "shared": True,
                "body": "Hi {visitor.name}, I'm {agent.name} from {site.name}. How can I help?",
            },
        )
        assert shared.status_code == 201
        refused = await http.post(
            "/api/v1/saved-replies",
            headers=auth(alice_token),
            json={"shortcut": "x", "title": "x", "body": "x", "shared": True},
        )
        assert refused.status_code == 403
        mine = await http.post(
            "/api/v1/saved-replies",
            headers=auth(alice_token),
            json={"shortcut": "bye", "title": "Goodbye", "body": "Thanks for visiting!"},
        )
        assert mine.status_code == 201
        used = await http.post(
            f"/api/v1/saved-replies/{shared.json()['id']}/use",
            headers=auth(alice_token),
            json={"chat_id": chat_id},
        )
        assert used.json()["body"] == (
            "Hi Maja, I'm Alice Berg from Nordlys Cycles. How can I help?"
        )
        listing = (await http.get("/api/v1/saved-replies", headers=auth(alice_token))).json()
        by_shortcut = {r["shortcut"]: r for r in listing["items"]}
        assert by_shortcut["hi"]["usage_count"] == 1
        assert by_shortcut["hi"]["shared"] is True
        assert by_shortcut["bye"]["shared"] is False
        # Ben does not see Alice's personal reply.
        ben_token = await asyncio.to_thread(server.login, *BEN)
        theirs = (await http.get("/api/v1/saved-replies", headers=auth(ben_token))).json()
        assert [r["shortcut"] for r in theirs["items"]] == ["hi"]
    await a.close()
    await v.close()


async def test_supervisors_see_every_chat_live(server: Server) -> None:
    sam, _ = await agent(server, *SAM)
    await sam.send({"type": "presence.set", "status": "away"})
    await sam.expect("presence.update", status="away")
    v, _ = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start(v)
    row = await sam.expect("supervisor.chat")
    assert (row["chat"]["id"], row["chat"]["status"]) == (chat_id, "queued")
    a, _ = await agent(server, *ALICE)
    assigned = await sam.wait_for(
        lambda f: f.get("type") == "supervisor.chat" and f["chat"]["status"] == "active", 10
    )
    assert assigned["chat"]["agent"]["name"] == "Alice Berg"
    activity = await sam.expect("supervisor.activity", chat_id=chat_id)
    assert activity["author_type"] == "visitor"
    token = await asyncio.to_thread(server.login, *SAM)
    async with httpx.AsyncClient(base_url=server.base) as http:
        overview = (
            await http.get(
                "/api/v1/supervisor/overview", headers={"Authorization": f"Bearer {token}"}
            )
        ).json()
        assert [c["id"] for c in overview["chats"]] == [chat_id]
        assert overview["chats"][0]["unanswered_since"] is not None
        names = {x["name"]: x for x in overview["agents"]}
        assert names["Alice Berg"]["active_chats"] == 1
        alice_token = await asyncio.to_thread(server.login, *ALICE)
        denied = await http.get(
            "/api/v1/supervisor/overview", headers={"Authorization": f"Bearer {alice_token}"}
        )
        assert denied.status_code == 403
    await a.close()
    await v.close()


async def test_an_agent_photo_is_public_and_shown_on_their_messages(server: Server) -> None:
    a, v, chat_id, _ = await chat_with_alice(server)
    token = await asyncio.to_thread(server.login, *ALICE)
    async with httpx.AsyncClient(base_url=server.base) as http:
        auth = {"Authorization": f"Bearer {token}"}
        not_image = await http.post(
            "/api/v1/agents/me/avatar",
            headers=auth,
            files={"file": ("me.pdf", b"%PDF-1.4\n%\xe2\xe3\n", "application/pdf")},
        )
        assert not_image.status_code == 400
        r = await http.post(
            "/api/v1/agents/me/avatar", headers=auth, files={"file": ("me.png", png(), "image/png")}
        )
        assert r.status_code == 200, r.text
        avatar_url = r.json()["avatar_url"]
        renamed = await http.patch("/api/v1/agents/me", headers=auth, json={"name": "Alice B."})
        assert renamed.json()["name"] == "Alice B."
        # Any visitor's browser may load the photo, without a token.
        photo = await http.get(avatar_url)
        assert photo.status_code == 200
        assert photo.headers["content-type"] == "image/png"
    cid = msg_id()
    await a.send(
        {
            "type": "message.send",
            "chat_id": chat_id,
            "client_msg_id": cid,
            "body": "Hello with a face",
        }
    )
    shown = await v.expect_message(chat_id, body="Hello with a face")
    assert shown["message"]["author"]["name"] == "Alice B."
    assert shown["message"]["author"]["avatar_url"] == avatar_url
