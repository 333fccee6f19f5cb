"""Liveness and readiness probes for load balancers and orchestrators.

They stay out of /openapi.json (that documents the API under /api/v1, every route of it with its
error answers); their answers are still typed models, checked by tests/test_openapi.py."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text

from app.chat.models import Chat
from app.common.enums import ChatStatus
from app.metrics import QUEUE, REGISTRY
from app.web.deps import StateDep
from app.web.schemas import Health, Readiness, ReadinessChecks

router = APIRouter(include_in_schema=False)
_CHECK_TIMEOUT_S = 2.0


@router.get("/healthz")
async def healthz() -> Health:
    return Health()


@router.get("/metrics")
async def metrics(state: StateDep) -> Response:
    """Prometheus text format; the queue length is read from the database at scrape time."""
    try:
        async with asyncio.timeout(_CHECK_TIMEOUT_S), state.sessions() as session:
            waiting = await session.scalar(
                select(func.count()).select_from(Chat).where(Chat.status == ChatStatus.QUEUED)
            )
        QUEUE.set(waiting or 0)
    except Exception:
        QUEUE.set(float("nan"))
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "a check failed, or the process drains"}},
)
async def readyz(state: StateDep) -> JSONResponse:
    checks = ReadinessChecks(
        database=await _database_ok(state),
        broker=await _broker_ok(state),
        accepting=not state.draining,
    )
    ok = checks.database and checks.broker and checks.accepting
    answer = Readiness(status="ok" if ok else "unavailable", checks=checks)
    return JSONResponse(answer.model_dump(mode="json"), status_code=200 if ok else 503)


async def _database_ok(state: StateDep) -> bool:
    try:
        async with asyncio.timeout(_CHECK_TIMEOUT_S), state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


async def _broker_ok(state: StateDep) -> bool:
    try:
        async with asyncio.timeout(_CHECK_TIMEOUT_S):
            return await state.hub.broker.ping()
    except Exception:
        return False
