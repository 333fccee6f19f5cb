"""``Idempotency-Key`` on the POSTs that create: the one place it is implemented.

A creating route takes ``IdempotencyKey`` as its last parameter (after the caller is
authenticated and authorised). With the header, the dependency reserves the key for the caller
(the agent, or the API token) in the database, or answers the stored answer of an earlier
request with the same key and the same request (method, path, query and body; the status and
body as they were, with ``Idempotency-Replayed: true``); the same key with another request is
refused (422 ``idempotency_key_reused``). The middleware stores the route's answer with the key
once the route is done. Keys are kept 24 hours (app/idempotency/service.py); docs/crm.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import random
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.idempotency import service
from app.idempotency.service import Stored
from app.web.deps import CurrentAgent, StateDep

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
# Where the reservation travels from the dependency to the middleware (the request's state).
_PENDING = "idempotency"
# One request in this many also deletes expired keys.
_PRUNE_EVERY = 50


class Replayed(Exception):
    """Answer the stored answer of the key's first request (raised by the dependency)."""

    def __init__(self, stored: Stored) -> None:
        super().__init__("replayed")
        self.stored = stored


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode()):
        digest.update(part + b"\n")
    digest.update(body)
    return digest.hexdigest()


async def idempotency_key(
    request: Request,
    agent: CurrentAgent,
    state: StateDep,
    key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            min_length=1,
            max_length=255,
            pattern=r"^[\x21-\x7e]+$",
            description=(
                "Your unique id for this request (e.g. a UUID). A retry with the same key and "
                "the same request answers the first answer again and creates nothing; the same "
                "key with another request is refused (422 idempotency_key_reused). Kept 24 h "
                "per caller."
            ),
            examples=["5b0e2a64-2d0c-4b1e-9f5e-8c1f4f1a9e11"],
        ),
    ] = None,
) -> None:
    if key is None:
        return
    body = await request.body()
    url = request.url
    print_ = fingerprint(request.method, url.path, url.query, body)
    stored = await service.reserve(state.sessions, agent.id, key, print_)
    if stored is not None:
        raise Replayed(stored)
    setattr(request.state, _PENDING, (agent.id, key))


# The last parameter of a creating POST route: ``idempotency: IdempotencyKey``.
IdempotencyKey = Annotated[None, Depends(idempotency_key)]


async def _replay(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, Replayed)
    return Response(
        content=exc.stored.body,
        status_code=exc.stored.status_code,
        media_type="application/json",
        headers={"Idempotency-Replayed": "true"},
    )


class IdempotencyMiddleware:
    """Stores the answer of a request that reserved a key, once the route is done with it.

    The answer is stored after the route has finished (its request-scoped database session
    included: on SQLite that session holds the one write lock until then), so a retry that
    arrives in the moment between the answer and its storing gets 409 and retries again.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        status = 500
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and _pending(scope) is not None:
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            status = 500
            raise
        finally:
            reserved = _pending(scope)
            if reserved is not None:  # after an error the key is free again
                sessions = scope["app"].state.parley.sessions
                body = b"".join(chunks).decode("utf-8", "replace")
                try:
                    await service.finish(sessions, *reserved, status, body)
                except Exception:  # the answer is sent; a retry after 60 s runs again
                    log.warning("could not store an Idempotency-Key's answer", exc_info=True)
                if random.randrange(_PRUNE_EVERY) == 0:
                    with contextlib.suppress(Exception):
                        await service.prune(sessions)


def _pending(scope: Scope) -> tuple[str, str] | None:
    value: Any = scope.get("state", {}).get(_PENDING)
    return value if isinstance(value, tuple) else None


def install(app: FastAPI) -> None:
    app.add_middleware(IdempotencyMiddleware)
    app.add_exception_handler(Replayed, _replay)
