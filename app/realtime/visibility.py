"""The one visibility rule: what each kind of socket may see of a frame.

Every frame that reaches a socket, live or replayed by ``resume``, passes through here.
Whispers and notes exist only for staff; a visitor sees public messages numbered by the
visitor-facing counter, so its ``seq`` starts at 1 and has no gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.common.events import Audience, Side


@dataclass(frozen=True, slots=True)
class ViewerIdentity:
    side: Side
    id: str


def present(frame: dict[str, Any], audience: Audience, viewer: Side) -> dict[str, Any] | None:
    """The frame as this kind of viewer may see it, or None when it must not reach them."""
    kind = frame.get("type")
    if viewer == "visitor":
        if audience != "everyone":
            return None
        if kind == "typing" and frame["author"].get("type") == "visitor":
            return None
    if kind == "message.new":
        message = message_for(viewer, frame["message"])
        return None if message is None else {**frame, "message": message}
    return frame


def is_own_echo(frame: dict[str, Any], viewer: ViewerIdentity) -> bool:
    """A typing indicator never goes back to the person typing."""
    return frame.get("type") == "typing" and frame["author"].get("id") == viewer.id


def message_for(viewer: Side, message: dict[str, Any]) -> dict[str, Any] | None:
    """A stored message as this viewer sees it (None: not at all)."""
    shown = {k: v for k, v in message.items() if k != "public_seq"}
    if viewer == "agent":
        return shown
    if message.get("kind") != "public" or message.get("public_seq") is None:
        return None
    shown["seq"] = message["public_seq"]
    return shown
