"""Messages sent at the same moment share a transaction; each is still numbered, stored once
and acknowledged only when committed."""

from __future__ import annotations

import asyncio

from tests.e2e.routing_support import Shop
from tests.support import Client, Server, msg_id


async def test_a_burst_over_many_chats_is_numbered_without_gaps_and_stored_once(
    unlimited_server: Server,  # a burst far above the per-visitor message limit, on purpose
) -> None:
    server = unlimited_server
    shop = await Shop.create(server)
    await shop.add_agent("Burst", max_chats=10)
    a = await shop.connect_agent("Burst")
    chats: list[tuple[Client, str]] = []
    for i in range(8):
        v = await shop.visitor()
        await v.send({"type": "chat.start", "pre_chat": {"name": f"V{i}"}})
        chat_id = (await v.expect("chat.started"))["chat_id"]
        await a.expect("chat.assigned", chat_id=chat_id)
        chats.append((v, chat_id))

    per_side = 15
    sent: dict[str, list[str]] = {}
    repeated = msg_id()

    async def burst(client: Client, chat_id: str, who: str) -> None:
        for n in range(per_side):
            body = f"{who} {n}"
            sent.setdefault(chat_id, []).append(body)
            await client.send(
                {
                    "type": "message.send",
                    "chat_id": chat_id,
                    "client_msg_id": f"{who}-{n}",
                    "body": body,
                    "kind": "public",
                }
            )

    # Every visitor and the agent send at once, without waiting for acks; the first chat's
    # visitor also sends one message twice in the same burst.
    first_visitor, first_chat = chats[0]
    resend = {
        "type": "message.send",
        "chat_id": first_chat,
        "client_msg_id": repeated,
        "body": "sent twice",
        "kind": "public",
    }
    await asyncio.gather(
        *(burst(v, chat_id, f"visitor{i}") for i, (v, chat_id) in enumerate(chats)),
        *(burst(a, chat_id, f"agent{i}") for i, (_, chat_id) in enumerate(chats)),
        first_visitor.send(resend),
        first_visitor.send(resend),
    )
    for i, (v, chat_id) in enumerate(chats):
        extra = 1 if i == 0 else 0
        total = 2 * per_side + extra
        for _ in range(per_side + 2 * extra):
            await v.expect("message.ack", chat_id=chat_id)
        seen = [await v.expect_message(chat_id, seq=seq, timeout=20) for seq in range(1, total + 1)]
        bodies = [f["message"]["body"] for f in seen]
        assert sorted(bodies) == sorted(sent[chat_id] + (["sent twice"] if extra else []))
        # Each side's messages keep the order they were sent in.
        for who in (f"visitor{i}", f"agent{i}"):
            mine = [b for b in bodies if b.startswith(who + " ")]
            assert mine == [f"{who} {n}" for n in range(per_side)]
        assert not v.all("error")
    twice = first_visitor.all("message.ack", client_msg_id=repeated)
    assert len(twice) == 2
    assert twice[0]["message_id"] == twice[1]["message_id"]
    assert twice[0]["seq"] == twice[1]["seq"]
    assert len(first_visitor.all("message.new", chat_id=first_chat)) == 2 * per_side + 1
    assert not a.all("error")
