"""Proactive invitations over the public contract: triggers made over REST, a visitor's page
views judged on the server's clock, the `invitation` frame, dismissals and acceptance."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import running_server
from tests.e2e.routing_support import Shop, start
from tests.e2e.trigger_support import LATE_S, add_trigger, pricing_trigger, view
from tests.support import Client, Server

RESTART_DUE_S = 8


async def visitor_with_token(shop: Shop, token: str | None = None) -> tuple[Client, str]:
    session = await asyncio.to_thread(shop.server.widget_session, shop.site_key, token)
    client = await Client.connect(f"{shop.server.ws_base}/ws/visitor", session["visitor_token"])
    await client.expect("hello")
    return client, session["visitor_token"]


async def test_triggers_are_managed_by_admins_of_their_own_site(server: Server) -> None:
    shop, other = await Shop.create(server), await Shop.create(server, "Other shop")
    created = await add_trigger(shop, pricing_trigger(20, open_panel=True))
    assert created["conditions"]["rules"][1] == {
        "field": "time_on_page_s",
        "op": "gte",
        "value": 20,
    }
    assert created["enabled"] is True
    assert created["open_panel"] is True
    assert created["invitations"] == {"fired": 0, "shown": 0, "accepted": 0, "dismissed": 0}
    tid = created["id"]

    r = await shop.api("PATCH", f"/triggers/{tid}", json={"enabled": False, "skill": "sales"})
    assert r.status_code == 200, r.text
    assert (r.json()["enabled"], r.json()["skill"], r.json()["name"]) == (
        False,
        "sales",
        "Pricing after 20 s",
    )
    listed = (await shop.api("GET", "/triggers")).json()
    assert [t["id"] for t in listed["items"]] == [tid]
    assert listed["next_cursor"] is None

    bad = pricing_trigger(20)
    bad["conditions"]["rules"][0] = {"field": "url", "op": "gte", "value": 3}
    r = await shop.api("POST", "/triggers", json=bad)
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith("conditions.rules.0: ")
    assert "op 'gte' is not valid for field 'url'" in r.json()["error"]["message"]
    bad["conditions"]["rules"][0] = {"field": "url", "op": "regex", "value": "(["}
    r = await shop.api("POST", "/triggers", json=bad)
    assert r.status_code == 422
    assert "regular expression" in r.json()["error"]["message"]

    # Another site's admin neither sees nor changes it; an agent may not manage triggers.
    assert (await other.api("GET", f"/triggers/{tid}")).status_code == 404
    assert (await other.api("PATCH", f"/triggers/{tid}", json={"name": "x"})).status_code == 404
    assert (await other.api("DELETE", f"/triggers/{tid}")).status_code == 404
    assert (await other.api("GET", "/triggers")).json()["items"] == []
    await shop.add_agent("Alice")
    token = await asyncio.to_thread(server.login, shop.passwords["Alice"], "password-1")
    assert (await shop.api("GET", "/triggers", token=token)).status_code == 403
    assert (await shop.api("POST", "/triggers", token=token, json=bad)).status_code == 403

    assert (await shop.api("DELETE", f"/triggers/{tid}")).status_code == 204
    assert (await shop.api("GET", f"/triggers/{tid}")).status_code == 404


async def test_a_time_rule_fires_on_time_as_the_agent_and_the_chat_records_it(
    server: Server,
) -> None:
    shop = await Shop.create(server)
    await shop.add_agent("Alice")
    alice = await shop.connect_agent("Alice")
    trigger = await add_trigger(shop, pricing_trigger(1))
    v, _ = await visitor_with_token(shop)
    await view(v, "https://shop.example/")
    sent = await view(v)
    invitation = await v.expect("invitation", timeout=10)
    late = time.monotonic() - sent
    assert 1.0 - 0.1 <= late <= 1.0 + LATE_S, late
    assert invitation["trigger_id"] == trigger["id"]
    assert invitation["message"] == "Questions about our prices?"
    assert invitation["open_panel"] is False
    assert invitation["agent"]["name"] == "Alice"

    await v.send(
        {
            "type": "chat.start",
            "pre_chat": {"name": "Vera"},
            "invitation_id": invitation["invitation_id"],
        }
    )
    chat_id = (await v.expect("chat.started"))["chat_id"]
    await alice.expect("chat.assigned", chat_id=chat_id)
    stored = (await shop.api("GET", f"/triggers/{trigger['id']}")).json()
    assert stored["invitations"] == {"fired": 1, "shown": 0, "accepted": 1, "dismissed": 0}


async def test_no_invitation_while_no_agent_could_answer(server: Server) -> None:
    shop = await Shop.create(server)
    await shop.add_agent("Alice", skills=["sales"])
    alice = await shop.connect_agent("Alice")
    await alice.send({"type": "presence.set", "status": "away"})
    await alice.expect("presence.update", status="away")
    needs_agent = await add_trigger(shop, pricing_trigger(1))
    await add_trigger(shop, pricing_trigger(0.5, skill="billing"))
    # The shop's own invitation comes later; had the first one fired, it would have been the
    # visit's only one.
    anyway = await add_trigger(shop, pricing_trigger(2, when_unavailable=True))
    v, _ = await visitor_with_token(shop)
    await view(v)
    invitation = await v.expect("invitation", timeout=10)
    assert invitation["trigger_id"] == anyway["id"]
    assert "agent" not in invitation
    await v.fence()
    assert len(v.all("invitation")) == 1
    stored = (await shop.api("GET", f"/triggers/{needs_agent['id']}")).json()
    assert stored["invitations"]["fired"] == 0


async def test_none_to_a_visitor_already_chatting(server: Server) -> None:
    shop = await Shop.create(server)
    await shop.add_agent("Alice")
    alice = await shop.connect_agent("Alice")
    await add_trigger(shop, pricing_trigger(1))
    chatting, _ = await visitor_with_token(shop)
    chat_id = await start(chatting)
    await alice.expect("chat.assigned", chat_id=chat_id)
    browsing, _ = await visitor_with_token(shop)
    # Both on the pricing page, the chatting one first: timers run in due order, so by the time
    # the other one is invited, the chatting one's would have been sent.
    await view(chatting)
    await view(browsing)
    await browsing.expect("invitation", timeout=10)
    await chatting.fence()
    assert chatting.all("invitation") == []


async def test_none_on_an_excluded_url(server: Server) -> None:
    shop = await Shop.create(server)
    await shop.add_agent("Alice")
    await shop.connect_agent("Alice")
    anywhere = {"match": "all", "rules": [{"field": "url", "op": "glob", "value": "*"}]}
    await add_trigger(shop, pricing_trigger(0, conditions=anywhere))
    paying, _ = await visitor_with_token(shop)
    await view(paying, "https://shop.example/checkout/pay")
    browsing, _ = await visitor_with_token(shop)
    await view(browsing, "https://shop.example/shoes/42")
    await browsing.expect("invitation", timeout=10)
    await paying.fence()
    assert paying.all("invitation") == []


async def test_none_for_a_visitor_who_left_before_the_time(server: Server) -> None:
    shop = await Shop.create(server)
    trigger = await add_trigger(shop, pricing_trigger(1.5, when_unavailable=True))
    leaving, token = await visitor_with_token(shop)
    await view(leaving)
    await leaving.fence()
    await leaving.close()  # gone after a moment, before the 1.5 s
    staying, _ = await visitor_with_token(shop)
    await view(staying)  # due later than the one who left: timers run in due order
    await staying.expect("invitation", timeout=10)
    stored = (await shop.api("GET", f"/triggers/{trigger['id']}")).json()
    assert stored["invitations"]["fired"] == 1
    back, _ = await visitor_with_token(shop, token)  # back, without a page view yet
    await back.fence()
    assert back.all("invitation") == []


@pytest.fixture
def short_cap_server(tmp_path: Path) -> Iterator[Server]:
    """Visits that end after 1 s without a page view, and a 4 s cool-down."""
    with running_server(tmp_path, PARLEY_VISIT_GAP_S="1", PARLEY_INVITATION_COOLDOWN_S="4") as srv:
        yield srv


async def test_after_a_dismissal_nothing_until_the_cool_down_ends(
    short_cap_server: Server,
) -> None:
    shop = await Shop.create(short_cap_server)
    await shop.add_agent("Alice")
    await shop.connect_agent("Alice")
    trigger = await add_trigger(shop, pricing_trigger(0.5))
    tab1, token = await visitor_with_token(shop)
    tab2, _ = await visitor_with_token(shop, token)  # the same visitor in a second tab
    await view(tab1)
    first = await tab1.expect("invitation", timeout=10)
    await tab2.expect("invitation", invitation_id=first["invitation_id"])
    await tab1.send({"type": "invitation.dismiss", "invitation_id": first["invitation_id"]})
    dismissed = time.monotonic()
    await tab1.expect("invitation.dismissed", invitation_id=first["invitation_id"])
    await tab2.expect("invitation.dismissed", invitation_id=first["invitation_id"])

    await asyncio.sleep(1.3)  # the visit ends: the next page view starts a new one
    await view(tab1)  # its rule holds after 0.5 s, inside the cool-down
    second = await tab1.expect("invitation", timeout=10)
    assert time.monotonic() - dismissed >= 4 - 0.1
    assert second["invitation_id"] != first["invitation_id"]
    await tab1.fence()
    assert len(tab1.all("invitation")) == 2
    stored = (await shop.api("GET", f"/triggers/{trigger['id']}")).json()
    assert stored["invitations"] == {"fired": 2, "shown": 0, "accepted": 0, "dismissed": 1}

    r = await tab1.answer({"type": "invitation.dismiss", "invitation_id": "nope"}, "error")
    assert r["code"] == "not_found"


async def test_a_pending_timer_survives_a_restart(server: Server) -> None:
    shop = await Shop.create(server)
    # Long enough for the process to come back (a second or two; more on a loaded machine)
    # and the visitor to reconnect before it is due.
    trigger = await add_trigger(shop, pricing_trigger(RESTART_DUE_S, when_unavailable=True))
    v, token = await visitor_with_token(shop)
    sent = await view(v)
    await v.fence()  # the page view (and its timer) is stored
    await asyncio.to_thread(server.kill)
    await v.closed()
    await asyncio.to_thread(server.start)
    v, _ = await visitor_with_token(shop, token)
    back = time.monotonic() - sent
    assert back < RESTART_DUE_S, f"the restart took {back:.1f} s, past the timer"
    invitation = await v.expect("invitation", timeout=15)
    assert invitation["trigger_id"] == trigger["id"]
    assert RESTART_DUE_S - 0.1 <= time.monotonic() - sent <= RESTART_DUE_S + LATE_S + 0.5
    await v.fence()
    assert len(v.all("invitation")) == 1


async def test_ab_variants_over_rest_and_in_the_frame(server: Server) -> None:
    shop = await Shop.create(server)
    await shop.add_agent("Alice")
    await shop.connect_agent("Alice")
    variants = [
        {"id": "short", "message": "Need help?", "weight": 1},
        {"id": "long", "message": "Questions about our prices?", "weight": 2},
    ]
    body = pricing_trigger(0, variants=variants)
    del body["message"]
    created = await add_trigger(shop, body)
    assert created["message"] == "Need help?"
    assert [(v["id"], v["message"], v["weight"]) for v in created["variants"]] == [
        ("short", "Need help?", 1),
        ("long", "Questions about our prices?", 2),
    ]
    twice = {**body, "variants": [variants[0], {**variants[1], "id": "short"}]}
    r = await shop.api("POST", "/triggers", json=twice)
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith("variants: ")
    r = await shop.api(
        "POST", "/triggers", json={**body, "variants": [{**variants[0], "weight": 0}]}
    )
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith("variants.0.weight: ")

    # Two visitors, each in two tabs: every tab of a visitor gets the same variant, and a
    # visitor's variant is the one they get again in a later visit (stable, not random).
    got: dict[str, str] = {}
    for _ in range(2):
        tab1, token = await visitor_with_token(shop)
        tab2, _ = await visitor_with_token(shop, token)
        await view(tab1)
        frame = await tab1.expect("invitation", timeout=10)
        await tab2.expect("invitation", invitation_id=frame["invitation_id"])
        texts = {v["id"]: v["message"] for v in variants}
        assert frame["message"] == texts[frame["variant_id"]]
        got[token] = frame["variant_id"]
    stored = (await shop.api("GET", f"/triggers/{created['id']}")).json()
    per_variant = {v["id"]: v["invitations"]["fired"] for v in stored["variants"]}
    assert per_variant == {
        "short": list(got.values()).count("short"),
        "long": list(got.values()).count("long"),
    }
    assert stored["invitations"]["fired"] == 2
    by_trigger = (await shop.api("GET", "/kpis?group_by=trigger")).json()["groups"]
    (group,) = [g for g in by_trigger if g["key"] == created["id"]]
    assert {v["key"]: v["invitations"]["fired"] for v in group["variants"]} == per_variant
    # The CSV has a row per variant under its trigger's.
    csv_text = (await shop.api("GET", "/kpis?group_by=trigger&format=csv")).text
    keys = [line.split(",")[0] for line in csv_text.splitlines()[1:]]
    trigger_row = keys.index(created["id"])
    assert keys[trigger_row + 1 : trigger_row + 3] == [
        f"{created['id']}/short",
        f"{created['id']}/long",
    ]

    # Back to one text: message alone replaces the variants.
    r = await shop.api("PATCH", f"/triggers/{created['id']}", json={"message": "Hello"})
    assert r.status_code == 200, r.text
    assert [(v["id"], v["message"]) for v in r.json()["variants"]] == [("a", "Hello")]


async def test_shown_is_recorded_once_and_only_by_the_invited_visitor(server: Server) -> None:
    shop, other_shop = await Shop.create(server), await Shop.create(server, "Other shop")
    trigger = await add_trigger(shop, pricing_trigger(0, when_unavailable=True))
    tab1, token = await visitor_with_token(shop)
    tab2, _ = await visitor_with_token(shop, token)
    await view(tab1)
    invitation_id = (await tab1.expect("invitation", timeout=10))["invitation_id"]
    await tab2.expect("invitation", invitation_id=invitation_id)
    # Someone else (of this shop, or another) may not report it.
    stranger, _ = await visitor_with_token(shop)
    elsewhere, _ = await visitor_with_token(other_shop)
    for client in (stranger, elsewhere):
        frame = {"type": "invitation.shown", "invitation_id": invitation_id}
        assert (await client.answer(frame, "error"))["code"] == "not_found"
    stored = (await shop.api("GET", f"/triggers/{trigger['id']}")).json()
    assert stored["invitations"]["shown"] == 0
    # Both tabs report it (and one twice): counted once.
    for client in (tab1, tab2, tab1):
        await client.send({"type": "invitation.shown", "invitation_id": invitation_id})
    await tab1.fence()
    await tab2.fence()
    assert tab1.all("error") == []
    assert tab2.all("error") == []
    stored = (await shop.api("GET", f"/triggers/{trigger['id']}")).json()
    assert stored["invitations"] == {"fired": 1, "shown": 1, "accepted": 0, "dismissed": 0}
    assert stored["variants"][0]["invitations"]["shown"] == 1
    totals = (await shop.api("GET", "/kpis")).json()["totals"]
    assert totals["invitations"]["shown"] == 1


async def test_a_trigger_waiting_for_an_agent_fires_when_one_comes_online(server: Server) -> None:
    shop = await Shop.create(server)
    await shop.add_agent("Alice")
    await shop.add_agent("Bob")
    alice = await shop.connect_agent("Alice")
    await alice.send({"type": "presence.set", "status": "away"})
    await alice.expect("presence.update", status="away")
    on_pricing = {
        "match": "all",
        "rules": [{"field": "url", "op": "contains", "value": "/pricing"}],
    }
    trigger = await add_trigger(shop, pricing_trigger(0, conditions=on_pricing))
    waiting, _ = await visitor_with_token(shop)
    elsewhere, _ = await visitor_with_token(shop)
    await view(waiting)  # the rule holds at once, but nobody can answer
    await view(elsewhere, "https://shop.example/shoes")  # the rule does not hold
    await waiting.fence()
    await elsewhere.fence()
    assert waiting.all("invitation") == []

    # Alice comes back: the waiting visitor is invited without another page view.
    sent = time.monotonic()
    await alice.send({"type": "presence.set", "status": "online"})
    invitation = await waiting.expect("invitation", timeout=10)
    assert time.monotonic() - sent <= LATE_S + 1.0
    assert invitation["trigger_id"] == trigger["id"]
    assert invitation["agent"]["name"] == "Alice"
    # Bob coming online later changes nothing: one invitation per visit.
    bob = await shop.connect_agent("Bob")
    await bob.send({"type": "presence.set", "status": "online"})
    await bob.expect("presence.update", status="online")
    await asyncio.sleep(LATE_S + 0.5)  # past the job loop's next poll
    await waiting.fence()
    await elsewhere.fence()
    assert len(waiting.all("invitation")) == 1
    assert elsewhere.all("invitation") == []
    stored = (await shop.api("GET", f"/triggers/{trigger['id']}")).json()
    assert stored["invitations"]["fired"] == 1


async def test_a_waiting_trigger_fires_when_capacity_frees(server: Server) -> None:
    shop = await Shop.create(server)
    await shop.add_agent("Alice", max_chats=1)
    alice = await shop.connect_agent("Alice")
    busy, _ = await visitor_with_token(shop)
    chat_id = await start(busy)
    await alice.expect("chat.assigned", chat_id=chat_id)  # Alice is full
    on_pricing = {
        "match": "all",
        "rules": [{"field": "url", "op": "contains", "value": "/pricing"}],
    }
    await add_trigger(shop, pricing_trigger(0, conditions=on_pricing))
    waiting, _ = await visitor_with_token(shop)
    await view(waiting)
    await waiting.fence()
    assert waiting.all("invitation") == []
    await alice.send({"type": "chat.close", "chat_id": chat_id})
    invitation = await waiting.expect("invitation", timeout=10)
    assert invitation["agent"]["name"] == "Alice"


async def test_a_trigger_is_tested_on_a_made_up_visit(server: Server) -> None:
    shop = await Shop.create(server)
    await shop.add_agent("Alice")
    body = pricing_trigger(20)

    async def judge(**visit: object) -> dict[str, Any]:
        r = await shop.api("POST", "/triggers/preview", json={"trigger": body, "visit": visit})
        assert r.status_code == 200, r.text
        answer: dict[str, Any] = r.json()
        return answer

    # Nobody online, 5 s on the page: two reasons, and the time rule's.
    early = await judge(url="https://shop.example/pricing", time_on_page_s=5)
    assert early["fires"] is False
    assert early["after_s"] == 15
    assert early["reasons"] == [
        "the rules hold only in 15.0 s",
        "nobody can answer now (online, with room); with when_unavailable the shop invites anyway",
    ]
    assert [(r["holds"], r["note"]) for r in early["rules"]] == [
        (True, "holds"),
        (False, "holds after 20 s on the page (15.0 s more)"),
    ]
    excluded = await judge(url="https://shop.example/pricing/checkout", time_on_page_s=30)
    assert excluded["excluded_by"] == "*/checkout*"
    elsewhere = await judge(url="https://shop.example/shoes", time_on_page_s=30)
    assert elsewhere["after_s"] is None
    assert "the rules do not hold for this visit (every rule must hold)" in elsewhere["reasons"]

    await shop.connect_agent("Alice")
    ready = await judge(url="https://shop.example/pricing", time_on_page_s=25)
    assert (ready["fires"], ready["reasons"], ready["after_s"]) == (True, [], 0)
    assert ready["agent"]["name"] == "Alice"
    # Nothing was stored or sent by testing.
    assert (await shop.api("GET", "/triggers")).json()["items"] == []
    body["conditions"]["rules"][0]["value"] = ""
    r = await shop.api(
        "POST", "/triggers/preview", json={"trigger": body, "visit": {"url": "https://x.example"}}
    )
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith("trigger.conditions.rules.0")
