"""Transcripts in the site's language: a Dutch site's visitor gets a Dutch mail with Dutch
dates, an English site's visitor the English one (a real SMTP server, aiosmtpd)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.e2e.mail_support import SmtpServer, parts
from tests.e2e.routing_support import Shop
from tests.e2e.test_mail import request, start_chat
from tests.support import Client, Server

ZONE = "Europe/Amsterdam"
# Written out here, not asked of Babel: the test says what a Dutch reader expects.
DUTCH_MONTHS = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def dutch(when: datetime) -> tuple[str, str]:
    """The day and the day-and-time as the Dutch transcript writes them (``27 nov 2026``)."""
    local = when.astimezone(ZoneInfo(ZONE))
    day = f"{local.day} {DUTCH_MONTHS[local.month - 1]} {local.year}"
    return day, f"{day}, {local:%H:%M}"


async def chat_of(shop: Shop, name: str, text: str) -> tuple[Client, str, datetime]:
    v = await shop.visitor()
    chat_id = await start_chat(v, text, name=name, email=f"{name.lower()}@example.com")
    r = await shop.api("GET", f"/chats/{chat_id}/messages")
    assert r.status_code == 200, r.text
    [first] = r.json()["items"]
    return v, chat_id, datetime.fromisoformat(first["created_at"].replace("Z", "+00:00"))


async def test_a_dutch_sites_transcript_arrives_in_dutch_with_dutch_dates(
    mail_server: Server, smtp: SmtpServer
) -> None:
    dutch_shop = await Shop.create(mail_server, "Fietsenwinkel")
    r = await dutch_shop.api(
        "PATCH", f"/sites/{dutch_shop.site_id}", json={"language": "nl", "timezone": ZONE}
    )
    assert r.status_code == 200, r.text
    english_shop = await Shop.create(mail_server, "Bike shop")
    r = await english_shop.api("PATCH", f"/sites/{english_shop.site_id}", json={"timezone": ZONE})
    assert r.status_code == 200, r.text

    v, chat_id, sent_at = await chat_of(dutch_shop, "Sanne", "Hebben jullie 28 inch banden?")
    w, other_id, _ = await chat_of(english_shop, "Sam", "Do you have 28 inch tyres?")
    assert (await request(v, chat_id, "sanne@example.com"))["type"] == "transcript.queued"
    assert (await request(w, other_id, "sam@example.com"))["type"] == "transcript.queued"
    [mail] = await smtp.inbox.wait_for("sanne@example.com")
    [english] = await smtp.inbox.wait_for("sam@example.com")

    day, stamp = dutch(sent_at)
    assert mail["Subject"] == f"Je chat met Fietsenwinkel op {day}"
    text, html = parts(mail)
    assert f"Fietsenwinkel — je chat van {stamp}" in text
    assert f"[{stamp}] Sanne:" in text
    assert "Tijden zijn in Europe/Amsterdam." in text
    assert "Dit is een kopie van je chat met Fietsenwinkel, op verzoek verstuurd." in text
    assert '<html lang="nl">' in html
    assert f"Je chat van {stamp}" in html
    assert "Your chat" not in text + html

    assert english["Subject"].startswith("Your chat with Bike shop on ")
    text, html = parts(english)
    assert "Times are in Europe/Amsterdam." in text
    assert '<html lang="en">' in html
    assert "Je chat" not in text + html
    for client in (v, w):
        await client.close()
