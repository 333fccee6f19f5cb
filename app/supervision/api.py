"""REST: the supervisor grid's first state (updates then arrive over the socket)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.supervision import service
from app.web.deps import StaffAgent, StateDep
from app.web.errors import ERRORS

router = APIRouter(prefix="/api/v1", tags=["supervision"], responses=ERRORS)


@router.get("/supervisor/overview")
async def overview(agent: StaffAgent, state: StateDep) -> dict[str, Any]:
    async with state.uow() as uow:
        return await service.overview(uow, agent.site_id)
