"""The routing domain's durable timers: offers that lapse, queues looked at again, and chats
whose visitor left (app/chat/abandoned.py sets that timer)."""

from __future__ import annotations

from typing import Any

from app.chat import abandoned
from app.common.uow import UnitOfWork
from app.jobs.service import JobHandler
from app.routing import assignment, lifecycle, queue
from app.routing.policy import RoutingPolicy


def handlers(policy: RoutingPolicy, gone_s: float) -> dict[str, JobHandler]:
    async def offer_timeout(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        await assignment.offer_expired(uow, payload["chat_id"], payload["agent_id"], policy)

    async def queue_recheck(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        await assignment.recheck(uow, payload["site_id"], policy)

    async def visitor_gone(uow: UnitOfWork, payload: dict[str, Any]) -> None:
        chat_id = payload.get("chat_id")
        if isinstance(chat_id, str):
            await lifecycle.close_if_gone(uow, chat_id, gone_s, policy)

    return {
        abandoned.VISITOR_GONE_JOB: visitor_gone,
        assignment.OFFER_TIMEOUT_JOB: offer_timeout,
        queue.QUEUE_RECHECK_JOB: queue_recheck,
    }
