"""A site of its own with agents made through the public CLI and REST API."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support import Client, Server, msg_id


@dataclass
class Shop:
    server: Server
    site_id: str
    site_key: str
    admin_token: str
    passwords: dict[str, str] = field(default_factory=dict)

    @classmethod
    async def create(cls, server: Server, name: str = "Routing shop") -> Shop:
        site = await asyncio.to_thread(server.cli, "create-site", "--name", name)
        email = f"admin-{site['id'][:8]}@shop.example"
        await asyncio.to_thread(
            server.cli,
            "create-agent",
            "--email",
            email,
            "--name",
            "Boss",
            "--password",
            "admin-pass-1",
            "--role",
            "admin",
            "--site",
            site["id"],
        )
        token = await asyncio.to_thread(server.login, email, "admin-pass-1")
        return cls(server, site["id"], site["site_key"], token)

    async def api(
        self, method: str, path: str, token: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.server.base, timeout=30) as http:
            return await http.request(
                method,
                f"/api/v1{path}",
                headers={"Authorization": f"Bearer {token or self.admin_token}"},
                **kwargs,
            )

    async def add_agent(
        self, name: str, skills: list[str] | None = None, max_chats: int = 3
    ) -> str:
        email = f"{name.lower()}-{self.site_id[:6]}@shop.example"
        r = await self.api(
            "POST",
            "/agents",
            json={
                "email": email,
                "name": name,
                "password": "password-1",
                "skills": skills or [],
                "max_chats": max_chats,
            },
        )
        assert r.status_code == 201, r.text
        self.passwords[name] = email
        agent_id: str = r.json()["id"]
        return agent_id

    async def routing(self, **settings: Any) -> None:
        r = await self.api("PATCH", f"/sites/{self.site_id}", json={"routing": settings})
        assert r.status_code == 200, r.text

    async def connect_agent(self, name: str) -> Client:
        token = await asyncio.to_thread(self.server.login, self.passwords[name], "password-1")
        client = await Client.connect(f"{self.server.ws_base}/ws/agent?token={token}")
        await client.expect("hello")
        return client

    async def visitor(self) -> Client:
        session = await asyncio.to_thread(self.server.widget_session, self.site_key)
        client = await Client.connect(
            f"{self.server.ws_base}/ws/visitor?token={session['visitor_token']}"
        )
        await client.expect("hello")
        return client

    async def agents(self) -> dict[str, dict[str, Any]]:
        r = await self.api("GET", "/agents")
        return {a["name"]: a for a in r.json()["items"]}


async def start(v: Client, department: str | None = None, text: str = "Hello") -> str:
    pre_chat: dict[str, Any] = {"name": "Visitor"}
    if department:
        pre_chat["department"] = department
    await v.send(
        {"type": "chat.start", "pre_chat": pre_chat, "message": text, "client_msg_id": msg_id()}
    )
    chat_id: str = (await v.expect("chat.started"))["chat_id"]
    return chat_id
