"""Smaller holes an outside audit found: headers, hostile input, an honest OpenAPI."""

from __future__ import annotations

import asyncio

import httpx

from tests.support import Server

ADMIN = ("admin@demo.parley", "admin-demo")


async def test_console_pages_run_only_parleys_code_and_nobody_frames_them(
    module_server: Server,
) -> None:
    server = module_server
    async with httpx.AsyncClient(base_url=server.base) as http:
        for path in ("/console", "/console/supervisor"):
            r = await http.get(path)
            assert r.status_code == 200
            csp = r.headers["content-security-policy"]
            assert "script-src 'self'" in csp
            assert "frame-ancestors 'none'" in csp
            assert r.headers["x-frame-options"] == "DENY"
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["referrer-policy"] == "no-referrer"
        # The widget is embedded by shops: no frame or script policy of ours on it.
        widget = await http.get("/widget.js")
        assert "content-security-policy" not in widget.headers
        assert widget.headers["x-content-type-options"] == "nosniff"
        api = await http.get("/api/v1/agents/me")
        assert api.headers["x-content-type-options"] == "nosniff"


async def test_agents_refuse_hostile_or_clumsy_input_with_clear_errors(
    module_server: Server,
) -> None:
    server = module_server
    token = await asyncio.to_thread(server.login, *ADMIN)
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=server.base, headers=auth) as http:
        twice = await http.post(
            "/api/v1/agents",
            json={
                "email": "dup@demo.parley",
                "name": "Dup",
                "password": "dup-pass-123",
                "skills": ["billing", "billing", " billing "],
            },
        )
        assert twice.status_code == 201, twice.text
        assert twice.json()["skills"] == ["billing"]
        agent_id = twice.json()["id"]
        for url in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<b>x</b>"):
            r = await http.patch(f"/api/v1/agents/{agent_id}", json={"avatar_url": url})
            assert r.status_code == 422, url
            assert r.json()["error"]["code"] == "bad_request"
        for url in ("https://cdn.shop.example/anna.jpg", "/api/v1/uploads/abc123"):
            r = await http.patch(f"/api/v1/agents/{agent_id}", json={"avatar_url": url})
            assert r.status_code == 200, r.text
            assert r.json()["avatar_url"] == url


async def test_the_openapi_names_the_errors_routes_give(module_server: Server) -> None:
    server = module_server
    async with httpx.AsyncClient(base_url=server.base) as http:
        spec = (await http.get("/openapi.json")).json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            for status in ("400", "401", "404"):
                assert status in answers, (method, path, status)
            schema = answers["404"]["content"]["application/json"]["schema"]
            assert schema["$ref"].endswith("/ErrorBody"), (method, path)
