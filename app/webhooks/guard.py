"""SSRF guard: webhook targets must be public addresses, checked when saved and when sent.

The check at send time happens where the connection is made (a network backend for httpcore
that resolves the name itself, checks every address and connects to the checked one), so a
name that resolves to a public address when saved and to 127.0.0.1 later (DNS rebinding)
is still refused. ``PARLEY_WEBHOOKS_ALLOW_PRIVATE=true`` turns the guard off (receivers on
the same network, tests).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable

import httpcore
import httpx

from app.common.errors import BadRequest

# As stored (webhook_endpoints.url); normalising can lengthen what was sent.
MAX_URL_LENGTH = 2000
# An admin waits for this answer: a name that does not resolve by then is refused.
RESOLVE_TIMEOUT_S = 5.0


class RefusedTarget(Exception):
    """The target resolves to an address webhooks may not reach."""


def is_public(address: str) -> bool:
    """Globally routable unicast: not loopback, private, link-local, shared, reserved."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _check(host: str, addresses: Iterable[str]) -> None:
    refused = [a for a in addresses if not is_public(a)]
    if refused:
        raise RefusedTarget(f"{host} resolves to a non-public address ({refused[0]})")


async def check_url(url: str, allow_private: bool) -> str:
    """The URL as stored, or BadRequest: not http(s), no host, or (unless allowed) a host
    that does not resolve or resolves to a loopback, private or link-local address."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise BadRequest(f"url: {exc}") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise BadRequest("url: must be an http:// or https:// URL with a host")
    if parsed.userinfo:
        raise BadRequest("url: credentials in the URL are not allowed; verify the signature")
    stored = str(parsed)
    if len(stored) > MAX_URL_LENGTH:
        raise BadRequest(f"url: longer than {MAX_URL_LENGTH} characters")
    if allow_private:
        return stored
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        addresses = await asyncio.wait_for(resolve(parsed.host, port), RESOLVE_TIMEOUT_S)
    except (OSError, UnicodeError, ValueError, TimeoutError) as exc:
        raise BadRequest(f"url: cannot resolve {parsed.host}") from exc
    try:
        _check(parsed.host, addresses)
    except RefusedTarget as exc:
        raise BadRequest(
            f"url: {exc}; such targets are refused unless PARLEY_WEBHOOKS_ALLOW_PRIVATE=true"
        ) from exc
    return stored


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to public addresses: resolves, checks all, connects to a checked one.
    TLS still verifies the certificate against the URL's host name (httpcore passes it)."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await asyncio.wait_for(resolve(host, port), timeout)
        _check(host, addresses)
        return await self._inner.connect_tcp(
            addresses[0], port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise RefusedTarget("webhooks do not use unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def http_client(timeout_s: float, allow_private: bool) -> httpx.AsyncClient:
    """The sender's client: redirects never followed (a 3xx is a failed delivery, and cannot
    point the request at an internal address), no proxy from the environment, and unless
    private targets are allowed, every connection checked by ``_GuardedBackend``."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    if not allow_private:
        # httpx has no public way to pass a network backend; its transport wraps this pool.
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=_GuardedBackend(),
        )
    return httpx.AsyncClient(
        transport=transport,
        timeout=timeout_s,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": "Parley-Webhooks/1"},
    )
