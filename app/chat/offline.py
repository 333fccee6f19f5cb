"""Mail follow-ups of offline chats: a message stored in one sets a durable timer that mails it.

The timers are rows (app/jobs), set in the transaction that stores the message, so a message
that was acked is mailed even if this process dies right after. The mails themselves are built
by app/offline/service.py, which owns the job kinds' handlers.
"""

from __future__ import annotations

from datetime import timedelta

from app.common.types import utcnow
from app.common.uow import UnitOfWork
from app.jobs import service as jobs

# The visitor's messages go to the shop's notify addresses; agents' answers go to the visitor.
NOTIFY_JOB = "offline.notify"
REPLY_JOB = "offline.reply"
# Messages written within this long share one mail (a digest); well inside the 10 s promised.
DIGEST_S = 2.0


def follow_up(uow: UnitOfWork, chat_id: str, author_type: str) -> None:
    """A public message was stored in an offline chat: mail it (with any that follow within
    DIGEST_S). ``ensure`` keeps the first due time, so a stream of messages cannot delay it."""
    kind = NOTIFY_JOB if author_type == "visitor" else REPLY_JOB
    key = f"{kind}:{chat_id}"
    due = utcnow() + timedelta(seconds=DIGEST_S)

    async def schedule() -> None:
        await jobs.ensure(uow, key, kind, due, {"chat_id": chat_id})

    uow.before_commit(schedule)
