"""The mail outbox: claimed once, retried with back-off, given up on, and its SMTP settings."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import update

from app.common.types import utcnow
from app.mail import outbox, prune
from app.mail.models import Mail
from app.mail.outbox import Rendered, Retry
from app.mail.smtp import SmtpConfig, parse_smtp_url
from tests.unit.world import World

RETRY = Retry(base_s=1, max_s=8, max_attempts=3, lease_s=60)


def test_smtp_urls_name_plain_starttls_and_tls_with_their_default_ports() -> None:
    assert parse_smtp_url("smtp://mail.example") == SmtpConfig("mail.example", 25, "plain")
    assert parse_smtp_url("smtp+starttls://me%40shop.example:p%3Ass@mail.example") == (
        SmtpConfig("mail.example", 587, "starttls", "me@shop.example", "p:ss")
    )
    assert parse_smtp_url("smtps://u:p@mail.example:2465") == SmtpConfig(
        "mail.example", 2465, "tls", "u", "p"
    )
    with pytest.raises(ValueError, match="smtp://"):
        parse_smtp_url("http://mail.example")


def test_back_off_doubles_up_to_its_ceiling() -> None:
    assert [RETRY.delay_s(n) for n in range(1, 6)] == [1, 2, 4, 8, 8]


async def _queue(world: World, site_id: str, to: str) -> str:
    async with world.uow() as uow:
        mail = await outbox.enqueue(
            uow, site_id, "test", to, Rendered("Hi\nthere", "t", "<p>t</p>")
        )
        return mail.id


async def test_two_rounds_at_once_claim_each_mail_once(world: World) -> None:
    site_id = await world.site()
    ids = {await _queue(world, site_id, f"{n}@example.com") for n in range(5)}
    first, second = await asyncio.gather(
        outbox.claim_due(world.uow, 60), outbox.claim_due(world.uow, 60)
    )
    assert set(first) | set(second) == ids
    assert set(first) & set(second) == set()
    # Claimed and within the lease: nobody takes them again.
    assert await outbox.claim_due(world.uow, 60) == []
    mail = await world.get(Mail, next(iter(ids)))
    assert (mail.status, mail.attempts, mail.subject) == ("sending", 1, "Hi there")


async def test_a_claim_that_ran_out_is_taken_again(world: World) -> None:
    site_id = await world.site()
    mail_id = await _queue(world, site_id, "a@example.com")
    assert await outbox.claim_due(world.uow, 60) == [mail_id]
    async with world.uow() as uow:  # the process that claimed it died a minute ago
        await uow.session.execute(
            update(Mail).values(claimed_until=utcnow() - timedelta(seconds=1))
        )
    assert await outbox.claim_due(world.uow, 60) == [mail_id]
    assert (await world.get(Mail, mail_id)).attempts == 2


async def test_failures_back_off_then_give_up_and_a_success_is_final(world: World) -> None:
    site_id = await world.site()
    mail_id = await _queue(world, site_id, "a@example.com")
    sent: list[str] = []

    async def down(mail: Mail) -> None:
        raise ConnectionRefusedError("down")

    async def up(mail: Mail) -> None:
        sent.append(mail.id)

    assert await outbox.run_due(world.uow, down, RETRY) == 0
    mail = await world.get(Mail, mail_id)
    assert (mail.status, mail.attempts) == ("pending", 1)
    assert "down" in mail.last_error
    assert mail.next_attempt_at > utcnow()
    assert await outbox.run_due(world.uow, up, RETRY) == 0  # not due yet
    for _ in range(2):
        async with world.uow() as uow:
            await uow.session.execute(update(Mail).values(next_attempt_at=utcnow()))
        await outbox.run_due(world.uow, down, RETRY)
    mail = await world.get(Mail, mail_id)
    assert (mail.status, mail.attempts) == ("failed", 3)
    assert await outbox.run_due(world.uow, up, RETRY) == 0  # failed stays failed

    async with world.uow() as uow:
        await outbox.retry_now(uow, await uow.session.get_one(Mail, mail_id))
    assert await outbox.run_due(world.uow, up, RETRY) == 1
    assert await outbox.run_due(world.uow, up, RETRY) == 0
    assert sent == [mail_id]
    assert (await world.get(Mail, mail_id)).status == "sent"


async def test_finished_mails_are_deleted_when_old_and_waiting_ones_never(world: World) -> None:
    site_id = await world.site()
    old_sent, old_failed, old_waiting, new_sent = [
        await _queue(world, site_id, f"{n}@example.com") for n in range(4)
    ]
    long_ago = utcnow() - timedelta(days=40)
    async with world.uow() as uow:
        for mail_id, status, created in (
            (old_sent, "sent", long_ago),
            (old_failed, "failed", long_ago),
            (old_waiting, "pending", long_ago),
            (new_sent, "sent", utcnow()),
        ):
            await uow.session.execute(
                update(Mail).where(Mail.id == mail_id).values(status=status, created_at=created)
            )
    async with world.uow() as uow:
        assert await prune.purge(uow, keep_s=30 * 24 * 3600) == 2
    assert await world.get(Mail, old_sent) is None
    assert await world.get(Mail, old_failed) is None
    assert (await world.get(Mail, old_waiting)).status == "pending"
    assert (await world.get(Mail, new_sent)).status == "sent"
