"""Offline messages in the site's language: the mail to a Dutch shop is Dutch, with Dutch
dates (the office-hours clock of tests/e2e/test_offline.py: both shops closed then)."""

from __future__ import annotations

from datetime import datetime

from tests.e2e.mail_support import SmtpServer
from tests.e2e.routing_support import Shop
from tests.e2e.test_mail_i18n import ZONE, dutch
from tests.e2e.test_offline import DAYTIME, server, start, texts
from tests.support import Server

__all__ = ["server"]  # the fixture, shared with test_offline.py


async def test_a_dutch_shop_gets_its_offline_messages_in_dutch(
    server: Server, smtp: SmtpServer
) -> None:
    winkel = await Shop.create(server, "Fietsenwinkel")
    english = await Shop.create(server, "Bike shop")
    for shop, language, address in (
        (winkel, "nl", "winkel@fiets.example"),
        (english, "en", "shop@bike.example"),
    ):
        r = await shop.api(
            "PATCH",
            f"/sites/{shop.site_id}",
            json={
                "language": language,
                "timezone": ZONE,
                "office_hours": DAYTIME,
                "notify_emails": [address],
            },
        )
        assert r.status_code == 200, r.text
    sanne = await winkel.visitor()
    chat_id = await start(sanne, "Is het frame maat 56 nog leverbaar?", "Sanne", "s@example.com")
    [first] = (await winkel.api("GET", f"/chats/{chat_id}/messages")).json()["items"]
    _, stamp = dutch(datetime.fromisoformat(first["created_at"].replace("Z", "+00:00")))
    sam = await english.visitor()
    await start(sam, "Is the 56 frame in stock?", name="Sam", email="sam@example.com")

    [mail] = await smtp.inbox.wait_for("winkel@fiets.example", timeout=10)
    assert mail["Subject"] == "Offlinebericht van Sanne"
    text, html = texts([mail])
    assert text.startswith("Fietsenwinkel — offlinebericht")
    assert "Van: Sanne" in text
    assert f"[{stamp}] Sanne:" in text
    assert f"Tijden zijn in {ZONE}." in text
    assert '<html lang="nl">' in html
    [other] = await smtp.inbox.wait_for("shop@bike.example", timeout=10)
    assert other["Subject"] == "Offline message from Sam"
    assert "From: Sam" in texts([other])[0]
    for client in (sanne, sam):
        await client.close()
