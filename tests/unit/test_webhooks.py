"""Webhooks below the server: retry schedule, signature, SSRF guard, outbox, endpoint claims."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.common.types import utcnow
from app.webhooks import outbox
from app.webhooks.guard import http_client, is_public
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.webhooks.sender import (
    SendPolicy,
    drain_endpoint,
    post,
    retry_delay_s,
    signature,
)
from tests.e2e.webhook_receiver import Receiver
from tests.unit.world import World

DAY = 24 * 3600.0


def test_retries_start_within_5_s_double_and_go_on_for_at_least_a_day() -> None:
    delays = [retry_delay_s(n, 5.0, 3600.0) for n in range(1, 15)]
    assert delays[:5] == [5.0, 10.0, 20.0, 40.0, 80.0]
    assert delays[-3:] == [3600.0, 3600.0, 3600.0]
    assert retry_delay_s(10_000, 5.0, 3600.0) == 3600.0  # no overflow after many failures
    # The sender's rule (app/webhooks/sender.py _settle): try again after the delay unless
    # the delivery has been failing for give_up_s; the last attempt is a day after the first.
    t, attempts = 0.0, 1
    while t < DAY:
        t += retry_delay_s(attempts, 5.0, 3600.0)
        attempts += 1
    assert t >= DAY
    assert 20 < attempts < 40


def test_signature_is_hmac_sha256_of_the_raw_body_keyed_with_the_secret() -> None:
    body = b'{"event":"chat.started","delivery_id":"d1"}'
    # `printf '%s' BODY | openssl dgst -sha256 -hmac whsec_test`
    expected = "0bc66dd71a3dafec2a6dd10d2b53133de9315931e049325ab67fe3ebd7a16c2b"
    assert signature("whsec_test", body) == f"sha256={expected}"
    assert signature("whsec_other", body) != f"sha256={expected}"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:93.184.216.34", True),
    ],
)
def test_only_public_addresses_pass(address: str, public: bool) -> None:
    assert is_public(address) is public


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    try:
        yield r
    finally:
        r.stop()


async def test_the_guarded_client_refuses_loopback_when_it_connects(receiver: Receiver) -> None:
    async with http_client(5.0, allow_private=False) as http:
        refused = await post(http, receiver.url(), "s", "d1", "chat.started", "{}")
    assert not refused.ok
    assert refused.error is not None
    assert refused.error.startswith("refused: 127.0.0.1 resolves to a non-public address")
    assert receiver.got() == []
    async with http_client(5.0, allow_private=True) as http:
        sent = await post(http, receiver.url(), "s", "d1", "chat.started", "{}")
    assert (sent.ok, sent.status, sent.body) == (True, 200, "ok")
    [got] = receiver.got()
    assert got.signed_with("s")


async def test_a_redirect_is_a_failure_and_is_not_followed(receiver: Receiver) -> None:
    receiver.status = 302
    async with http_client(5.0, allow_private=True) as http:
        moved = await post(http, receiver.url(), "s", "d1", "chat.started", "{}")
    assert (moved.ok, moved.status, moved.error) == (False, 302, "HTTP 302")
    assert len(receiver.got()) == 1


async def endpoint(world: World, site_id: str, url: str, events: list[str], **kw: bool) -> str:
    async with world.uow() as uow:
        row = WebhookEndpoint(site_id=site_id, url=url, events=events, secret="s", **kw)
        uow.session.add(row)
        await uow.session.flush()
        return row.id


async def deliveries(world: World) -> list[WebhookDelivery]:
    async with world.factory() as session:
        rows = await session.execute(
            select(WebhookDelivery).order_by(WebhookDelivery.created_at, WebhookDelivery.position)
        )
        return list(rows.scalars())


class Refused(Exception):
    pass


async def test_the_outbox_commits_with_the_event_for_subscribed_endpoints_only(
    world: World,
) -> None:
    site = await world.site()
    other_site = await world.site()
    chats = await endpoint(world, site, "http://a.example", ["chat.started", "chat.closed"])
    messages = await endpoint(world, site, "http://b.example", ["message.created"])
    await endpoint(world, site, "http://off.example", ["chat.started"], enabled=False)
    theirs = await endpoint(world, other_site, "http://c.example", ["chat.started"])

    async def record_then_fail() -> None:
        async with world.uow() as uow:
            outbox.record(uow, site, "chat.started", {"n": 0})
            raise Refused

    with pytest.raises(Refused):
        await record_then_fail()
    assert await deliveries(world) == []  # rolled back: nothing to send

    async with world.uow() as uow:
        outbox.record(uow, site, "chat.started", {"n": 1})
        outbox.record(uow, site, "message.created", {"n": 2})
        outbox.record(uow, site, "chat.closed", {"n": 3})
        outbox.record(uow, other_site, "chat.started", {"n": 4})
        assert await deliveries(world) == []  # written at commit, with the rest
    rows = await deliveries(world)
    assert [(r.endpoint_id, r.event) for r in rows] == [
        (chats, "chat.started"),
        (messages, "message.created"),
        (chats, "chat.closed"),
        (theirs, "chat.started"),
    ]
    assert [r.status for r in rows] == ["pending"] * 4
    assert '"data":{"n":4}' in rows[3].body
    assert f'"site_id":"{other_site}"' in rows[3].body


async def test_two_senders_on_one_endpoint_send_each_delivery_once_in_order(
    world: World, receiver: Receiver
) -> None:
    site = await world.site()
    hook = await endpoint(world, site, receiver.url(), ["message.created"])
    async with world.uow() as uow:
        for n in range(20):
            outbox.record(uow, site, "message.created", {"n": n})
    policy = SendPolicy(allow_private=True)
    async with http_client(5.0, allow_private=True) as http:
        await asyncio.gather(*(drain_endpoint(world.uow, policy, http, hook) for _ in range(3)))
        # Whoever lost the claim found nothing to do; one more pass sends what is left.
        await drain_endpoint(world.uow, policy, http, hook)
    assert [r.body["data"]["n"] for r in receiver.got()] == list(range(20))
    assert all(r.status == "delivered" for r in await deliveries(world))


async def test_a_failure_holds_back_later_events_until_its_retry(
    world: World, receiver: Receiver
) -> None:
    site = await world.site()
    hook = await endpoint(world, site, receiver.url(), ["chat.started"])
    async with world.uow() as uow:
        outbox.record(uow, site, "chat.started", {"n": 1})
        outbox.record(uow, site, "chat.started", {"n": 2})
    receiver.status = 503
    policy = SendPolicy(allow_private=True, retry_base_s=0.2)
    async with http_client(5.0, allow_private=True) as http:
        await drain_endpoint(world.uow, policy, http, hook)
        assert [r.body["data"]["n"] for r in receiver.got()] == [1]  # 2 waits behind 1
        first, second = await deliveries(world)
        assert (first.status, first.attempts, first.error) == ("pending", 1, "HTTP 503")
        assert second.attempts == 0
        async with world.factory() as session:
            held = await session.get_one(WebhookEndpoint, hook)
        assert held.lease_owner is None
        assert held.lease_until == first.next_attempt_at
        assert first.next_attempt_at is not None
        assert first.next_attempt_at - utcnow() <= timedelta(seconds=0.2)
        receiver.status = 200
        await asyncio.sleep(0.25)
        await drain_endpoint(world.uow, policy, http, hook)
    assert [r.body["data"]["n"] for r in receiver.got()] == [1, 1, 2]
