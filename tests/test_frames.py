"""Parsing of inbound frames at the edge."""

from __future__ import annotations

import pytest

from app.common.errors import BadRequest, TooLarge
from app.realtime import frames


def test_parses_a_message_with_defaults() -> None:
    frame = frames.parse(
        '{"type":"message.send","chat_id":"c","client_msg_id":"m","body":"  hi  "}', "agent", 1000
    )
    assert isinstance(frame, frames.MessageSend)
    assert (frame.body, frame.kind, frame.attachment_ids) == ("hi", "public", [])


def test_role_decides_which_types_exist() -> None:
    with pytest.raises(BadRequest, match="unknown frame type"):
        frames.parse('{"type":"presence.set","status":"online"}', "visitor", 1000)
    with pytest.raises(BadRequest, match="unknown frame type"):
        frames.parse('{"type":"chat.start"}', "agent", 1000)


@pytest.mark.parametrize(
    "raw",
    [
        '{"type":"message.send","chat_id":"c","client_msg_id":"m","body":"   "}',
        '{"type":"chat.start","pre_chat":{"email":"not-an-address"}}',
        '{"type":"message.send","chat_id":"c","client_msg_id":"m","body":"x","kind":"shout"}',
    ],
)
def test_bad_fields_are_explained(raw: str) -> None:
    with pytest.raises(BadRequest) as err:
        frames.parse(raw, "visitor", 10_000)
    assert err.value.message


def test_oversized_frames_are_refused_before_parsing() -> None:
    with pytest.raises(TooLarge):
        frames.parse("x" * 101, "visitor", 100)


def test_invitation_frames_are_the_visitors() -> None:
    event = frames.parse(
        '{"type":"visitor.event","name":"cart.updated","data":{"value":12.5}}', "visitor", 1000
    )
    assert isinstance(event, frames.VisitorEvent)
    assert (event.name, event.data) == ("cart.updated", {"value": 12.5})
    start = frames.parse('{"type":"chat.start","invitation_id":"inv1"}', "visitor", 1000)
    assert isinstance(start, frames.ChatStart)
    assert start.invitation_id == "inv1"
    with pytest.raises(BadRequest, match="invitation_id"):
        frames.parse('{"type":"invitation.dismiss"}', "visitor", 1000)
    with pytest.raises(BadRequest, match="name"):
        frames.parse('{"type":"visitor.event","name":""}', "visitor", 1000)
    with pytest.raises(BadRequest, match="unknown frame type"):
        frames.parse('{"type":"invitation.dismiss","invitation_id":"i"}', "agent", 1000)
