"""Security headers: every answer is read as what it claims to be, and the console's pages run
only Parley's own code, in no one else's frame."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The console: scripts and styles only from Parley; photos may be any https address or an
# inline image (the demo's portraits); sockets to this server.
CONSOLE_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob: https:",
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The widget preview is shown in a frame of the admin page, and of no one else's.
PREVIEW_PATH = "/console/widget-preview"
_PREVIEW = [
    (
        b"content-security-policy",
        CONSOLE_CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'").encode(),
    ),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"no-referrer"),
]
_EVERYWHERE = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]
_CONSOLE = [
    (b"content-security-policy", CONSOLE_CSP.encode()),
    (b"x-frame-options", b"DENY"),
    # A token typed into the console never leaves by a link's Referer.
    (b"referrer-policy", b"no-referrer"),
]


def _is_console_page(path: str) -> bool:
    return path == "/console" or (
        path.startswith("/console/") and not path.startswith("/console/static/")
    )


class SecurityHeaders:
    """Pure ASGI (not BaseHTTPMiddleware), so websockets and streaming pass untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(_EVERYWHERE)
        if _is_console_page(scope["path"]):
            own = _PREVIEW if scope["path"] == PREVIEW_PATH else _CONSOLE
            extra = [h for h in extra if h[0] != b"referrer-policy"] + own

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    h for h in extra if h[0] not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)
