"""What a resume reads on SQLite in batches (app/chat/resumes.py) is what ``service.history``
reads: the same messages in the same shape, as a visitor and as staff see them."""

from __future__ import annotations

import asyncio
import sqlite3

from sqlalchemy.ext.asyncio import AsyncEngine

from app.chat import service
from app.chat.models import Message
from app.chat.resumes import ChatRow, HistoryReader, HistoryRequest
from app.common.actor import Actor
from app.common.enums import Role
from tests.unit.world import World

PHOTO = {
    "id": "f1",
    "name": "frame.jpg",
    "content_type": "image/jpeg",
    "size": 2048,
    "url": "/api/v1/uploads/f1",
    "is_image": True,
}


async def _conversation(world: World) -> tuple[str, Actor, Actor]:
    """A chat with every kind of message: public both ways (one with a photo), a whisper, a
    note, a system line."""
    await world.site()
    agent = await world.agent("Ann")
    visitor = await world.visitor()
    chat_id = await world.chat(status="active", agent_id=agent, visitor_id=visitor)
    lines = [
        ("public", "visitor", visitor, "Vera", None, "Does it fit?", []),
        ("public", "agent", agent, "Ann", "https://cdn.example/ann.png", "Let me see.", []),
        ("whisper", "agent", "sup", "Sam", None, "Offer the 2019 mount", []),
        ("public", "visitor", visitor, "Vera", None, "Here is my frame", [PHOTO]),
        ("note", "agent", agent, "Ann", None, "Customer since 2019", []),
        ("public", "system", None, None, None, "Ann joined the chat", []),
    ]
    async with world.uow() as uow:
        public = 0
        for seq, (kind, author_type, author_id, name, avatar, body, files) in enumerate(lines, 1):
            if kind == "public":
                public += 1
            uow.session.add(
                Message(
                    chat_id=chat_id,
                    seq=seq,
                    public_seq=public if kind == "public" else None,
                    kind=kind,
                    author_type=author_type,
                    author_id=author_id,
                    author_name=name,
                    author_avatar_url=avatar,
                    body=body,
                    client_msg_id=f"c{seq}" if author_type != "system" else None,
                    attachments=files,
                )
            )
    vera = Actor(side="visitor", id=visitor, site_id=world.site_id)
    ann = Actor(side="agent", id=agent, site_id=world.site_id, role=Role.AGENT)
    return chat_id, vera, ann


async def test_a_batch_of_resumes_reads_what_the_unit_of_work_reads(world: World) -> None:
    chat_id, vera, ann = await _conversation(world)
    engine = world.factory.kw["bind"]
    assert isinstance(engine, AsyncEngine)
    reader = HistoryReader(engine)
    cases = [
        (vera, 0, 500),
        (vera, 2, 500),
        (vera, 1, 2),
        (ann, 0, 500),
        (ann, 3, 2),
        (ann, 6, 500),
    ]
    batched = await asyncio.gather(
        *(
            reader.history(HistoryRequest(who.side, chat_id, after, limit))
            for who, after, limit in cases
        )
    )
    for (who, after, limit), (row, shown) in zip(cases, batched, strict=True):
        async with world.uow() as uow:
            chat, expected = await service.history(uow, who, chat_id, after, limit)
        assert shown == expected, (who.side, after, limit)
        assert row == ChatRow(chat.id, chat.site_id, chat.visitor_id, chat.agent_id, chat.status)

    # What each side is shown, spelled out: the visitor never sees the whisper or the note,
    # and counts their own seqs.
    visitor_view = batched[0][1]
    assert [(m["seq"], m["body"]) for m in visitor_view] == [
        (1, "Does it fit?"),
        (2, "Let me see."),
        (3, "Here is my frame"),
        (4, "Ann joined the chat"),
    ]
    assert visitor_view[2]["attachments"] == [PHOTO]
    assert [m["kind"] for m in batched[3][1]] == [
        "public", "public", "whisper", "public", "note", "public",
    ]  # fmt: skip
    assert batched[5][1] == []

    assert await reader.chat("no-such-chat") is None
    assert await reader.history(HistoryRequest("agent", "no-such-chat", 0, 500)) == (None, [])


async def test_a_failing_read_reaches_every_resume_of_the_batch_and_the_next_batch_works(
    world: World,
) -> None:
    # The socket's frame handler answers a sqlite3 error with "unavailable" (app/web/sockets.py).
    chat_id, vera, _ann = await _conversation(world)
    engine = world.factory.kw["bind"]
    assert isinstance(engine, AsyncEngine)
    reader = HistoryReader(engine)
    async with engine.begin() as conn:
        await conn.exec_driver_sql("ALTER TABLE messages RENAME TO messages_away")
    request = HistoryRequest(vera.side, chat_id, 0, 500)
    failed = await asyncio.gather(
        reader.history(request), reader.history(request), return_exceptions=True
    )
    assert all(isinstance(f, sqlite3.OperationalError) for f in failed), failed
    async with engine.begin() as conn:
        await conn.exec_driver_sql("ALTER TABLE messages_away RENAME TO messages")
    _row, shown = await reader.history(request)
    assert len(shown) == 4
