"""The process's mailer: whether e-mail is on, how it is sent, and the transcript guard."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from app.common.errors import RateLimited, Unavailable
from app.config import Settings
from app.mail import smtp
from app.mail.models import Mail
from app.mail.outbox import Retry
from app.ratelimit.limiter import Limiter, storage_uri

# The spam guard on transcripts (docs/protocol.md): a visitor can make the shop's mail server
# write to any address, so these hold whatever PARLEY_RATE_LIMITS says.
TRANSCRIPTS_PER_CHAT = "3/hour"
TRANSCRIPTS_PER_VISITOR = "3/day"


@dataclass
class Mailer:
    config: smtp.SmtpConfig | None
    sender: str
    retry: Retry
    timeout_s: float
    public_url: str
    secret_key: str
    limiter: Limiter
    # Set when this process stores a mail, so its outbox loop sends it without waiting a round.
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def enabled(self) -> bool:
        return self.config is not None

    def require(self) -> None:
        if self.config is None:
            raise Unavailable("e-mail is not set up on this server (PARLEY_SMTP_URL)")

    async def deliver(self, mail: Mail) -> None:
        if self.config is None:
            raise RuntimeError("PARLEY_SMTP_URL is not set")
        # The whole conversation, not each step, is bounded: the claim's lease relies on it.
        async with asyncio.timeout(self.timeout_s):
            await smtp.send(self.config, smtp.build_message(mail, self.sender), self.timeout_s)

    async def count_transcript(self, chat_id: str, visitor_id: str) -> None:
        """Count one transcript of the chat and of its visitor, or refuse it.

        Hits, not a check then a count: two requests at once cannot both take the last one."""
        try:
            # Looked at first, so a visitor already refused does not use up the chat's count.
            await self.limiter.check("transcript_visitor", visitor_id)
            await self.limiter.hit("transcript_chat", chat_id)
            await self.limiter.hit("transcript_visitor", visitor_id)
        except RateLimited as exc:
            raise RateLimited(
                "at most 3 transcripts per chat an hour and per visitor a day; "
                f"try again in {exc.retry_after_s} s",
                exc.retry_after_s,
            ) from None


def mailer_from(settings: Settings) -> Mailer:
    return Mailer(
        config=smtp.parse_smtp_url(settings.smtp_url) if settings.smtp_url else None,
        sender=settings.mail_from,
        retry=Retry(
            base_s=settings.mail_retry_base_s,
            max_s=settings.mail_retry_max_s,
            max_attempts=settings.mail_max_attempts,
            # Twice the longest conversation, and time to record its outcome.
            lease_s=2 * settings.smtp_timeout_s + 5,
        ),
        timeout_s=settings.smtp_timeout_s,
        public_url=settings.public_url.rstrip("/"),
        secret_key=settings.secret_key,
        limiter=Limiter(
            {
                "transcript_chat": TRANSCRIPTS_PER_CHAT,
                "transcript_visitor": TRANSCRIPTS_PER_VISITOR,
            },
            storage_uri(settings.rate_limit_storage, settings.broker_url),
            settings.rate_limit_prefix,
            enabled=True,
        ),
    )
