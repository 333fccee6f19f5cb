"""Socket frames of the chat domain."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from app.chat import service
from app.chat.access import ChatAction, authorize
from app.chat.batch import Send
from app.chat.resumes import HistoryRequest
from app.chat.schemas import (
    ChatClose,
    ChatStart,
    MessageNew,
    MessageSend,
    Resume,
    ResumeDone,
    Typing,
    TypingAuthor,
    TypingNotice,
)
from app.common.enums import ChatStatus
from app.common.events import Event, chat_topic
from app.common.types import new_id, utcnow
from app.metrics import MESSAGES
from app.routing import lifecycle
from app.triggers import hand
from app.triggers import service as triggers
from app.web.context import FrameContext
from app.web.dispatch import handles


@handles(ChatStart, "visitor")
async def on_chat_start(ctx: FrameContext, frame: ChatStart) -> None:
    pre_chat = frame.pre_chat.model_dump(exclude_none=True)
    # The chat's id is chosen here and this socket subscribed before anything is published:
    # with several processes, a subscription made on hearing "chat.started" could be late.
    new_chat_id = new_id()
    await ctx.hub.subscribe(ctx.conn, chat_topic(new_chat_id))
    opened: str | None = None
    try:
        async with ctx.uow() as uow:
            prefer = (
                await hand.inviting_agent(uow, ctx.actor.id, frame.invitation_id)
                if frame.invitation_id
                else None
            )
            chat, ack = await lifecycle.start_chat(
                uow,
                ctx.actor,
                pre_chat,
                frame.message,
                frame.client_msg_id,
                ctx.policy,
                chat_id=new_chat_id,
                now=ctx.state.clock(),
                prefer_agent_id=prefer,
            )
            if frame.invitation_id:
                # An unknown id does not cost the visitor their chat: it is just not counted.
                await triggers.accept(uow, ctx.actor.id, frame.invitation_id, chat.id, utcnow())
        opened = chat.id
    finally:
        if opened != new_chat_id:  # failed, or an open chat was returned instead
            await ctx.hub.unsubscribe(ctx.conn, chat_topic(new_chat_id))
    await ctx.hub.subscribe(ctx.conn, chat_topic(chat.id))
    if pre_chat.get("name"):
        ctx.conn.display_name = str(pre_chat["name"])
    if ack is not None:
        ctx.reply(ack.frame())


@handles(MessageSend, "visitor", "agent")
async def on_message_send(ctx: FrameContext, frame: MessageSend) -> None:
    for attempt in (1, 2):
        try:
            if frame.attachment_ids:
                async with ctx.uow() as uow:
                    ack = await service.send_message(
                        uow,
                        ctx.actor,
                        frame.chat_id,
                        frame.body,
                        frame.kind,
                        frame.client_msg_id,
                        frame.attachment_ids,
                    )
            else:  # text: committed together with whatever else is being sent right now
                ack = await ctx.state.writer.send(
                    Send(ctx.actor, frame.chat_id, frame.body, frame.kind, frame.client_msg_id)
                )
            break
        except IntegrityError as exc:
            # The same client_msg_id raced in on another socket; the retry finds it stored.
            if attempt == 2 or not service.is_duplicate_race(exc):
                raise
    MESSAGES.labels(frame.kind).inc()
    ctx.reply(ack.frame())


@handles(Typing, "visitor", "agent")
async def on_typing(ctx: FrameContext, frame: Typing) -> None:
    # Checked every time, not inferred from a subscription: reading a chat (an archived one,
    # a monitored one) does not make one a participant.
    async with ctx.uow() as uow:
        await service.authorized_chat(uow, ctx.actor, frame.chat_id, ChatAction.WRITE)
    topic = chat_topic(frame.chat_id)
    author = TypingAuthor(type=ctx.actor.side, id=ctx.actor.id, name=ctx.conn.display_name)
    notice = TypingNotice(chat_id=frame.chat_id, author=author, active=frame.active)
    await ctx.hub.publish(Event(topic, notice.dump()))


@handles(ChatClose, "visitor", "agent")
async def on_chat_close(ctx: FrameContext, frame: ChatClose) -> None:
    async with ctx.uow() as uow:
        await lifecycle.close_chat(uow, ctx.actor, frame.chat_id, ctx.policy)


@handles(Resume, "visitor", "agent")
async def on_resume(ctx: FrameContext, frame: Resume) -> None:
    """Subscribe first, then read history, holding live frames until the history is sent:
    nothing published in between is missed, nothing overtakes the replay, and a message both
    held and read, or sent live right after ``after_seq``, is sent once (exactly once on the
    wire after a reconnect storm: docs/performance.md)."""
    topic = chat_topic(frame.chat_id)
    # Judged on what was sent before the hold: a frame held from here on is not sent yet.
    after_seq = ctx.conn.resume_from(topic, frame.after_seq)
    ctx.conn.hold()
    try:
        chat_id, status, shown = await _read_for_resume(ctx, frame.chat_id, topic, after_seq)
    except BaseException:
        ctx.conn.release()
        raise
    last_seq = shown[-1]["seq"] if shown else after_seq
    replay = [MessageNew.replay(chat_id, m) for m in shown]
    # A very long chat comes in pages: "more" asks the client to resume again from last_seq.
    done = ResumeDone(
        chat_id=chat_id,
        last_seq=last_seq,
        status=ChatStatus(status),
        more=len(shown) >= service.RESUME_PAGE,
    ).dump()
    ctx.conn.release_replay(chat_id, last_seq, *replay, done)


async def _read_for_resume(
    ctx: FrameContext, chat_id: str, topic: str, after_seq: int
) -> tuple[str, str, list[dict[str, Any]]]:
    """Authorise, subscribe, read: the chat's id and status and the messages to replay."""
    reader = ctx.state.history
    if reader is None:
        # One transaction: after a storm of reconnects, every resume waits its turn for it.
        async with ctx.uow() as uow:
            await service.authorized_chat(uow, ctx.actor, chat_id, ChatAction.READ)
            await ctx.hub.subscribe(ctx.conn, topic)
            chat, shown = await service.history(uow, ctx.actor, chat_id, after_seq)
        return chat.id, chat.status, shown
    # On SQLite, resumes arriving together share their reads (app/chat/resumes.py). A socket
    # that follows the chat already (a visitor's, since it opened) was authorised for it then,
    # and is again below, before anything is sent.
    if topic not in ctx.conn.topics:
        authorize(ctx.actor, ChatAction.READ, await reader.chat(chat_id))
        await ctx.hub.subscribe(ctx.conn, topic)
    request = HistoryRequest(ctx.actor.side, chat_id, after_seq, service.RESUME_PAGE)
    row, shown = await reader.history(request)
    now = authorize(ctx.actor, ChatAction.READ, row)
    return now.id, now.status, shown
