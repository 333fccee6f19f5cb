"""The console's CRM parts in a real browser: the admins' API tokens dialog (create, shown once,
copy, revoke) and a verified customer's id and CRM attributes in the visitor panel."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from typing import Any

import httpx
from playwright.async_api import Browser, expect

from tests.conftest import ALICE, BEN, DEMO_SITE_KEY
from tests.e2e.conftest import open_console, shot
from tests.support import Client, Server, msg_id

ADMIN = ("admin@demo.parley", "admin-demo")


async def call(server: Server, token: str, method: str, path: str, **kw: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        return await http.request(
            method, f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, **kw
        )


async def test_admin_creates_copies_and_revokes_an_api_token(
    server: Server, browser: Browser
) -> None:
    ben = await open_console(browser, server, *BEN)
    await expect(ben.locator("[data-testid=api-tokens]")).to_be_hidden()  # admins only
    admin = await open_console(browser, server, *ADMIN)
    await admin.click("[data-testid=api-tokens]")
    dialog = admin.locator("[data-testid=api-tokens-dialog]")
    await expect(dialog.locator("[data-testid=api-tokens-list]")).to_contain_text("No API tokens")
    await dialog.locator("[data-testid=api-token-name]").fill("CRM sync")
    await dialog.locator("[data-testid=api-token-scope]").select_option("read")
    await dialog.locator("[data-testid=api-token-create]").click()
    value = dialog.locator("[data-testid=api-token-value]")
    await expect(value).to_be_visible()
    token = await value.input_value()
    assert token.startswith("pk_")
    row = dialog.locator("[data-testid=api-token-row][data-name='CRM sync']")
    await expect(row).to_contain_text("read")
    await expect(row).to_contain_text("never used")
    await shot(admin, "console-api-tokens")

    # It works, read-only; the list then says it was used.
    assert (await call(server, token, "GET", "/chats")).status_code == 200
    assert (await call(server, token, "POST", "/skills", json={"name": "x"})).status_code == 403
    await admin.keyboard.press("Escape")
    await admin.click("[data-testid=api-tokens]")
    await expect(row).to_contain_text("last used")
    # Shown once: reopening the dialog shows no secret.
    await expect(dialog.locator("[data-testid=api-token-value]")).to_have_count(0)
    assert token not in await dialog.inner_text()

    admin.once("dialog", lambda d: asyncio.ensure_future(d.accept()))
    await row.locator("[data-testid=api-token-revoke]").click()
    await expect(row).to_have_count(0)
    assert (await call(server, token, "GET", "/chats")).status_code == 401


async def test_the_visitor_panel_shows_the_customer_id_and_crm_attributes(
    server: Server, browser: Browser
) -> None:
    admin = await asyncio.to_thread(server.login, *ADMIN)
    site_id = (await call(server, admin, "GET", "/agents/me")).json()["site_id"]
    secret = (await call(server, admin, "POST", f"/sites/{site_id}/identity-secret")).json()[
        "secret"
    ]
    alice = await open_console(browser, server, *ALICE)
    signature = hmac.new(secret.encode(), b"cust-9", hashlib.sha256).hexdigest()
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        session = (
            await http.post(
                "/api/v1/widget/session",
                json={"site_key": DEMO_SITE_KEY, "user": {"id": "cust-9", "hash": signature}},
            )
        ).json()
    visitor_id = session["visitor"]["id"]
    r = await call(
        server, admin, "PATCH", f"/visitors/{visitor_id}",
        json={"name": "Nina", "attributes": {"plan": "gold"}},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    v = await Client.connect(f"{server.ws_base}/ws/visitor", session["visitor_token"])
    await v.expect("hello")
    await v.send(
        {
            "type": "chat.start",
            "pre_chat": {"department": "sales"},
            "message": "Where is my order?",
            "client_msg_id": msg_id(),
        }
    )
    await v.expect("chat.assigned")
    await alice.locator("[data-testid=chat-item]").click()
    await expect(alice.locator("[data-testid=context-external-id]")).to_have_text("cust-9")
    attributes = alice.locator("[data-testid=context-attributes]")
    await expect(attributes).to_contain_text("plan")
    await expect(attributes).to_contain_text("gold")
    await v.close()
