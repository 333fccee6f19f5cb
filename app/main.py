"""The application factory: routers, static files, error mapping, lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from fastapi import FastAPI, Request, WebSocket
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.agents import api as agents_api
from app.apitokens import api as apitokens_api
from app.archive import api as archive_api
from app.chat import abandoned
from app.chat import api as chat_api
from app.common.errors import DomainError, RateLimited
from app.config import Settings
from app.db import make_engine, make_session_factory
from app.files import api as files_api
from app.files import cleanup as upload_cleanup
from app.files.storage import local_storage
from app.identity import api as identity_api
from app.instance.service import with_signing_secret
from app.jobs.runner import jobs_loop
from app.jobs.service import JobHandler
from app.kpis import api as kpis_api
from app.mail import api as mail_api
from app.mail import outbox as mail_outbox
from app.mail import prune as mail_prune
from app.mail import transcripts
from app.offline import service as offline
from app.privacy import api as privacy_api
from app.privacy import retention
from app.privacy import service as privacy
from app.realtime.broker import broker_from_url
from app.realtime.hub import Hub
from app.replies import api as replies_api
from app.routing import api as routing_api
from app.routing import presence, timers
from app.sites import api as sites_api
from app.state import AppState
from app.supervision import api as supervision_api
from app.surveys import api as surveys_api
from app.triggers import api as triggers_api
from app.triggers import service as triggers
from app.visitors import api as visitors_api
from app.web import health, idempotency, logs, pages, ws_routes
from app.web.security import SecurityHeaders
from app.webhooks import api as webhooks_api
from app.webhooks import sender as webhooks_sender

log = logging.getLogger(__name__)

# Sent to every open socket on shutdown: "server restarting, reconnect" (RFC 6455 1012).
CLOSE_SERVICE_RESTART = 1012


def settle_garbage_collector() -> None:
    """Keep full collections from stalling every socket of the process.

    A full collection walks every object the process holds; with the application loaded that
    took 70-110 ms, and every message in flight waited (docs/performance.md). Objects alive
    after start-up (modules, mappers, settings) live as long as the process: frozen, they are
    left out of every later collection. Fewer young collections spread the rest out.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        logs.install()
        engine = make_engine(settings.database_url)
        sessions = make_session_factory(engine)
        hub = Hub(broker_from_url(settings.broker_url))
        state = AppState(
            settings=await with_signing_secret(settings, sessions),
            engine=engine,
            sessions=sessions,
            hub=hub,
        )
        await hub.start()
        app.state.parley = state
        await _schedule_housekeeping(state)
        background = _background_loops(state)
        settle_garbage_collector()
        try:
            yield
        finally:
            state.draining = True
            hub.close_all(CLOSE_SERVICE_RESTART)
            for task in background:
                task.cancel()
            for task in background:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await state.live_visitors.close()
            await state.live_tiles.stop()
            await hub.stop()
            await engine.dispose()

    app = FastAPI(
        title="Parley",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/api/docs",
        openapi_url="/openapi.json",
    )
    # Bearer tokens, never cookies: any origin may call the API without CSRF risk; which shops may
    # embed a site's widget is decided per site (allowed origins), not here.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["Retry-After"],  # the widget reads it on a 429
    )
    app.add_middleware(SecurityHeaders)
    _install_error_handlers(app)
    idempotency.install(app)
    for module in (
        agents_api,
        visitors_api,
        archive_api,
        chat_api,
        routing_api,
        sites_api,
        files_api,
        replies_api,
        supervision_api,
        triggers_api,
        kpis_api,
        surveys_api,
        mail_api,
        webhooks_api,
        apitokens_api,
        identity_api,
        privacy_api,
        pages,
        health,
    ):
        app.include_router(module.router)

    for path, endpoint in ws_routes.SOCKET_ENDPOINTS.items():
        app.add_api_websocket_route(path, _socket_route(endpoint))

    return app


def _socket_route(
    endpoint: Callable[[WebSocket, AppState], Awaitable[None]],
) -> Callable[[WebSocket], Awaitable[None]]:
    """The endpoint as an app route; ``parley serve`` reaches it around the middleware
    (app/web/socket_lane.py)."""

    async def route(websocket: WebSocket) -> None:
        await endpoint(websocket, websocket.app.state.parley)

    return route


def _background_loops(state: AppState) -> list[asyncio.Task[None]]:
    """The process's loops, each given only what it needs."""
    s = state.settings
    return [
        asyncio.create_task(
            presence.presence_loop(
                state.uow,
                state.hub,
                state.routing_policy(),
                presence.interval_s(s.presence_heartbeat_s, s.presence_grace_s),
            )
        ),
        asyncio.create_task(
            jobs_loop(state.uow, _job_handlers(state), s.job_poll_s, state.job_alarm)
        ),
        asyncio.create_task(
            abandoned.heartbeat_loop(
                state.uow,
                state.visitor_socket_ids,
                abandoned.heartbeat_s(s.presence_heartbeat_s, s.visitor_gone_s),
                s.visitor_gone_s,
            )
        ),
        asyncio.create_task(
            mail_outbox.outbox_loop(
                state.uow,
                state.mailer.deliver,
                state.mailer.retry,
                s.job_poll_s,
                state.mailer.wake,
            )
        ),
        asyncio.create_task(
            webhooks_sender.sender_loop(
                state.uow,
                webhooks_sender.SendPolicy(
                    retry_base_s=s.webhooks_retry_base_s,
                    retry_max_s=s.webhooks_retry_max_s,
                    give_up_s=s.webhooks_give_up_s,
                    lease_s=s.webhooks_lease_s,
                    poll_s=s.webhooks_poll_s,
                    allow_private=s.webhooks_allow_private,
                ),
            )
        ),
    ]


def _job_handlers(state: AppState) -> dict[str, JobHandler]:
    """Every durable timer kind this process can run, by domain."""
    policy = state.routing_policy()
    s = state.settings
    return {
        **timers.handlers(policy, s.visitor_gone_s),
        **abandoned.handlers(s.visitor_gone_s),
        **upload_cleanup.handlers(local_storage(s.upload_dir), s.unattached_upload_ttl_s),
        **transcripts.handlers(state.mailer),
        **offline.handlers(state.mailer),
        **mail_prune.handlers(s.mail_keep_s),
        **triggers.handlers(state.invite_policy(), state.job_alarm.set),
        **privacy.handlers(local_storage(s.upload_dir)),
        **retention.handlers(s.retention_every_s),
    }


async def _schedule_housekeeping(state: AppState) -> None:
    """Periodic jobs reschedule themselves; this makes sure the first one exists."""
    try:
        async with state.uow() as uow:
            await upload_cleanup.ensure_scheduled(uow, state.settings.unattached_upload_ttl_s)
            await mail_prune.ensure_scheduled(uow, state.settings.mail_keep_s)
            await retention.ensure_scheduled(uow, state.settings.retention_every_s)
    except Exception:
        log.warning("could not schedule the clean-ups; next start retries", exc_info=True)


def _install_error_handlers(app: FastAPI) -> None:
    def body(code: str, message: str, field: str | None = None) -> dict[str, dict[str, str]]:
        detail = {"code": code, "message": message}
        if field:
            detail["field"] = field  # forms show the message next to this field
        return {"error": detail}

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, RateLimited) else None
        return JSONResponse(
            body(exc.code, exc.message, exc.field), status_code=exc.http_status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        field = ".".join(str(p) for p in first["loc"][1:])
        where = field or "body"
        return JSONResponse(
            body("bad_request", f"{where}: {first['msg']}", field or None), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            405: "bad_request",
            409: "conflict",
            413: "too_large",
            429: "rate_limited",
        }
        fallback = "internal" if exc.status_code >= 500 else "bad_request"
        return JSONResponse(
            body(codes.get(exc.status_code, fallback), str(exc.detail)),
            status_code=exc.status_code,
        )

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        """A bug: the same error body as every other answer (the traceback goes to the log)."""
        return JSONResponse(body("internal", "internal server error"), status_code=500)
