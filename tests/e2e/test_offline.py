"""Office hours and offline messages against a real server and a real SMTP server (aiosmtpd).

The server's office-hours clock starts at 2026-03-29 15:30 UTC (PARLEY_OFFICE_HOURS_CLOCK): the
Sunday Copenhagen moves to summer time, 17:30 there. A zone handled as a fixed UTC+1 would read
16:30 and get both sites below the wrong way round.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ALICE, DEMO_SITE_KEY, running_server
from tests.e2e.mail_support import SmtpServer, mail_env, parts
from tests.e2e.routing_support import Shop
from tests.e2e.test_mail import ADMIN, call, say, site_id_of
from tests.support import Client, Server, agent, msg_id, topic_fence, visitor

CLOCK = "2026-03-29T15:30:00+00:00"
ZONE = "Europe/Copenhagen"
# The demo shop: 09:00-17:00 on Sundays, so closed at 17:30 CEST (open at 16:30, UTC+1).
DAYTIME = {"timezone": ZONE, "weekly": {"sun": [["09:00", "17:00"]]}}
# The second shop: a split Sunday, open again 17:00-18:00 (closed at 16:30).
EVENING = {"timezone": ZONE, "weekly": {"sun": [["09:00", "12:00"], ["17:00", "18:00"]]}}
SHOP_MAIL = "orders@nordlys.example"
BOSS_MAIL = "boss@nordlys.example"


@pytest.fixture
def server(tmp_path: Path, smtp: SmtpServer) -> Iterator[Server]:
    env = mail_env(smtp.url, PARLEY_OFFICE_HOURS_CLOCK=CLOCK)
    with running_server(tmp_path, **env) as srv:
        yield srv


async def admin_token(server: Server) -> str:
    return await asyncio.to_thread(server.login, *ADMIN)


async def patch_site(server: Server, token: str, **body: Any) -> dict[str, Any]:
    site_id = await site_id_of(server, token)
    r = await call(server, "PATCH", f"/sites/{site_id}", token, json=body)
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


async def start(v: Client, text: str, name: str = "Maja", email: str = "maja@example.com") -> str:
    ref = msg_id()
    await v.send(
        {
            "type": "chat.start",
            "pre_chat": {"name": name, "email": email},
            "message": text,
            "client_msg_id": ref,
        }
    )
    chat_id: str = (await v.expect("chat.started"))["chat_id"]
    await v.expect("message.ack", client_msg_id=ref)
    return chat_id


def texts(messages: list[Any]) -> tuple[str, str]:
    """All the text parts and all the HTML parts of some mails, each joined."""
    split = [parts(m) for m in messages]
    return "\n".join(t for t, _ in split), "\n".join(h for _, h in split)


async def test_outside_hours_offline_inside_hours_routed_holiday_closed(
    server: Server, smtp: SmtpServer
) -> None:
    token = await admin_token(server)
    settings = await patch_site(
        server, token, office_hours=DAYTIME, notify_emails=[SHOP_MAIL, BOSS_MAIL]
    )
    assert settings["office_hours"]["weekly"]["sun"] == [["09:00", "17:00"]]
    assert settings["notify_emails"] == [SHOP_MAIL, BOSS_MAIL]
    alice, _ = await agent(server, *ALICE)  # online: only the hours make the shop unavailable
    shop = await Shop.create(server, "Evening shop")
    await shop.api("PATCH", f"/sites/{shop.site_id}", json={"office_hours": EVENING})
    await shop.add_agent("Eve")
    eve = await shop.connect_agent("Eve")

    maja, session = await visitor(server, DEMO_SITE_KEY)
    assert session["config"]["available"] is False
    assert session["config"]["agents_online"] is True
    evil = "<script>alert(1)</script> Does the <b>Trail 29</b> frame fit me?"
    waiting_offline = maja.after_now("chat.offline")
    chat_id = await start(maja, evil, name="Maja <i>Berg</i>", email="maja@example.com")
    assert (await waiting_offline(10))["chat_id"] == chat_id
    assert maja.all("chat.started", chat_id=chat_id)[0]["status"] == "offline"
    await say(maja, chat_id, "I am 1.82 m tall & ride to work.")

    # Each notify address gets the visitor's name, e-mail and both messages, escaped.
    for address in (SHOP_MAIL, BOSS_MAIL):
        mails = await smtp.inbox.wait_for(address, timeout=10)
        for _ in range(20):  # a second mail when the messages fell in two digests
            text, html = texts(smtp.inbox.to(address))
            if "1.82 m" in text:
                break
            await asyncio.sleep(0.5)
        text, html = texts(smtp.inbox.to(address))
        assert "Maja <i>Berg</i>" in text
        assert "maja@example.com" in text
        assert evil in text
        assert "I am 1.82 m tall & ride to work." in text
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "Maja &lt;i&gt;Berg&lt;/i&gt;" in html
        assert "1.82 m tall &amp; ride" in html
        assert "Offline message" in mails[0]["Subject"]

    # Agents find it: status offline, never routed to Alice.
    listed = await call(server, "GET", "/chats?status=offline", token)
    assert [c["id"] for c in listed.json()["items"]] == [chat_id]
    await topic_fence(
        alice, {"type": "presence.set", "status": "online"}, "presence.update", [alice]
    )
    assert not alice.all("chat.assigned")
    assert not alice.all("chat.offered")

    # The evening shop is open at 17:30 CEST: the normal path.
    ola, session = await visitor(server, shop.site_key)
    assert session["config"]["available"] is True
    routed = await start(ola, "Is the shop open?", name="Ola", email="ola@example.com")
    await ola.expect("chat.assigned", chat_id=routed)
    await eve.expect("chat.assigned", chat_id=routed)
    await ola.fence()
    assert not ola.all("chat.offline")
    r = await shop.api("GET", "/chats?status=offline")
    assert r.json()["items"] == []

    # A holiday is closed all day, whatever the weekly hours say.
    holiday = {**EVENING, "holidays": ["2026-03-29"]}
    r = await shop.api("PATCH", f"/sites/{shop.site_id}", json={"office_hours": holiday})
    assert r.json()["office_hours"]["holidays"] == ["2026-03-29"]
    kim, session = await visitor(server, shop.site_key)
    assert session["config"]["available"] is False
    closed_chat = await start(kim, "Anyone there?", name="Kim", email="kim@example.com")
    await kim.expect("chat.offline", chat_id=closed_chat)
    r = await shop.api("GET", "/chats?status=offline")
    assert [c["id"] for c in r.json()["items"]] == [closed_chat]
    # The demo shop's offline chats are not the evening shop's.
    listed = await call(server, "GET", "/chats?status=offline", token)
    assert [c["id"] for c in listed.json()["items"]] == [chat_id]

    # No office hours and nobody online is unavailable too, once offline messages go somewhere.
    r = await shop.api(
        "PATCH",
        f"/sites/{shop.site_id}",
        json={"office_hours": None, "notify_emails": ["desk@evening.example"]},
    )
    assert r.status_code == 200, r.text
    assert (await asyncio.to_thread(server.widget_session, shop.site_key))["config"][
        "available"
    ] is True
    await eve.answer({"type": "presence.set", "status": "away"}, "presence.update")
    session = await asyncio.to_thread(server.widget_session, shop.site_key)
    assert session["config"]["available"] is False


async def test_agent_answer_is_mailed_to_the_visitor_never_a_whisper_or_note(
    server: Server, smtp: SmtpServer
) -> None:
    token = await admin_token(server)
    await patch_site(server, token, office_hours=DAYTIME, notify_emails=[SHOP_MAIL])
    alice, _ = await agent(server, *ALICE)
    maja, session = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start(maja, "Can I return a used helmet?")
    await maja.expect("chat.offline", chat_id=chat_id)

    await say(alice, chat_id, "WHISPER: check the policy", kind="whisper")
    await say(alice, chat_id, "NOTE: customer since 2019", kind="note")
    await say(alice, chat_id, "Yes — within 30 days, <unused> & boxed.")
    first = await smtp.inbox.wait_for("maja@example.com", timeout=10)
    await say(alice, chat_id, "Second answer: free pick-up.")
    mails = await smtp.inbox.wait_for("maja@example.com", count=2, timeout=10)
    text, html = texts(mails)
    assert "Yes — within 30 days, <unused> & boxed." in parts(first[0])[0]
    assert "within 30 days, &lt;unused&gt; &amp; boxed." in html
    assert "Second answer: free pick-up." in text
    assert "WHISPER" not in text + html
    assert "NOTE" not in text + html
    assert "Can I return a used helmet?" not in text  # the visitor's own words stay home
    assert all(m["To"] == "maja@example.com" for m in mails)

    # Back on the site: the widget shows the offline chat with the answer, no whisper.
    await maja.close()
    again, session = await visitor(server, DEMO_SITE_KEY, session["visitor_token"])
    assert session["config"]["active_chat"]["id"] == chat_id
    assert session["config"]["active_chat"]["status"] == "offline"
    assert again.all("hello")[0]["active_chat"] == {"id": chat_id, "status": "offline"}
    await again.send({"type": "resume", "chat_id": chat_id, "after_seq": 0})
    done = await again.expect("resume.done", chat_id=chat_id)
    bodies = [f["message"]["body"] for f in again.all("message.new", chat_id=chat_id)]
    assert bodies == [
        "Can I return a used helmet?",
        "Yes — within 30 days, <unused> & boxed.",
        "Second answer: free pick-up.",
    ]
    assert done["status"] == "offline"


async def test_faq_suggestions_over_the_socket_only_shared_faq_of_the_site(
    server: Server,
) -> None:
    token = await admin_token(server)
    replies = [
        ("delivery", "Delivery times", "Bikes are delivered within 3 to 5 working days.", True),
        ("returns", "Returns", "Return a bike within 30 days for a full refund.", True),
        ("warranty", "Warranty", "5 years on every frame; delivery damage is covered.", True),
        ("courier", "Courier delays", "Delivery delayed? Blame the courier.", False),
    ]
    for shortcut, title, body, is_faq in replies:
        reply = {"shortcut": shortcut, "title": title, "body": body, "shared": True, "faq": is_faq}
        r = await call(server, "POST", "/saved-replies", token, json=reply)
        assert r.status_code == 201, r.text
        assert r.json()["faq"] is is_faq
    mine = {"shortcut": "mine", "title": "Delivery", "body": "Delivery delivery", "faq": True}
    r = await call(server, "POST", "/saved-replies", token, json=mine)
    assert r.status_code == 400  # only shared replies are shown to visitors
    shop = await Shop.create(server, "Other shop")
    other = {"shortcut": "d", "title": "Delivery", "body": "Delivery delivered.", "shared": True}
    r = await shop.api("POST", "/saved-replies", json={**other, "faq": True})
    assert r.status_code == 201, r.text

    maja, _ = await visitor(server, DEMO_SITE_KEY)
    answer = await maja.answer(
        {"type": "faq.search", "q": "When is my bike delivered?"}, "faq.suggestions"
    )
    titles = [i["title"] for i in answer["items"]]
    assert titles[0] == "Delivery times"
    assert "Courier delays" not in titles
    assert "Delivery" not in titles
    assert answer["q"] == "When is my bike delivered?"
    answer = await maja.answer({"type": "faq.search", "q": "warranty"}, "faq.suggestions")
    assert [i["title"] for i in answer["items"]] == ["Warranty"]
    assert answer["items"][0]["body"] == "5 years on every frame; delivery damage is covered."
    answer = await maja.answer({"type": "faq.search", "q": "xylophone"}, "faq.suggestions")
    assert answer["items"] == []

    ola, _ = await visitor(server, shop.site_key)
    answer = await ola.answer({"type": "faq.search", "q": "delivery refund"}, "faq.suggestions")
    assert [i["title"] for i in answer["items"]] == ["Delivery"]
    # Agents have no use for it: the frame is the visitor's.
    alice, _ = await agent(server, *ALICE)
    error = await alice.answer({"type": "faq.search", "q": "delivery"}, "error")
    assert error["code"] in ("bad_request", "forbidden")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"office_hours": {"timezone": "Mars/Olympus"}}, "office_hours.timezone"),
        (
            {"office_hours": {"timezone": ZONE, "weekly": {"mon": [["17:00", "09:00"]]}}},
            "office_hours.weekly.mon",
        ),
        ({"office_hours": {"timezone": ZONE, "holidays": ["christmas"]}}, "office_hours.holidays"),
        ({"notify_emails": ["not-an-address"]}, "notify_emails.0"),
    ],
)
async def test_bad_settings_are_refused_naming_the_field(
    server: Server, body: dict[str, Any], where: str
) -> None:
    token = await admin_token(server)
    site_id = await site_id_of(server, token)
    r = await call(server, "PATCH", f"/sites/{site_id}", token, json=body)
    assert r.status_code == 422, r.text
    assert where in r.text
    agent_token = await asyncio.to_thread(server.login, *ALICE)
    r = await call(server, "PATCH", f"/sites/{site_id}", agent_token, json=body)
    assert r.status_code in (403, 422)
