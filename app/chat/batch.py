"""Group commit for text messages: sends that arrive while one transaction writes share the next.

A message is still acknowledged only after the transaction that stores it has committed. Under
load, though, many messages share that transaction and its few statements (one locked SELECT of
the chats with their visitor and agent, one flush, the commit) instead of paying for a session,
six statements and a commit each. The profile behind this is in docs/performance.md.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.agents.models import Agent
from app.chat import messages, sqlite_batch
from app.chat.access import ChatAction, authorize
from app.chat.messages import Author
from app.chat.models import Chat, Message
from app.chat.sends import Outcome, Send
from app.chat.service import (
    Ack,
    ack_for,
    check_kind,
    check_open,
    note_first_response,
)
from app.common.batches import Batches
from app.common.errors import DomainError
from app.common.events import Publisher
from app.common.uow import UnitOfWork, publish_committed
from app.db import sqlite_engine
from app.visitors.models import Visitor

log = logging.getLogger(__name__)

# Enough to amortise a transaction, small enough that one batch never holds the lock for long.
MAX_BATCH = 200


_Key = tuple[str, str, str | None, str]  # chat, author type, author id, client_msg_id


async def store_sends(
    uow: UnitOfWork, sends: list[Send], look_for_resends: bool = False
) -> list[Outcome]:
    """Store text messages in the caller's transaction; one outcome per send, in order.

    The same checks as ``service.send_message``, all made before anything is written, so a
    refused send leaves nothing behind in the shared transaction. Resends of a stored message
    are rare (a client that lost an ack): unless asked to look for them first, the unique index
    refuses one at flush and the writer tries again, one by one, looking.
    """
    chats, authors = await _lock_chats(uow, sorted({s.chat_id for s in sends}))
    known = {i for kind, i in authors if kind == "agent"}
    unknown = {s.actor.id for s in sends if s.actor.side == "agent"} - known
    authors.update(await _agents(uow, unknown))
    stored: dict[_Key, Message] = {}  # this batch's: the same send twice is stored once
    outcomes: list[Outcome] = []
    for send in sends:
        try:
            chat = authorize(send.actor, ChatAction.WRITE, chats.get(send.chat_id))
            check_kind(send.actor, send.kind)
            author = authors[(send.actor.side, send.actor.id)]
            key = (chat.id, author.type, author.id, send.client_msg_id)
            earlier = stored.get(key)
            if earlier is None and look_for_resends:
                earlier = await messages.find_duplicate(uow, chat.id, author, send.client_msg_id)
            if earlier is None:
                check_open(chat)
                earlier = messages.append_locked(
                    uow, chat, author, send.body, send.kind, send.client_msg_id
                )
                note_first_response(chat, send.actor, earlier)
            stored[key] = earlier
            outcomes.append(ack_for(send.actor, earlier))
        except DomainError as exc:
            outcomes.append(exc)
    await uow.session.flush()
    return outcomes


async def _lock_chats(
    uow: UnitOfWork, chat_ids: list[str]
) -> tuple[dict[str, Chat], dict[tuple[str, str], Author]]:
    """The chats, locked in id order (two processes' batches then never wait on each other in
    a cycle; SQLite's single writer needs no row lock), with their visitor and agent as
    authors: nearly always the senders, so one query serves both."""
    rows = await uow.session.execute(
        select(Chat, Visitor.name, Agent.name, Agent.avatar_url)
        .join(Visitor, Visitor.id == Chat.visitor_id)
        .outerjoin(Agent, Agent.id == Chat.agent_id)
        .where(Chat.id.in_(chat_ids))
        .order_by(Chat.id)
        .with_for_update(of=Chat)
    )
    chats: dict[str, Chat] = {}
    authors: dict[tuple[str, str], Author] = {}
    for chat, visitor_name, agent_name, avatar_url in rows:
        chats[chat.id] = chat
        authors[("visitor", chat.visitor_id)] = Author(
            "visitor", chat.visitor_id, visitor_name or "Visitor"
        )
        if chat.agent_id is not None:
            authors[("agent", chat.agent_id)] = Author(
                "agent", chat.agent_id, agent_name, avatar_url
            )
    return chats, authors


async def _agents(uow: UnitOfWork, agent_ids: set[str]) -> dict[tuple[str, str], Author]:
    """Staff writing in a chat not assigned to them (a supervisor's whisper)."""
    if not agent_ids:
        return {}
    rows = await uow.session.execute(
        select(Agent.id, Agent.name, Agent.avatar_url).where(Agent.id.in_(agent_ids))
    )
    return {("agent", i): Author("agent", i, name, avatar) for i, name, avatar in rows}


__all__ = ["MessageWriter", "Outcome", "Send", "store_sends"]


class MessageWriter:
    """Writes queued sends in batches, one transaction at a time, and answers each sender."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        publisher: Publisher,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._sessions = sessions
        self._publisher = publisher
        # SQLite takes a batch in one hand-off to its thread (app/chat/sqlite_batch.py).
        self._sqlite = sqlite_engine(sessions)
        self._batches: Batches[Send, Ack] = Batches(self._write, max_batch)

    async def send(self, send: Send) -> Ack:
        """The ack, once the message is committed; a refused send raises its DomainError."""
        return await self._batches.submit(send)

    async def _store(self, sends: list[Send], alone: bool) -> list[Outcome]:
        if self._sqlite is not None and not alone:
            stored = await sqlite_batch.store_sends(self._sqlite, sends)
            if stored is not None:
                await publish_committed(self._publisher, stored.events)
                return stored.outcomes
        async with UnitOfWork(self._sessions, self._publisher) as uow:
            return await store_sends(uow, sends, alone)

    async def _write(
        self, batch: list[tuple[Send, asyncio.Future[Ack]]], alone: bool = False
    ) -> None:
        try:
            outcomes = await self._store([send for send, _ in batch], alone)
        except Exception as exc:
            if alone:
                batch[0][1].set_exception(exc)
                return
            # A resend, a database error or a race with another process: each send on its own,
            # looking for resends, so one cannot fail the others and each hears its outcome.
            log.debug("message batch of %d failed (%s); writing one by one", len(batch), exc)
            for item in batch:
                await self._write([item], alone=True)
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # the sender went away; its message is stored all the same
                continue
            if isinstance(outcome, DomainError):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
