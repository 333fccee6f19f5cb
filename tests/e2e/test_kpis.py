"""GET /kpis on a real server: a chat answered through the sockets shows in the figures of its
site only, supervisors and admins may read them, agents may not, and CSV exports the same."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest

from tests.e2e.routing_support import Shop, start
from tests.support import Server, msg_id


@pytest.mark.parametrize(("role", "status"), [("agent", 403), ("supervisor", 200), ("admin", 200)])
async def test_kpis_are_for_supervisors_and_admins(server: Server, role: str, status: int) -> None:
    shop = await Shop.create(server)
    email = f"{role}-kpi@shop.example"
    r = await shop.api(
        "POST",
        "/agents",
        json={"email": email, "name": role, "password": "password-1", "role": role},
    )
    assert r.status_code == 201, r.text
    token = await asyncio.to_thread(server.login, email, "password-1")
    for path in ("/kpis", "/kpis/top-questions"):
        r = await shop.api("GET", path, token=token)
        assert r.status_code == status, r.text


async def test_an_answered_chat_counts_on_its_own_site_only(server: Server) -> None:
    shop, other = await Shop.create(server, "Kpi shop"), await Shop.create(server, "Other shop")
    await shop.add_agent("Ann")
    ann = await shop.connect_agent("Ann")
    visitor = await shop.visitor()
    chat_id = await start(visitor, text="Where is my parcel?")
    await ann.expect("chat.assigned", chat_id=chat_id)
    await ann.send(
        {"type": "message.send", "chat_id": chat_id, "client_msg_id": msg_id(), "body": "Here!"}
    )
    await ann.expect("message.ack")
    await ann.send({"type": "chat.close", "chat_id": chat_id})
    await visitor.expect("chat.closed", chat_id=chat_id)

    r = await shop.api("GET", "/kpis", params={"group_by": "agent", "tz": "Europe/Stockholm"})
    assert r.status_code == 200, r.text
    body = r.json()
    totals = body["totals"]
    assert (totals["chats"], totals["missed"]) == (1, 0)
    assert totals["first_response_s"]["avg"] >= 0
    assert totals["answered_within_60s_pct"] == 100.0
    assert totals["csat"] == {"avg": None, "count": 0, "distribution": dict.fromkeys("12345", 0)}
    assert [(g["label"], g["chats"]) for g in body["groups"]] == [("Ann", 1)]
    assert set(body) >= {"from", "to", "totals", "groups"}

    theirs = (await other.api("GET", "/kpis")).json()["totals"]
    assert theirs["chats"] == 0
    assert theirs["first_response_s"]["avg"] is None

    # Ann's socket opened a status period: online time is recorded for her site only.
    assert totals["utilisation"]["online_s"] > 0
    assert totals["utilisation"]["chat_s"] > 0
    assert totals["concurrent"]["peak"] == 1
    assert len(body["staffing"]) == 168
    assert body["conversion"]["seen"] == 0
    assert theirs["utilisation"]["online_s"] is None

    exported = await shop.api("GET", "/kpis", params={"format": "csv", "group_by": "agent"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(row["label"], row["chats"]) for row in rows] == [("Total", "1"), ("Ann", "1")]
    assert rows[0]["first_response_s.avg"] == str(totals["first_response_s"]["avg"])
    await ann.close()
    await visitor.close()


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"tz": "Mars/Olympus"}, "time zone"),
        ({"from": "yesterday"}, "ISO 8601"),
        ({"from": "2026-11-20", "to": "2026-11-19"}, "before"),
        ({"group_by": "planet"}, "group_by"),
    ],
)
async def test_bad_parameters_are_explained(
    server: Server, params: dict[str, str], says: str
) -> None:
    shop = await Shop.create(server)
    r = await shop.api("GET", "/kpis", params=params)
    assert r.status_code in (400, 422), r.text
    assert says in r.text


async def test_top_questions_group_what_visitors_asked_first(server: Server) -> None:
    shop, other = await Shop.create(server, "Question shop"), await Shop.create(server, "Other")
    asked = ["Where is my parcel?", "where is my parcel??", "Do you sell gift cards?"]
    chats = []
    for text in asked:
        visitor = await shop.visitor()
        chats.append(await start(visitor, text=text))
        await visitor.fence()  # the first message is stored before the next chat starts
        await visitor.close()
    theirs = await other.visitor()
    await start(theirs, text="Where is my parcel?")
    await theirs.fence()
    await theirs.close()

    r = await shop.api("GET", "/kpis/top-questions")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["sampled"] == 3
    top = body["questions"][0]
    assert top["count"] == 2
    assert {e["chat_id"] for e in top["examples"]} == set(chats[:2])
    assert top["label"] in asked[:2]
    assert [q["label"] for q in body["questions"][1:]] == ["Do you sell gift cards?"]


async def test_the_site_zone_and_alert_threshold_are_site_settings(server: Server) -> None:
    shop, other = await Shop.create(server, "Zone shop"), await Shop.create(server, "UTC shop")
    r = await shop.api(
        "PATCH", f"/sites/{shop.site_id}", json={"timezone": "Asia/Tokyo", "alert_after_s": 90}
    )
    assert r.status_code == 200, r.text
    assert r.json()["alert_after_s"] == 90
    body = (
        await shop.api("GET", "/kpis", params={"from": "2026-11-20", "to": "2026-11-21"})
    ).json()
    assert (body["timezone"], body["from"]) == ("Asia/Tokyo", "2026-11-20T00:00:00+09:00")
    assert (await shop.api("GET", "/kpis", params={"tz": "UTC"})).json()["timezone"] == "UTC"
    assert (await other.api("GET", "/kpis")).json()["timezone"] == "UTC"
    site = (await other.api("GET", f"/sites/{other.site_id}")).json()
    assert site["alert_after_s"] == 60
    r = await shop.api("PATCH", f"/sites/{shop.site_id}", json={"alert_after_s": 0})
    assert r.status_code == 422, r.text
