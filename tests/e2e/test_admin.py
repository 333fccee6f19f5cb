"""Setting a shop up without a command line, over REST: the first-run admin (once, across
processes), a new site with its own admin, the logo, and refusals that name their field."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ALICE
from tests.databases import drop_database, fresh_database
from tests.e2e.test_supervision import png
from tests.support import Server

ADMIN = ("admin@demo.parley", "admin-demo")


async def call(
    server: Server, method: str, path: str, token: str | None = None, **kw: Any
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        return await http.request(method, f"/api/v1{path}", headers=headers, **kw)


def refused(r: httpx.Response, status: int, field: str) -> str:
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["field"] == field, error
    message: str = error["message"]
    return message


@pytest.fixture
def fresh_pair(tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    """Two processes of a fresh install (no demo, no agent) on one database."""
    url = fresh_database(tmp_path)
    servers = [Server(workdir=tmp_path, database_url=url, demo=False) for _ in range(2)]
    try:
        for s in servers:
            s.start()
        yield servers[0], servers[1]
    finally:
        for s in servers:
            s.kill()
        drop_database(url)


async def test_the_first_admin_is_created_once_even_when_processes_race(
    fresh_pair: tuple[Server, Server],
) -> None:
    first, second = fresh_pair
    assert (await call(first, "GET", "/setup")).json() == {"needed": True}
    short = {"email": "owner@shop.example", "name": "Owner", "password": "short"}
    refused(await call(first, "POST", "/setup", json=short), 422, "password")
    assert (await call(second, "GET", "/setup")).json() == {"needed": True}  # nothing was made

    bodies = [
        {"site_name": "Fjord Books", "email": f"owner{i}@shop.example", "name": f"Owner {i}",
         "password": "owner-pass-1"}
        for i in range(6)
    ]  # fmt: skip
    answers = await asyncio.gather(
        *(call((first, second)[i % 2], "POST", "/setup", json=b) for i, b in enumerate(bodies))
    )
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201, 409, 409, 409, 409, 409], [r.text for r in answers]
    won = next(r.json() for r in answers if r.status_code == 201)
    assert won["agent"]["role"] == "admin"
    me = await call(second, "GET", "/agents/me", won["access_token"])
    assert me.json()["email"] == won["agent"]["email"]
    site = await call(first, "GET", f"/sites/{me.json()['site_id']}", won["access_token"])
    assert site.json()["name"] == "Fjord Books"
    for server in (first, second):
        assert (await call(server, "GET", "/setup")).json() == {"needed": False}
        again = await call(server, "POST", "/setup", json=bodies[0])
        assert again.status_code == 409, again.text
    # Only the winner exists: the losers' e-mails cannot sign in.
    agents = (await call(first, "GET", "/agents", won["access_token"])).json()["items"]
    assert [a["email"] for a in agents] == [won["agent"]["email"]]


async def test_a_cli_made_admin_closes_the_first_run_page(server: Server) -> None:
    # The demo's agents are made the way `parley create-agent` makes them.
    assert (await call(server, "GET", "/setup")).json() == {"needed": False}
    body = {"email": "late@shop.example", "name": "Late", "password": "late-pass-1"}
    assert (await call(server, "POST", "/setup", json=body)).status_code == 409


async def test_a_new_site_gets_its_own_admin_and_stays_apart(server: Server) -> None:
    token = await asyncio.to_thread(server.login, *ADMIN)
    owner = {"email": "owner@fjord.example", "name": "Frida", "password": "frida-pass-1"}
    bad_origin = {"name": "Fjord", "allowed_origins": ["fjord.example/shop"], "admin": owner}
    message = refused(await call(server, "POST", "/sites", token, json=bad_origin), 422,
                      "allowed_origins")  # fmt: skip
    assert "https://shop.example" in message
    taken = {"name": "Fjord", "admin": {**owner, "email": ALICE[0]}}
    refused(await call(server, "POST", "/sites", token, json=taken), 409, "admin.email")
    weak = {"name": "Fjord", "admin": {**owner, "password": "x"}}
    refused(await call(server, "POST", "/sites", token, json=weak), 422, "admin.password")

    good = {"name": "Fjord", "allowed_origins": ["https://fjord.example/"], "admin": owner,
            "greeting": "Hei!", "theme_color": "#123456"}  # fmt: skip
    r = await call(server, "POST", "/sites", token, json=good)
    assert r.status_code == 201, r.text
    fjord = r.json()
    assert fjord["allowed_origins"] == ["https://fjord.example"]
    assert (fjord["greeting"], fjord["theme_color"]) == ("Hei!", "#123456")
    assert "secret" not in fjord  # the creator is not this site's admin
    # The creating admin has no say over the new site; its own admin has.
    assert (await call(server, "GET", f"/sites/{fjord['id']}", token)).status_code == 404
    frida = await asyncio.to_thread(server.login, owner["email"], owner["password"])
    mine = await call(server, "GET", f"/sites/{fjord['id']}", frida)
    assert mine.status_code == 200
    assert mine.json()["secret"]
    agents = (await call(server, "GET", "/agents", frida)).json()["items"]
    assert [(a["email"], a["role"]) for a in agents] == [(owner["email"], "admin")]
    demo_agents = (await call(server, "GET", "/agents", token)).json()["items"]
    assert owner["email"] not in {a["email"] for a in demo_agents}


async def test_logo_is_an_image_or_an_https_address(server: Server) -> None:
    token = await asyncio.to_thread(server.login, *ADMIN)
    site_id = (await call(server, "GET", "/agents/me", token)).json()["site_id"]
    text = {"file": ("logo.png", io.BytesIO(b"just words, not a picture"), "image/png")}
    refused(await call(server, "POST", f"/sites/{site_id}/logo", token, files=text), 400, "file")
    big = {"file": ("logo.png", io.BytesIO(png(400, 400) + b"\0" * 300_000), "image/png")}
    refused(await call(server, "POST", f"/sites/{site_id}/logo", token, files=big), 400, "file")
    image = {"file": ("logo.png", io.BytesIO(png()), "image/png")}
    r = await call(server, "POST", f"/sites/{site_id}/logo", token, files=image)
    assert r.status_code == 200, r.text
    logo = r.json()["logo_url"]
    assert logo.startswith("/api/v1/uploads/")
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        shown = await http.get(logo)  # public, like an agent's photo
    assert shown.status_code == 200
    assert shown.headers["content-type"] == "image/png"

    for bad in ("javascript:alert(1)", "http://plain.example/logo.png", "data:text/html,x"):
        r = await call(server, "PATCH", f"/sites/{site_id}", token, json={"logo_url": bad})
        refused(r, 422, "logo_url")
    url = "https://cdn.example/logo.png"
    r = await call(server, "PATCH", f"/sites/{site_id}", token, json={"logo_url": url})
    assert r.json()["logo_url"] == url
    r = await call(server, "PATCH", f"/sites/{site_id}", token, json={"logo_url": None})
    assert r.json()["logo_url"] is None


async def test_refusals_name_the_field_they_are_about(server: Server) -> None:
    token = await asyncio.to_thread(server.login, *ADMIN)
    site_id = (await call(server, "GET", "/agents/me", token)).json()["site_id"]
    departments = {"departments": [{"skill": "sales", "label": "Buying"},
                                   {"skill": "astrology", "label": "Stars"}]}  # fmt: skip
    r = await call(server, "PATCH", f"/sites/{site_id}", token, json=departments)
    refused(r, 400, "departments.1.skill")
    r = await call(server, "PATCH", f"/sites/{site_id}", token, json={"theme_color": "red"})
    refused(r, 422, "theme_color")
    routing = {"routing": {"default_skill": "astrology"}}
    r = await call(server, "PATCH", f"/sites/{site_id}", token, json=routing)
    refused(r, 400, "routing.default_skill")
    dup = {"email": ALICE[0], "name": "Alice again", "password": "alice-pass-2"}
    refused(await call(server, "POST", "/agents", token, json=dup), 409, "email")
    assert (await call(server, "POST", "/skills", token, json={"name": "books"})).status_code == 201
    r = await call(server, "POST", "/skills", token, json={"name": "books"})
    refused(r, 409, "name")
    reply = {"shortcut": "hi", "title": "Hi", "body": "Hello!", "shared": True}
    assert (await call(server, "POST", "/saved-replies", token, json=reply)).status_code == 201
    refused(await call(server, "POST", "/saved-replies", token, json=reply), 409, "shortcut")


async def test_only_the_widget_preview_may_be_framed_and_only_by_parley(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        preview = await http.get("/console/widget-preview?greeting=<b>hi</b>&color=red")
        admin = await http.get("/console/admin")
    assert "frame-ancestors 'self'" in preview.headers["content-security-policy"]
    assert "script-src 'self'" in preview.headers["content-security-policy"]
    assert preview.headers["x-frame-options"] == "SAMEORIGIN"
    assert "<b>hi</b>" not in preview.text  # the page draws its query as text, in script
    assert "frame-ancestors 'none'" in admin.headers["content-security-policy"]
    assert admin.headers["x-frame-options"] == "DENY"
