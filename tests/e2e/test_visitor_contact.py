"""visitor.contact: name and e-mail given in the chat (a site that asks them ``after`` the first
message), validated like the pre-chat form's, stored on the visitor and shown live to the staff
of the visitor's open chat, and to nobody else."""

from __future__ import annotations

import asyncio

from tests.conftest import ALICE, BEN, DEMO_SITE_KEY, SAM
from tests.e2e.routing_support import start
from tests.e2e.test_visitor_events import _visitor_view
from tests.support import Server, agent, presence_fence, typing_fence, visitor


async def test_contact_given_in_the_chat_reaches_its_agent_and_nobody_else(
    server: Server,
) -> None:
    """Maja chats with Alice and then says who she is: Alice's console relabels the chat. A bad
    e-mail is refused with a clear error and changes nothing. Ola (another visitor, in no chat)
    and Ben (an agent not in Maja's chat) hear nothing of it."""
    alice, _ = await agent(server, *ALICE)
    maja, maja_session = await visitor(server, DEMO_SITE_KEY)
    maja_id = maja_session["visitor"]["id"]
    chat_id = await start(maja)
    await alice.expect("chat.assigned", chat_id=chat_id)
    ben, _ = await agent(server, *BEN)
    sam, _ = await agent(server, *SAM)  # a supervisor: the grid names every open chat's visitor
    ola, _ = await visitor(server, DEMO_SITE_KEY)

    bad = {"type": "visitor.contact", "name": "Maja", "email": "maja@example"}
    error = await maja.answer(bad, "error")
    assert error["code"] == "bad_request"
    assert "email" in error["message"]
    assert "valid email address" in error["message"]
    for empty in ({"type": "visitor.contact"}, {"type": "visitor.contact", "name": "  "}):
        refused = await maja.answer(empty, "error")
        assert refused["code"] == "bad_request"
        assert "give a name, an e-mail address or both" in refused["message"]
    no_address = {"type": "visitor.contact", "name": "Maja", "transcript": True}
    assert (await maja.answer(no_address, "error"))["message"].startswith("frame: transcript:")
    long = {"type": "visitor.contact", "name": "M" * 101}
    assert (await maja.answer(long, "error"))["message"].startswith("name:")
    await typing_fence(maja, chat_id, [alice])
    assert alice.all("visitor.updated") == []
    token = await asyncio.to_thread(server.login, *ALICE)
    before = await asyncio.to_thread(_visitor_view, server, token, maja_id)
    assert (before["name"], before["email"]) == ("Visitor", None)  # as the chat started

    good = {"type": "visitor.contact", "name": " Maja ", "email": "maja@example.com"}
    saved = await maja.answer(good, "visitor.contact.saved")
    assert (saved["name"], saved["email"]) == ("Maja", "maja@example.com")
    updated = await alice.expect("visitor.updated", visitor_id=maja_id)
    assert updated == {
        "type": "visitor.updated",
        "visitor_id": maja_id,
        "chat_id": chat_id,
        "name": "Maja",
        "email": "maja@example.com",
    }
    assert await sam.expect("visitor.updated", visitor_id=maja_id) == updated
    after = await asyncio.to_thread(_visitor_view, server, token, maja_id)
    assert (after["name"], after["email"]) == ("Maja", "maja@example.com")

    # Only the e-mail again: the name stays.
    again = {"type": "visitor.contact", "email": "maja@work.example"}
    saved = await maja.answer(again, "visitor.contact.saved")
    assert (saved["name"], saved["email"]) == ("Maja", "maja@work.example")
    await alice.expect("visitor.updated", visitor_id=maja_id, email="maja@work.example")

    # Fences on the chat's topic (Alice) and the site's staff topic (Ben); Ola's own socket.
    await typing_fence(maja, chat_id, [alice])
    await presence_fence(alice, "online", [ben])
    await ola.fence()
    assert len(alice.all("visitor.updated")) == 2
    assert ben.all("visitor.updated") == []
    assert ola.all("visitor.updated") == []
    assert ola.all("visitor.contact.saved") == []
    assert maja.all("visitor.updated") == []
    for c in (alice, ben, sam, maja, ola):
        await c.close()
