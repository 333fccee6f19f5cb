"""Presence upkeep, run by every process: refresh its own agents, expire everyone's stale ones.

Expiry reads only the database, so agents of a killed process go offline just the same, and
several processes sweeping at once do the same idempotent work.
"""

from __future__ import annotations

import asyncio
import logging

from app.agents import service
from app.routing.policy import RoutingPolicy
from app.state import AppState

log = logging.getLogger(__name__)


async def presence_loop(state: AppState) -> None:
    policy = state.routing_policy()
    interval = min(state.settings.presence_heartbeat_s, state.settings.presence_grace_s / 3)
    while True:
        try:
            await tick(state, policy)
        except Exception:
            log.warning("presence upkeep failed; retrying", exc_info=True)
        await asyncio.sleep(interval)


async def tick(state: AppState, policy: RoutingPolicy) -> None:
    async with state.sessions() as session, session.begin():
        await service.heartbeat(
            session, state.hub.local_agent_ids(), state.hub.take_active_agent_ids()
        )
    async with state.uow() as uow:
        gone = await service.expire_presence(uow, policy)
        idle = await service.idle_to_away(uow, policy)
    if gone:
        log.info("agents offline after missed heartbeats: %s", ", ".join(gone))
    if idle:
        log.info("agents away after inactivity: %s", ", ".join(idle))
