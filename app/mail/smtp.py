"""SMTP delivery with aiosmtplib, configured by one URL (PARLEY_SMTP_URL)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

import aiosmtplib

from app.common.types import utcnow
from app.mail.models import Mail

# Ports each scheme uses when the URL names none (RFC 8314 for implicit TLS).
_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    # "plain": no TLS at all; "starttls": upgrade required; "tls": TLS from the first byte.
    security: str
    username: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpConfig:
    """``smtp://host:25``, ``smtp+starttls://user:pass@host:587``, ``smtps://user:pass@host``."""
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS:
        raise ValueError("PARLEY_SMTP_URL must start with smtp://, smtps:// or smtp+starttls://")
    if not parts.hostname:
        raise ValueError("PARLEY_SMTP_URL names no host")
    security = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}[parts.scheme]
    return SmtpConfig(
        host=parts.hostname,
        port=parts.port or _DEFAULT_PORTS[parts.scheme],
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def build_message(mail: Mail, sender: str) -> EmailMessage:
    """The multipart/alternative message of an outbox row: text first, HTML preferred."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_addr
    message["Subject"] = mail.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = format_datetime(utcnow())
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    return message


async def send(config: SmtpConfig, message: EmailMessage, timeout_s: float) -> None:
    """Hand one message to the SMTP server; raises when it was not accepted."""
    await aiosmtplib.send(
        message,
        hostname=config.host,
        port=config.port,
        username=config.username,
        password=config.password,
        use_tls=config.security == "tls",
        # Plain means plain: never an opportunistic upgrade the operator did not ask for.
        start_tls=config.security == "starttls",
        timeout=timeout_s,
    )
