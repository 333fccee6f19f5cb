"""Uploads from several people read back byte for byte, each their own; names in any script;
links that open a file without a token in the URL, for a few minutes only."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import struct
import zlib
from pathlib import Path

import httpx
import pytest

from app.files.api import content_disposition
from tests.conftest import ALICE, DEMO_SITE_KEY
from tests.databases import postgres_base
from tests.support import Client, Server, agent, msg_id, visitor


def png(shade: int) -> bytes:
    """A distinct real PNG per shade, so every upload's bytes differ."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    raw = b"".join(b"\x00" + bytes([shade, 0, 255 - shade]) * 3 for _ in range(3))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 3, 3, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


async def _upload(http: httpx.AsyncClient, token: str, name: str, data: bytes) -> str:
    r = await http.post(
        "/api/v1/uploads",
        files={"file": (name, io.BytesIO(data), "application/octet-stream")},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.text
    upload_id: str = r.json()["id"]
    return upload_id


async def _send_file(client: Client, chat_id: str, upload_id: str) -> None:
    cid = msg_id()
    await client.send(
        {
            "type": "message.send",
            "chat_id": chat_id,
            "client_msg_id": cid,
            "body": "file",
            "attachment_ids": [upload_id],
        }
    )
    await client.expect("message.ack", client_msg_id=cid)


async def _chat(server: Server, name: str) -> tuple[Client, str, str]:
    v, session = await visitor(server, DEMO_SITE_KEY)
    await v.send({"type": "chat.start", "pre_chat": {"name": name}, "message": "hi"})
    chat_id: str = (await v.expect("chat.started"))["chat_id"]
    return v, chat_id, session["visitor_token"]


async def test_every_upload_keeps_its_own_bytes_for_its_own_readers(server: Server) -> None:
    alice, _ = await agent(server, *ALICE)
    atoken = await asyncio.to_thread(server.login, *ALICE)
    first, first_chat, first_token = await _chat(server, "Ada")
    second, second_chat, second_token = await _chat(server, "Bo")
    for chat_id in (first_chat, second_chat):
        await alice.expect("chat.assigned", chat_id=chat_id)
    files = {
        "ada-1": (first_token, png(10)),
        "ada-2": (first_token, b"Order 1042, size M\n"),
        "bo-1": (second_token, png(200)),
        "alice-1": (atoken, png(90)),
    }
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        ids = {n: await _upload(http, t, f"{n}.bin", data) for n, (t, data) in files.items()}
        photo = await http.post(
            "/api/v1/agents/me/avatar",
            files={"file": ("me.png", io.BytesIO(png(150)), "image/png")},
            headers={"Authorization": f"Bearer {atoken}"},
        )
        assert photo.status_code == 200, photo.text
        await _send_file(first, first_chat, ids["ada-1"])
        await _send_file(first, first_chat, ids["ada-2"])
        await _send_file(second, second_chat, ids["bo-1"])
        await _send_file(alice, first_chat, ids["alice-1"])

        async def read(upload_id: str, token: str | None) -> httpx.Response:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return await http.get(f"/api/v1/uploads/{upload_id}", headers=headers)

        # Every file reads back as uploaded, to everyone entitled, in any order.
        for name, (_, data) in reversed(files.items()):
            readers = [atoken, second_token if name == "bo-1" else first_token]
            for token in readers:
                r = await read(ids[name], token)
                assert r.status_code == 200, (name, r.text)
                assert r.content == data, name
        # The agent's photo is public (no token) and is the photo, not the latest upload.
        public = await http.get(photo.json()["avatar_url"])
        assert public.status_code == 200
        assert public.content == png(150)
        # Nobody reads another visitor's file.
        assert (await read(ids["bo-1"], first_token)).status_code == 404
        assert (await read(ids["ada-1"], second_token)).status_code == 404
        assert (await read(ids["ada-1"], None)).status_code == 404


async def test_a_file_named_in_any_script_downloads(server: Server) -> None:
    _, _, vtoken = await _chat(server, "Zoë")
    name = "счёт 订单 ελληνικά.txt"
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        upload_id = await _upload(http, vtoken, name, b"plain text\n")
        r = await http.get(
            f"/api/v1/uploads/{upload_id}", headers={"Authorization": f"Bearer {vtoken}"}
        )
    assert r.status_code == 200
    assert r.content == b"plain text\n"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    assert "filename*=UTF-8''%D1%81%D1%87%D1%91%D1%82%20" in disposition


def test_content_disposition_quotes_and_encodes() -> None:
    header = content_disposition("inline", 'a"b ø.png')
    header.encode("latin-1")  # a header must be Latin-1
    assert header == "inline; filename=\"a_b _.png\"; filename*=UTF-8''a%22b%20%C3%B8.png"


async def test_signed_links_open_a_file_briefly_and_only_that_file(server: Server) -> None:
    _, _, vtoken = await _chat(server, "Sig")
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        mine = await _upload(http, vtoken, "a.png", png(1))
        other = await _upload(http, vtoken, "b.png", png(2))
        auth = {"Authorization": f"Bearer {vtoken}"}
        link = (await http.post(f"/api/v1/uploads/{mine}/link", headers=auth)).json()
        assert link["ttl_s"] == 300
        assert "token" not in link["url"]
        opened = await http.get(link["url"])  # no token at all
        assert opened.status_code == 200
        assert opened.content == png(1)
        # The signature names one file: used for another, it opens nothing.
        sig = link["url"].split("sig=", 1)[1]
        assert (await http.get(f"/api/v1/uploads/{other}?sig={sig}")).status_code == 404
        assert (await http.get(f"/api/v1/uploads/{mine}?sig=forged")).status_code == 404
        # Nobody gets a link to a file they may not read.
        stranger = await asyncio.to_thread(server.widget_session, DEMO_SITE_KEY)
        refused = await http.post(
            f"/api/v1/uploads/{mine}/link",
            headers={"Authorization": f"Bearer {stranger['visitor_token']}"},
        )
        assert refused.status_code == 404


@pytest.mark.skipif(postgres_base() is not None, reason="checks the SQLite file directly")
async def test_the_database_refuses_two_uploads_with_one_storage_key(server: Server) -> None:
    _, _, vtoken = await _chat(server, "Key")
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        await _upload(http, vtoken, "a.png", png(3))
    path = Path(server.database_url.split("///", 1)[1])
    with sqlite3.connect(path) as db:
        row = db.execute(
            "SELECT site_id, uploader_type, uploader_id, storage_key FROM attachments"
        ).fetchone()
        with pytest.raises(sqlite3.IntegrityError, match="storage_key"):
            db.execute(
                "INSERT INTO attachments (id, site_id, uploader_type, uploader_id, filename, "
                "content_type, size, storage_key, public, created_at) "
                "VALUES ('x', ?, ?, ?, 'x', 'image/png', 1, ?, 0, '2026-01-01')",
                row,
            )
