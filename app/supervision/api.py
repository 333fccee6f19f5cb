"""REST: the supervisor grid's first state (updates then arrive over the socket)."""

from __future__ import annotations

from fastapi import APIRouter

from app.supervision import service
from app.supervision.schemas import Overview
from app.web.deps import StaffAgent, StateDep
from app.web.errors import ERRORS

router = APIRouter(prefix="/api/v1", tags=["supervision"], responses=ERRORS)


@router.get("/supervisor/overview", response_model=Overview)
async def overview(agent: StaffAgent, state: StateDep) -> Overview:
    async with state.uow() as uow:
        return await service.overview(uow, agent.site_id)
