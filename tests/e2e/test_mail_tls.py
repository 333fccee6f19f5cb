"""E-mail over STARTTLS and over TLS, signed in: the settings an operator's SMTP URL names."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import ALICE, running_server
from tests.e2e.mail_support import SmtpServer, parts
from tests.support import Server, agent, visitor

# The implicit-TLS server is told not to require TLS for AUTH (see ``secure``): it warns.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

USER, PASSWORD = "shop@nordlys.example", "s3cret:pass"
# As the URL carries them: "@" and ":" encoded.
URL_AUTH = "shop%40nordlys.example:s3cret%3Apass"


def make_certificate(where: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost, which the server under test is told to trust."""
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, auth_data=data if ok else None)


@pytest.fixture(params=["starttls", "tls"])  # STARTTLS needs TLS before AUTH: aiosmtpd's default
def secure(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[SmtpServer, str, Path]]:
    cert, key = make_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    common: dict[str, Any] = {"authenticator": authenticator, "auth_required": True}
    if request.param == "starttls":
        smtp = SmtpServer(tls_context=context, require_starttls=True, **common)
        url = f"smtp+starttls://{URL_AUTH}@localhost:{smtp.port}"
    else:
        # The listening socket itself is TLS (nothing else gets through); aiosmtpd only counts
        # STARTTLS as TLS when it decides whether to offer AUTH, so it is told not to ask.
        smtp = SmtpServer(
            ssl_context=context, server_hostname="localhost", auth_require_tls=False, **common
        )
        url = f"smtps://{URL_AUTH}@localhost:{smtp.port}"
    smtp.start()
    try:
        yield smtp, url, cert
    finally:
        smtp.stop()


@pytest.fixture
def tls_server(tmp_path: Path, secure: tuple[SmtpServer, str, Path]) -> Iterator[Server]:
    _, url, cert = secure
    # The certificate is the only one the server trusts: a plain connection or another
    # certificate would fail.
    with running_server(tmp_path, PARLEY_SMTP_URL=url, SSL_CERT_FILE=str(cert)) as server:
        yield server


async def test_transcript_goes_out_encrypted_and_signed_in(
    tls_server: Server, secure: tuple[SmtpServer, str, Path]
) -> None:
    smtp = secure[0]
    a, _ = await agent(tls_server, *ALICE)
    v, _ = await visitor(tls_server, "demo-nordlys")
    await v.send({"type": "chat.start", "pre_chat": {"name": "Maja"}, "message": "Hi"})
    chat_id = (await v.expect("chat.started"))["chat_id"]
    await a.expect("chat.assigned", chat_id=chat_id)
    token = await asyncio.to_thread(tls_server.login, *ALICE)
    async with httpx.AsyncClient(base_url=tls_server.base, timeout=30) as http:
        r = await http.post(
            f"/api/v1/chats/{chat_id}/transcript",
            json={"email": "maja@example.com"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert r.status_code == 202, r.text
    [mail] = await smtp.inbox.wait_for("maja@example.com")
    assert "Hi" in parts(mail)[0]
    # Accepted only over TLS (STARTTLS is required; the other listens in TLS) and signed in.
    [(_, login)] = smtp.inbox.sessions
    assert login == USER
    await v.close()
    await a.close()
