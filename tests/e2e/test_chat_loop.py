"""The core chat loop over the public contract, against a real server process."""

from __future__ import annotations

import asyncio
import signal

import httpx
import pytest

from tests.conftest import ALICE, DEMO_SITE_KEY
from tests.support import Client, Server, agent, msg_id, typing_fence, visitor


async def start_chat(v: Client, text: str = "Does the 500 Wh battery fit a 2019 frame?") -> str:
    await v.send(
        {
            "type": "chat.start",
            "pre_chat": {"name": "Maja", "email": "maja@example.com"},
            "message": text,
            "client_msg_id": msg_id(),
        }
    )
    started = await v.expect("chat.started")
    chat_id: str = started["chat_id"]
    return chat_id


async def test_visitor_and_agent_talk_with_acks_seq_and_typing(server: Server) -> None:
    a, hello = await agent(server, *ALICE)
    assert hello["agent"]["status"] == "online"
    v, session = await visitor(server, DEMO_SITE_KEY)
    assert session["config"]["agents_online"] is True

    chat_id = await start_chat(v)
    first_ack = await v.expect("message.ack")
    assert first_ack["seq"] == 1

    assigned = await v.expect("chat.assigned", chat_id=chat_id)
    assert assigned["agent"]["name"] == "Alice Berg"
    offered = await a.expect("chat.assigned", chat_id=chat_id)
    assert offered["chat"]["visitor"]["name"] == "Maja"
    assert offered["chat"]["pre_chat"]["email"] == "maja@example.com"
    first = await a.expect("message.new", chat_id=chat_id)
    assert first["message"]["body"] == "Does the 500 Wh battery fit a 2019 frame?"
    assert first["message"]["author"]["type"] == "visitor"

    await v.send({"type": "typing", "chat_id": chat_id, "active": True})
    typing = await a.expect("typing", chat_id=chat_id)
    assert typing["author"]["type"] == "visitor"
    assert typing["active"] is True

    await a.send({"type": "typing", "chat_id": chat_id, "active": True})
    agent_typing = await v.expect("typing", chat_id=chat_id)
    assert agent_typing["author"] == {
        "type": "agent",
        "id": hello["agent"]["id"],
        "name": "Alice Berg",
    }

    reply_id = msg_id()
    await a.send(
        {
            "type": "message.send",
            "chat_id": chat_id,
            "client_msg_id": reply_id,
            "body": "Yes — every frame from 2017 on.",
            "kind": "public",
        }
    )
    ack = await a.expect("message.ack", client_msg_id=reply_id)
    assert ack["seq"] == 2
    own = await v.expect_message(chat_id, seq=1)
    assert own["message"]["author"]["type"] == "visitor"
    shown = await v.expect_message(chat_id, seq=2)
    assert shown["message"]["author"]["name"] == "Alice Berg"
    assert shown["message"]["body"] == "Yes — every frame from 2017 on."
    assert shown["message"]["id"] == ack["message_id"]

    answer_id = msg_id()
    await v.send(
        {
            "type": "message.send",
            "chat_id": chat_id,
            "client_msg_id": answer_id,
            "body": "Great, thanks!",
        }
    )
    ack3 = await v.expect("message.ack", client_msg_id=answer_id)
    assert ack3["seq"] == 3
    got = await a.expect_message(chat_id, seq=3)
    assert got["message"]["body"] == "Great, thanks!"
    # Nobody sees their own typing echoed back.
    assert not [f for f in v.all("typing") if f["author"]["type"] == "visitor"]
    assert not [f for f in a.all("typing") if f["author"]["type"] == "agent"]

    await v.send({"type": "chat.close", "chat_id": chat_id})
    assert (await a.expect("chat.closed", chat_id=chat_id))["closed_by"] == "visitor"
    await v.expect("chat.closed", chat_id=chat_id)
    await v.send(
        {"type": "message.send", "chat_id": chat_id, "client_msg_id": msg_id(), "body": "one more"}
    )
    assert (await v.expect("error"))["code"] == "conflict"
    await v.close()
    await a.close()


async def test_visitor_resumes_exactly_the_missed_messages(server: Server) -> None:
    a, _ = await agent(server, *ALICE)
    v, session = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start_chat(v)
    await a.expect("chat.assigned", chat_id=chat_id)
    await a.expect("message.new", chat_id=chat_id)
    await v.close()

    bodies = ["First, the frame size.", "Second, the mount.", "Third, the charger."]
    for body in bodies:
        cid = msg_id()
        await a.send(
            {"type": "message.send", "chat_id": chat_id, "client_msg_id": cid, "body": body}
        )
        await a.expect("message.ack", client_msg_id=cid)

    v2, again = await visitor(server, DEMO_SITE_KEY, session["visitor_token"])
    assert again["visitor"]["id"] == session["visitor"]["id"]
    assert again["visitor"]["returning"] is True
    assert again["config"]["active_chat"]["id"] == chat_id
    await v2.send({"type": "resume", "chat_id": chat_id, "after_seq": 1})
    done = await v2.expect("resume.done", chat_id=chat_id)
    assert done["last_seq"] == 4
    resumed = v2.all("message.new", chat_id=chat_id)
    assert [f["message"]["body"] for f in resumed] == bodies
    assert [f["message"]["seq"] for f in resumed] == [2, 3, 4]

    # Live delivery continues after the resume, and nothing is delivered twice.
    cid = msg_id()
    await a.send(
        {"type": "message.send", "chat_id": chat_id, "client_msg_id": cid, "body": "Anything else?"}
    )
    live = await v2.expect_message(chat_id, body="Anything else?")
    assert live["message"]["seq"] == 5
    await typing_fence(a, chat_id, [v2])
    seqs = [f["message"]["seq"] for f in v2.all("message.new")]
    assert seqs == [2, 3, 4, 5]
    await v2.close()
    await a.close()


async def test_a_message_sent_live_before_the_resume_is_not_replayed(server: Server) -> None:
    # After a reconnect the socket is subscribed at once; answers stored in that moment reach
    # it live before the client's resume (from the seq it had before the drop) is read. The
    # resume sends what is left after them, each seq once: the reconnect storm's "shown twice"
    # (docs/performance.md). With a hole before them (the widget waits for the resume instead
    # of showing them), everything after the client's seq comes, in order.
    a, _ = await agent(server, *ALICE)
    v, session = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start_chat(v)  # seq 1, the question
    await a.expect("chat.assigned", chat_id=chat_id)
    await v.close()

    async def answer(body: str, *watching: Client) -> None:
        cid = msg_id()
        await a.send(
            {"type": "message.send", "chat_id": chat_id, "client_msg_id": cid, "body": body}
        )
        await a.expect("message.ack", client_msg_id=cid)
        for socket in watching:
            await socket.expect_message(chat_id, body=body)

    v2, _ = await visitor(server, DEMO_SITE_KEY, session["visitor_token"])
    await answer("Live one", v2)
    await answer("Live two", v2)
    await v2.send({"type": "resume", "chat_id": chat_id, "after_seq": 1})
    done = await v2.expect("resume.done", chat_id=chat_id)
    assert done["last_seq"] == 3
    assert [f["message"]["seq"] for f in v2.all("message.new", chat_id=chat_id)] == [2, 3]
    await v2.close()

    await answer("Missed")  # seq 4, while nobody is connected
    v3, _ = await visitor(server, DEMO_SITE_KEY, session["visitor_token"])
    await answer("Live three", v3)  # seq 5
    await v3.send({"type": "resume", "chat_id": chat_id, "after_seq": 3})
    done = await v3.expect("resume.done", chat_id=chat_id)
    assert done["last_seq"] == 5
    assert [f["message"]["seq"] for f in v3.all("message.new", chat_id=chat_id)] == [5, 4, 5]
    await v3.close()
    await a.close()


async def test_duplicate_client_msg_id_is_stored_once_and_acked_twice(server: Server) -> None:
    a, _ = await agent(server, *ALICE)
    v, _ = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start_chat(v)
    await a.expect("message.new", chat_id=chat_id)

    cid = msg_id()
    frame = {"type": "message.send", "chat_id": chat_id, "client_msg_id": cid, "body": "Hello?"}
    await v.send(frame)
    await v.send(frame)
    first = await v.expect("message.ack", client_msg_id=cid)
    second = await v.expect("message.ack", client_msg_id=cid)
    assert first["message_id"] == second["message_id"]
    assert first["seq"] == second["seq"] == 2

    await a.expect("message.new", chat_id=chat_id)
    await typing_fence(v, chat_id, [a])
    assert len([f for f in a.all("message.new") if f["message"]["client_msg_id"] == cid]) == 1
    token = await asyncio.to_thread(server.login, *ALICE)
    async with httpx.AsyncClient(base_url=server.base) as http:
        r = await http.get(
            f"/api/v1/chats/{chat_id}/messages", headers={"Authorization": f"Bearer {token}"}
        )
    assert [m["body"] for m in r.json()["items"]].count("Hello?") == 1
    await v.close()
    await a.close()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "bad_request"),
        ('["a list"]', "bad_request"),
        ('{"type": "no.such.type"}', "bad_request"),
        ('{"type": "message.send", "chat_id": "x"}', "bad_request"),
        ('{"type": "typing", "chat_id": "x", "active": "maybe"}', "bad_request"),
        ('{"type": "resume", "chat_id": "x", "after_seq": -1}', "bad_request"),
        ('{"type": "presence.set", "status": "online"}', "bad_request"),
        (
            '{"type": "message.send", "chat_id": "nope", "client_msg_id": "c1", "body": "hi"}',
            "not_found",
        ),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_keeps_working(
    module_server: Server, raw: str, code: str
) -> None:
    server = module_server
    v, _ = await visitor(server, DEMO_SITE_KEY)
    await v.send(raw)
    error = await v.expect("error")
    assert error["code"] == code
    assert error["message"]
    await v.send({"type": "ping"})
    await v.expect("pong")
    await v.close()


async def test_errors_name_the_client_msg_id_they_refuse(module_server: Server) -> None:
    server = module_server
    v, _ = await visitor(server, DEMO_SITE_KEY)
    await v.send({"type": "message.send", "chat_id": "x", "client_msg_id": "mine-1", "body": ""})
    error = await v.expect("error")
    assert (error["code"], error["ref"]) == ("bad_request", "mine-1")
    await v.send("x" * (70 * 1024))
    assert (await v.expect("error"))["code"] == "too_large"
    await v.send({"type": "ping"})
    await v.expect("pong")
    await v.close()


@pytest.mark.parametrize("path", ["/ws/visitor", "/ws/agent"])
@pytest.mark.parametrize("token", ["", "garbage", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"])
async def test_bad_token_is_closed_with_4401(module_server: Server, path: str, token: str) -> None:
    server = module_server
    client = await Client.connect(f"{server.ws_base}{path}?token={token}")
    assert await client.closed() == 4401


async def test_agent_token_is_not_a_visitor_token(module_server: Server) -> None:
    server = module_server
    token = await asyncio.to_thread(server.login, *ALICE)
    client = await Client.connect(f"{server.ws_base}/ws/visitor?token={token}")
    assert await client.closed() == 4401


async def test_restart_loses_no_acknowledged_message(server: Server) -> None:
    a, _ = await agent(server, *ALICE)
    v, session = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start_chat(v, "Message zero")
    acked = ["Message zero"]
    for i in range(1, 11):
        sender = v if i % 2 else a
        cid = msg_id()
        await sender.send(
            {
                "type": "message.send",
                "chat_id": chat_id,
                "client_msg_id": cid,
                "body": f"Message {i}",
            }
        )
        await sender.expect("message.ack", client_msg_id=cid)
        acked.append(f"Message {i}")

    server.kill()  # SIGKILL: no graceful shutdown, no chance to flush anything late
    server.start()

    v2, again = await visitor(server, DEMO_SITE_KEY, session["visitor_token"])
    assert again["config"]["active_chat"]["id"] == chat_id
    await v2.send({"type": "resume", "chat_id": chat_id, "after_seq": 0})
    await v2.expect("resume.done", chat_id=chat_id)
    got = v2.all("message.new", chat_id=chat_id)
    assert [f["message"]["body"] for f in got] == acked
    assert [f["message"]["seq"] for f in got] == list(range(1, 12))
    await v2.close()


async def test_login_and_widget_session_errors(module_server: Server) -> None:
    server = module_server  # two failed logins: far below the lockout, for this module's tests
    async with httpx.AsyncClient(base_url=server.base) as http:
        wrong = await http.post(
            "/api/v1/auth/login", json={"email": ALICE[0], "password": "not-it"}
        )
        assert wrong.status_code == 401
        assert wrong.json()["error"]["code"] == "unauthorized"
        unknown = await http.post(
            "/api/v1/auth/login", json={"email": "nobody@x.y", "password": "not-it"}
        )
        assert unknown.status_code == 401
        assert unknown.json() == wrong.json()

        assert (
            await http.post("/api/v1/widget/session", json={"site_key": "no-such-site"})
        ).status_code == 404

    site = await asyncio.to_thread(
        server.cli, "create-site", "--name", "Shop", "--origin", "https://shop.example"
    )
    async with httpx.AsyncClient(base_url=server.base) as http:
        other = await http.post(
            "/api/v1/widget/session",
            json={"site_key": site["site_key"]},
            headers={"Origin": "https://evil.example"},
        )
        assert other.status_code == 403
        ok = await http.post(
            "/api/v1/widget/session",
            json={"site_key": site["site_key"]},
            headers={"Origin": "https://shop.example"},
        )
        assert ok.status_code == 200
        assert ok.json()["config"]["site"]["name"] == "Shop"


async def test_whispers_and_notes_never_reach_the_visitor(server: Server) -> None:
    a, _ = await agent(server, *ALICE)
    v, _ = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start_chat(v)
    await a.expect("message.new", chat_id=chat_id)
    for kind, body in [
        ("note", "Customer ordered twice before"),
        ("whisper", "Offer 10%"),
        ("public", "Let me check that for you."),
    ]:
        cid = msg_id()
        await a.send(
            {
                "type": "message.send",
                "chat_id": chat_id,
                "client_msg_id": cid,
                "body": body,
                "kind": kind,
            }
        )
        await a.expect("message.ack", client_msg_id=cid)
    public = await v.expect_message(chat_id, body="Let me check that for you.")
    assert public["message"]["seq"] == 2  # the visitor's own numbering has no gaps
    await v.send({"type": "resume", "chat_id": chat_id, "after_seq": 0})
    await v.expect("resume.done", chat_id=chat_id)
    bodies = [f["message"]["body"] for f in v.all("message.new")]
    assert "Offer 10%" not in bodies
    assert "Customer ordered twice before" not in bodies
    await v.send(
        {
            "type": "message.send",
            "chat_id": chat_id,
            "client_msg_id": msg_id(),
            "body": "psst",
            "kind": "whisper",
        }
    )
    assert (await v.expect("error"))["code"] == "forbidden"
    await v.close()
    await a.close()


async def test_graceful_shutdown_tells_clients_to_reconnect(server: Server) -> None:
    v, _ = await visitor(server, DEMO_SITE_KEY)
    a, _ = await agent(server, *ALICE)
    assert server.proc is not None
    server.proc.send_signal(signal.SIGTERM)
    assert await v.closed(timeout=5) == 1012
    assert await a.closed(timeout=5) == 1012
    # uvicorn re-raises SIGTERM once its clean shutdown is done, as a signalled process should.
    assert server.proc.wait(timeout=15) in (0, -signal.SIGTERM)
    log = next(server.workdir.glob("server-*.log")).read_text()
    assert "Traceback" not in log


async def test_metrics_in_prometheus_format(server: Server) -> None:
    a, _ = await agent(server, *ALICE)
    v, _ = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start_chat(v)
    await a.expect("chat.assigned", chat_id=chat_id)
    cid = msg_id()
    await a.send(
        {"type": "message.send", "chat_id": chat_id, "client_msg_id": cid, "body": "Counted"}
    )
    await a.expect("message.ack", client_msg_id=cid)
    async with httpx.AsyncClient(base_url=server.base) as http:
        text = (await http.get("/metrics")).text
    assert 'parley_sockets_open{kind="visitor"} 1.0' in text
    assert 'parley_sockets_open{kind="agent"} 1.0' in text
    assert 'parley_messages_total{kind="public"} 1.0' in text
    assert "parley_queue_length 0.0" in text
    assert "parley_delivery_seconds_count" in text
    await v.close()
    await a.close()


async def test_a_long_chat_resumes_in_pages(unlimited_server: Server) -> None:
    server = unlimited_server  # 520 messages sent at once: a flood on purpose
    a, _ = await agent(server, *ALICE)
    v, _ = await visitor(server, DEMO_SITE_KEY)
    chat_id = await start_chat(v, "Message 1")
    await a.expect("chat.assigned", chat_id=chat_id)
    total = 520  # more than one page of resume
    for i in range(2, total + 1):
        await v.send(
            {
                "type": "message.send",
                "chat_id": chat_id,
                "client_msg_id": msg_id(),
                "body": f"Message {i}",
            }
        )
    await v.wait_for(lambda f: f.get("type") == "message.ack" and f["seq"] == total, 60)
    fresh, _ = await visitor(server, DEMO_SITE_KEY)  # another visitor: not allowed
    await fresh.send({"type": "resume", "chat_id": chat_id, "after_seq": 0})
    refused = await fresh.expect("error")
    assert (refused["code"], refused["chat_id"]) == ("not_found", chat_id)

    await a.send({"type": "resume", "chat_id": chat_id, "after_seq": 0})
    first = await a.expect("resume.done", chat_id=chat_id, timeout=20)
    assert first["more"] is True
    await a.send({"type": "resume", "chat_id": chat_id, "after_seq": first["last_seq"]})
    second = await a.expect("resume.done", chat_id=chat_id, timeout=20)
    assert (second["more"], second["last_seq"]) == (False, total)
    seqs = [f["message"]["seq"] for f in a.all("message.new", chat_id=chat_id)]
    assert sorted(set(seqs)) == list(range(1, total + 1))
