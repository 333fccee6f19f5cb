"""Frames of the transport itself: liveness, resync after a broker outage, and errors."""

from __future__ import annotations

from typing import Literal

from app.common.errors import ErrorCode
from app.common.wire import ClientFrame, ServerFrame, omitted


class Pong(ServerFrame):
    audience_note = "the sender of ping, after every earlier frame of the socket took effect"
    type: Literal["pong"] = "pong"


class Resync(ServerFrame):
    audience_note = "every socket of a process whose broker was unreachable"
    type: Literal["resync"] = "resync"


class ErrorFrame(ServerFrame):
    audience_note = "the sender"
    type: Literal["error"] = "error"
    code: ErrorCode
    message: str
    ref: str | None
    chat_id: str | None = omitted("the chat the refused frame named")
    retry_after_s: int | None = omitted("with rate_limited: when trying again can succeed")


class Ping(ClientFrame):
    """Answered with ``pong`` after every earlier frame of the socket took effect: a client's
    (and a test's) fence."""

    type: Literal["ping"]
