"""Presence upkeep, run by every process: refresh its own agents, expire everyone's stale ones.

Expiry reads only the database, so agents of a killed process go offline just the same, and
several processes sweeping at once do the same idempotent work. Expired agents' chats go back to
the queue, which is why this loop lives with routing rather than with the agents.
"""

from __future__ import annotations

import asyncio
import logging

from app.agents import service as agents
from app.common.uow import UowFactory
from app.realtime.hub import Hub
from app.routing import staff
from app.routing.policy import RoutingPolicy

log = logging.getLogger(__name__)


def interval_s(heartbeat_s: float, grace_s: float) -> float:
    """Often enough that a live agent is refreshed several times within the grace period."""
    return min(heartbeat_s, grace_s / 3)


async def presence_loop(
    uow_factory: UowFactory, hub: Hub, policy: RoutingPolicy, every_s: float
) -> None:
    while True:
        try:
            await tick(uow_factory, hub, policy)
        except Exception:
            log.warning("presence upkeep failed; retrying", exc_info=True)
        await asyncio.sleep(every_s)


async def tick(uow_factory: UowFactory, hub: Hub, policy: RoutingPolicy) -> None:
    async with uow_factory() as uow:
        await agents.heartbeat(uow.session, hub.local_agent_ids(), hub.take_active_agent_ids())
    async with uow_factory() as uow:
        gone = await staff.expire_presence(uow, policy)
        idle = await staff.idle_to_away(uow, policy)
    if gone:
        log.info("agents offline after missed heartbeats: %s", ", ".join(gone))
    if idle:
        log.info("agents away after inactivity: %s", ", ".join(idle))
