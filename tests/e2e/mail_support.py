"""A real SMTP server (aiosmtpd) on a free loopback port that keeps what it receives."""

from __future__ import annotations

import asyncio
import email
import threading
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support import free_port


class Inbox:
    """Messages as a mail client would parse them, in the order they arrived."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        # How each message came: over TLS or not, and the user it signed in as (None: no login).
        self.sessions: list[tuple[bool, str | None]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        login = session.auth_data.login.decode() if session.authenticated else None
        with self._lock:
            self.messages.append(message)
            self.sessions.append((session.ssl is not None, login))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]

    async def wait_for(
        self, address: str, count: int = 1, timeout: float = 15.0
    ) -> list[EmailMessage]:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.to(address)) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{count} mail(s) to {address} not within {timeout}s")
            await asyncio.sleep(0.05)
        return self.to(address)


class SmtpServer:
    """Start and stop on one port (the SMTP server "goes down" and "comes back")."""

    def __init__(self, port: int | None = None, **options: Any) -> None:
        """``options``: aiosmtpd's (``ssl_context``, ``tls_context``, ``require_starttls``,
        ``authenticator``, ...)."""
        self.port = port or free_port()
        self.inbox = Inbox()
        self._options = options
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller = Controller(
            self.inbox, hostname="127.0.0.1", port=self.port, **self._options
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def parts(message: EmailMessage) -> tuple[str, str]:
    """The text and the HTML of a multipart/alternative mail (each must be there)."""
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def mail_env(smtp_url: str, **extra: str) -> dict[str, str]:
    """A demo server's environment for sending through ``smtp_url``."""
    return {
        "PARLEY_SMTP_URL": smtp_url,
        "PARLEY_MAIL_FROM": "Nordlys Bikes <chat@nordlys.example>",
        **extra,
    }
