"""Supervisors and admins come in watching, and take chats over whatever their status."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.conftest import ALICE, DEMO_SITE_KEY, SAM
from tests.e2e.conftest import open_console, open_shop_chat, shot
from tests.e2e.routing_support import start
from tests.support import Server, agent, visitor

ADMIN = ("admin@demo.parley", "admin-demo")


async def overview_agents(server: Server) -> dict[str, dict[str, object]]:
    token = await asyncio.to_thread(server.login, *SAM)
    async with httpx.AsyncClient(base_url=server.base) as http:
        r = await http.get(
            "/api/v1/supervisor/overview", headers={"Authorization": f"Bearer {token}"}
        )
    return {a["name"]: a for a in r.json()["agents"]}


async def test_a_supervisor_opening_the_console_is_handed_no_chats(server: Server) -> None:
    sam, hello = await agent(server, *SAM)  # carries every skill of the demo
    assert hello["agent"]["status"] == "away"
    admin, admin_hello = await agent(server, *ADMIN)
    assert admin_hello["agent"]["status"] == "away"

    v, _ = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start(v)
    queued = await v.expect("chat.queued", chat_id=chat_id)
    assert queued["agents_available"] is False  # watching staff are nobody to wait for
    for staff in (sam, admin):
        await staff.send({"type": "ping"})
        await staff.expect("pong")
        assert not staff.all("chat.assigned")

    # Only when they choose to be online do they take customers.
    await sam.send({"type": "presence.set", "status": "online"})
    await sam.expect("presence.update", status="online")
    await sam.expect("chat.assigned", chat_id=chat_id)
    await v.expect("chat.assigned", chat_id=chat_id)
    for c in (sam, admin, v):
        await c.close()


async def test_take_over_while_away_moves_the_chat_to_the_supervisor(server: Server) -> None:
    alice, _ = await agent(server, *ALICE)
    v, _ = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start(v)
    await alice.expect("chat.assigned", chat_id=chat_id)
    sam, hello = await agent(server, *SAM)
    assert hello["agent"]["status"] == "away"
    sam_id = hello["agent"]["id"]

    await sam.send({"type": "chat.monitor", "chat_id": chat_id})
    await sam.expect("chat.monitoring", chat_id=chat_id)
    await sam.send({"type": "chat.transfer", "chat_id": chat_id, "to_agent_id": sam_id})
    await sam.expect("chat.assigned", chat_id=chat_id)
    moved = await v.expect("chat.transferred", chat_id=chat_id)
    assert (moved["from_agent_id"], moved["to_agent_id"]) == (
        alice.all("hello")[0]["agent"]["id"],
        sam_id,
    )
    await alice.expect("chat.transferred", chat_id=chat_id)
    load = await overview_agents(server)
    assert (load["Sam Lindqvist"]["status"], load["Sam Lindqvist"]["active_chats"]) == ("away", 1)
    assert load["Alice Berg"]["active_chats"] == 0

    # Taking over twice is refused with a reason; the chat stays with Sam.
    await sam.send({"type": "chat.transfer", "chat_id": chat_id, "to_agent_id": sam_id})
    refused = await sam.expect("error", chat_id=chat_id)
    assert (refused["code"], refused["message"]) == ("conflict", "the chat is already yours")
    # Still away: the next customer goes to Alice, not to the supervisor.
    v2, _ = await visitor(server, DEMO_SITE_KEY)
    second = await start(v2)
    await alice.expect("chat.assigned", chat_id=second)
    assert not sam.all("chat.assigned", chat_id=second)
    for c in (alice, sam, v, v2):
        await c.close()


@pytest.mark.browser
async def test_the_supervisor_view_shows_the_real_outcome_of_a_take_over(
    server: Server, browser: Browser
) -> None:
    alice, _ = await agent(server, *ALICE)
    supervisor = await open_console(browser, server, *SAM)
    await expect(supervisor.locator("[data-testid=status-select]")).to_have_value("away")
    await expect(supervisor.locator("[data-testid=banner]")).to_contain_text("watching")
    shop = await open_shop_chat(browser, server, "Jonas", "Do you ship to Iceland?")
    chat_id = (await alice.expect("chat.assigned"))["chat_id"]
    await supervisor.goto(f"{server.base}/console/supervisor")
    # A loaded machine may take seconds to connect the page.
    connection = supervisor.locator("[data-testid=connection]")
    await expect(connection).to_have_text("Connected", timeout=15_000)
    row = supervisor.locator(f"[data-testid=chat-row][data-chat-id='{chat_id}']")
    await expect(row).to_contain_text("Alice Berg")
    await row.click()

    result = supervisor.locator("[data-testid=take-over-result]")
    await supervisor.click("[data-testid=take-over]")
    await expect(result).to_have_text("The chat is yours: answer it in the agent console.")
    await expect(row).to_contain_text("Sam Lindqvist")
    await expect(shop.locator("[data-testid=agent-name]")).to_contain_text("Sam Lindqvist")
    await alice.expect("chat.transferred", chat_id=chat_id)

    # A refusal is shown as the server's answer, not as success.
    await supervisor.click("[data-testid=take-over]")
    await expect(result).to_have_text("Could not take over: the chat is already yours")
    await expect(result).to_have_attribute("data-outcome", "error")
    await shot(supervisor, "supervisor-take-over")
    await alice.close()
