"""REST: proactive-invitation triggers (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.common.lookup import get_in_site
from app.common.types import utcnow
from app.triggers import service
from app.triggers.models import Trigger
from app.triggers.schemas import (
    TriggerIn,
    TriggerList,
    TriggerOut,
    TriggerPreview,
    TriggerPreviewIn,
    TriggerUpdate,
)
from app.web.deps import AdminAgent, StateDep
from app.web.errors import ERRORS
from app.web.idempotency import IdempotencyKey

router = APIRouter(prefix="/api/v1", tags=["triggers"], responses=ERRORS)
NOT_FOUND = "no such trigger"


@router.post("/triggers", status_code=201, response_model=TriggerOut)
async def create_trigger(
    body: TriggerIn, agent: AdminAgent, state: StateDep, idempotency: IdempotencyKey
) -> TriggerOut:
    async with state.uow() as uow:
        return service.view(await service.create(uow, agent.site_id, body))


@router.post("/triggers/preview", response_model=TriggerPreview)
async def preview_trigger(
    body: TriggerPreviewIn, agent: AdminAgent, state: StateDep
) -> TriggerPreview:
    """Would this trigger (as the form has it, saved or not) invite on this made-up visit now,
    and if not, why not: the console's "Test". Nothing is stored."""
    async with state.uow() as uow:
        return await service.preview(
            uow, agent.site_id, body.trigger, body.visit, utcnow(), state.invite_policy()
        )


@router.get("/triggers", response_model=TriggerList)
async def list_triggers(
    agent: AdminAgent,
    state: StateDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> TriggerList:
    async with state.uow() as uow:
        rows, next_cursor = await service.page(uow, agent.site_id, limit, cursor)
        counts = await service.stats(uow, [t.id for t in rows])
        return TriggerList(
            items=[service.view(t, counts.get(t.id)) for t in rows], next_cursor=next_cursor
        )


@router.get("/triggers/{trigger_id}", response_model=TriggerOut)
async def get_trigger(trigger_id: str, agent: AdminAgent, state: StateDep) -> TriggerOut:
    async with state.uow() as uow:
        trigger = await get_in_site(uow.session, Trigger, trigger_id, agent.site_id, NOT_FOUND)
        counts = await service.stats(uow, [trigger.id])
        return service.view(trigger, counts.get(trigger.id))


@router.patch("/triggers/{trigger_id}", response_model=TriggerOut)
async def update_trigger(
    trigger_id: str, body: TriggerUpdate, agent: AdminAgent, state: StateDep
) -> TriggerOut:
    async with state.uow() as uow:
        trigger = await get_in_site(uow.session, Trigger, trigger_id, agent.site_id, NOT_FOUND)
        await service.update(uow, trigger, body)
        counts = await service.stats(uow, [trigger.id])
        return service.view(trigger, counts.get(trigger.id))


@router.delete("/triggers/{trigger_id}", status_code=204)
async def delete_trigger(trigger_id: str, agent: AdminAgent, state: StateDep) -> None:
    """Its invitations stay recorded (for the dashboard), without the trigger."""
    async with state.uow() as uow:
        trigger = await get_in_site(uow.session, Trigger, trigger_id, agent.site_id, NOT_FOUND)
        await service.delete(uow, trigger)
