"""The routing domain's durable timers: offers that lapse and queues looked at again."""

from __future__ import annotations

from typing import Any

from app.common.uow import UnitOfWork
from app.jobs.service import JobHandler
from app.routing import service
from app.routing.policy import RoutingPolicy


def handlers(policy: RoutingPolicy) -> dict[str, JobHandler]:
    async def offer_timeout(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        await service.offer_expired(uow, payload["chat_id"], payload["agent_id"], policy)

    async def queue_recheck(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        await service.recheck(uow, payload["site_id"], policy)

    return {service.OFFER_TIMEOUT_JOB: offer_timeout, service.QUEUE_RECHECK_JOB: queue_recheck}
