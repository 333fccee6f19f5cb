"""Departments route: the site's public departments, the pre-chat choice, and default_skill."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import Browser, expect

from tests.conftest import ALICE, BEN, DEMO_SITE_KEY
from tests.e2e.conftest import fill_prechat
from tests.e2e.routing_support import Shop, start
from tests.support import Server, agent, msg_id, visitor


def _id(hello: dict[str, object]) -> str:
    me = hello["agent"]
    assert isinstance(me, dict)
    return str(me["id"])


async def test_a_billing_chat_reaches_the_billing_agent(server: Server) -> None:
    alice, _ = await agent(server, *ALICE)  # sales, support
    ben, ben_hello = await agent(server, *BEN)  # support, billing
    v, session = await visitor(server, DEMO_SITE_KEY)
    offered = session["config"]["departments"]
    assert {"label": "Billing", "value": "billing"} in offered
    assert len(offered) == 3

    chat_id = await start(v, department="Billing")  # the label, in the visitor's spelling
    assigned = await ben.expect("chat.assigned", chat_id=chat_id)
    assert assigned["chat"]["skill"] == "billing"
    assert (await v.expect("chat.assigned", chat_id=chat_id))["agent"]["id"] == _id(ben_hello)

    # By value, in any letter case, a second billing chat also goes to Ben, never to Alice.
    v2, _ = await visitor(server, DEMO_SITE_KEY)
    second = await start(v2, department="BILLING")
    await ben.expect("chat.assigned", chat_id=second)
    await alice.send({"type": "ping"})
    await alice.expect("pong")
    assert not alice.all("chat.assigned")
    for c in (alice, ben, v, v2):
        await c.close()


async def test_an_unknown_department_is_refused_and_creates_no_chat(server: Server) -> None:
    ben, _ = await agent(server, *BEN)
    v, session = await visitor(server, DEMO_SITE_KEY)
    cid = msg_id()
    await v.send(
        {
            "type": "chat.start",
            "pre_chat": {"name": "Ola", "department": "Spaceships"},
            "message": "Hello?",
            "client_msg_id": cid,
        }
    )
    error = await v.expect("error")
    assert error["code"] == "bad_request"
    assert error["ref"] == cid
    assert "Spaceships" in error["message"]
    await v.send({"type": "ping"})
    await v.expect("pong")
    assert not v.all("chat.started")
    token = await asyncio.to_thread(server.login, *BEN)
    shop = Shop(server, "", DEMO_SITE_KEY, token)
    chats = (
        await shop.api("GET", "/chats", params={"visitor_id": session["visitor"]["id"]})
    ).json()
    assert chats["items"] == []

    # The same visitor, with a department the site has, gets their chat.
    chat_id = await start(v, department="billing")
    await ben.expect("chat.assigned", chat_id=chat_id)
    await ben.close()
    await v.close()


async def test_default_skill_applies_to_chats_without_a_department(server: Server) -> None:
    shop = await Shop.create(server)
    await shop.add_agent("Generalist", skills=["sales"])
    await shop.add_agent("Biller", skills=["billing"])
    refused = await shop.api(
        "PATCH", f"/sites/{shop.site_id}", json={"routing": {"default_skill": "nothing"}}
    )
    assert refused.status_code == 400
    await shop.routing(default_skill="Billing")
    site = (await shop.api("GET", f"/sites/{shop.site_id}")).json()
    assert site["routing"]["default_skill"] == "billing"
    general = await shop.connect_agent("Generalist")
    v = await shop.visitor()
    chat_id = await start(v)
    queued = await v.expect("chat.queued", chat_id=chat_id)
    assert (queued["skill"], queued["agents_available"]) == ("billing", False)
    biller = await shop.connect_agent("Biller")
    assert (await biller.expect("chat.assigned", chat_id=chat_id))["chat"]["skill"] == "billing"
    await general.send({"type": "ping"})
    await general.expect("pong")
    assert not general.all("chat.assigned")
    # A department still wins over the default.
    other = await shop.visitor()
    sales = await start(other, department="sales")
    await general.expect("chat.assigned", chat_id=sales)
    for c in (general, biller, v, other):
        await c.close()


async def test_admins_set_departments_that_name_known_skills(server: Server) -> None:
    shop = await Shop.create(server)
    await shop.add_agent("Biller", skills=["billing"])
    assert (await shop.api("POST", "/skills", json={"name": "returns"})).status_code == 201
    path = f"/sites/{shop.site_id}"
    for bad in (
        [{"skill": "spaceships", "label": "Spaceships"}],
        [{"skill": "billing", "label": "Invoices"}, {"skill": "Billing", "label": "Money"}],
        [{"skill": "billing", "label": "Help"}, {"skill": "returns", "label": "help"}],
        [{"skill": "billing", "label": ""}],
    ):
        r = await shop.api("PATCH", path, json={"departments": bad})
        assert r.status_code in (400, 422), (bad, r.text)
        assert r.json()["error"]["code"] == "bad_request"
    assert (await shop.api("GET", path)).json()["departments"] == []
    assert (
        "departments"
        not in (await asyncio.to_thread(server.widget_session, shop.site_key))["config"]
    )

    good = [{"skill": "BILLING", "label": "Invoices"}, {"skill": "returns", "label": "Returns"}]
    r = await shop.api("PATCH", path, json={"departments": good})
    assert r.status_code == 200, r.text
    assert r.json()["departments"] == [
        {"skill": "billing", "label": "Invoices"},
        {"skill": "returns", "label": "Returns"},
    ]
    config = (await asyncio.to_thread(server.widget_session, shop.site_key))["config"]
    assert config["departments"] == [
        {"label": "Invoices", "value": "billing"},
        {"label": "Returns", "value": "returns"},
    ]
    # The label routes as well as the value.
    biller = await shop.connect_agent("Biller")
    v = await shop.visitor()
    chat_id = await start(v, department="invoices")
    await biller.expect("chat.assigned", chat_id=chat_id)
    # An empty list takes the choice away again.
    assert (await shop.api("PATCH", path, json={"departments": []})).status_code == 200
    config = (await asyncio.to_thread(server.widget_session, shop.site_key))["config"]
    assert "departments" not in config
    await biller.close()
    await v.close()


@pytest.mark.browser
async def test_the_widget_offers_departments_and_billing_reaches_ben(
    server: Server, browser: Browser
) -> None:
    alice, _ = await agent(server, *ALICE)
    ben, _ = await agent(server, *BEN)
    shop = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
    await shop.goto(f"{server.base}/demo")
    await shop.click("[data-testid=parley-bubble]")
    choice = shop.locator("[data-testid=prechat-department]")
    await expect(choice).to_be_visible()
    await expect(shop.get_by_label("What is it about?")).to_have_count(1)
    await expect(choice.locator("option")).to_have_text(
        ["Choose a topic (optional)", "Bikes and gear", "Repairs and fit", "Billing"]
    )

    # A department the site does not have (an outdated page, say) is refused, and the visitor
    # reads why, with their question kept in the form. No name: the contact card shows under the
    # question until the refusal takes both away, so there is nothing to fill in.
    await choice.evaluate("s => { s.options[3].value = 'spaceships'; s.value = 'spaceships'; }")
    await fill_prechat(shop, "", "I was charged twice")
    problem = shop.locator("[data-testid=prechat] .form-error")
    # In the widget's language (widget/i18n), not the server's English detail.
    await expect(problem).to_have_text("That topic is not available. Please choose another one.")
    await expect(shop.locator("[data-testid=prechat-message]")).to_have_value("I was charged twice")

    await choice.select_option(label="Billing")
    await shop.click("[data-testid=prechat-submit]")
    got = await ben.expect("chat.assigned")
    assert got["chat"]["skill"] == "billing"
    assert got["chat"]["pre_chat"]["department"] == "billing"
    await expect(shop.locator("[data-testid=status]")).to_contain_text("Ben Okafor")
    await alice.send({"type": "ping"})
    await alice.expect("pong")
    assert not alice.all("chat.assigned")
    await alice.close()
    await ben.close()
