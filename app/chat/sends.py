"""What the message writer takes and gives back, shared by its two ways of writing a batch."""

from __future__ import annotations

from dataclasses import dataclass

from app.chat.messages import Kind
from app.chat.service import Ack
from app.common.actor import Actor
from app.common.errors import DomainError


@dataclass(frozen=True, slots=True)
class Send:
    """A text message to store: who sends it, where, and the client's id for it."""

    actor: Actor
    chat_id: str
    body: str
    kind: Kind
    client_msg_id: str


# The ack of a stored (or already stored) message, or why it was refused.
Outcome = Ack | DomainError
