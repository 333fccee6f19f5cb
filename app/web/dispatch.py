"""Which frames each side of a socket may send, and who handles them: declared once per frame.

A domain's ``ws.py`` declares a handler with ``@handles(Model, "visitor", "agent")``, next to
nothing else: the model (in the domain's ``schemas.py``) says what the frame holds, the
decorator says who may send it and what runs. The socket endpoints read the tables built here,
so adding a frame is one edit in the domain, not three across the transport.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from app.common.events import Side
from app.common.wire import ClientFrame
from app.realtime.frames import FrameSet
from app.web.context import FrameContext

F = TypeVar("F", bound=ClientFrame)
Handler = Callable[[FrameContext, Any], Awaitable[None]]
TypedHandler = Callable[[FrameContext, F], Awaitable[None]]

_HANDLERS: dict[Side, dict[type[ClientFrame], Handler]] = {"visitor": {}, "agent": {}}


def handles(model: type[F], *sides: Side) -> Callable[[TypedHandler[F]], TypedHandler[F]]:
    """Register the decorated coroutine as the handler of ``model`` frames on ``sides``."""

    def register(handler: TypedHandler[F]) -> TypedHandler[F]:
        for side in sides:
            known = _HANDLERS[side].get(model)
            if known is not None and known is not handler:
                raise TypeError(f"{model.frame_type()} on the {side} side is handled twice")
            _HANDLERS[side][model] = handler
        return handler

    return register


@dataclass(frozen=True)
class SideTable:
    """What a socket of one side accepts: the parser for its frames and their handlers."""

    side: Side
    frames: FrameSet
    handlers: dict[type[ClientFrame], Handler]


def table(side: Side) -> SideTable:
    """The side's table; call after the domain ``ws`` modules were imported."""
    handlers = dict(_HANDLERS[side])
    return SideTable(side, FrameSet(handlers), handlers)
