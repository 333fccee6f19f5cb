"""Parsing of inbound frames at the edge: each side accepts its own frames, declared once."""

from __future__ import annotations

import pytest

from app.chat.schemas import ChatStart, MessageSend
from app.common.errors import BadRequest, TooLarge
from app.visitors.schemas import VisitorEvent
from app.web.ws_routes import AGENT_FRAMES, VISITOR_FRAMES


def test_parses_a_message_with_defaults() -> None:
    frame = AGENT_FRAMES.frames.parse(
        '{"type":"message.send","chat_id":"c","client_msg_id":"m","body":"  hi  "}', 1000
    )
    assert isinstance(frame, MessageSend)
    assert (frame.body, frame.kind, frame.attachment_ids) == ("hi", "public", [])


def test_the_side_decides_which_types_exist() -> None:
    with pytest.raises(BadRequest, match="unknown frame type"):
        VISITOR_FRAMES.frames.parse('{"type":"presence.set","status":"online"}', 1000)
    with pytest.raises(BadRequest, match="unknown frame type"):
        AGENT_FRAMES.frames.parse('{"type":"chat.start"}', 1000)


def test_every_accepted_frame_has_its_handler() -> None:
    for side in (VISITOR_FRAMES, AGENT_FRAMES):
        assert {m.frame_type() for m in side.handlers} == side.frames.types
        assert "ping" in side.frames.types


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
        VISITOR_FRAMES.frames.parse(raw, 10_000)
    assert err.value.message


def test_oversized_frames_are_refused_before_parsing() -> None:
    with pytest.raises(TooLarge):
        VISITOR_FRAMES.frames.parse("x" * 101, 100)


def test_invitation_frames_are_the_visitors() -> None:
    event = VISITOR_FRAMES.frames.parse(
        '{"type":"visitor.event","name":"cart.updated","data":{"value":12.5}}', 1000
    )
    assert isinstance(event, VisitorEvent)
    assert (event.name, event.data) == ("cart.updated", {"value": 12.5})
    start = VISITOR_FRAMES.frames.parse('{"type":"chat.start","invitation_id":"inv1"}', 1000)
    assert isinstance(start, ChatStart)
    assert start.invitation_id == "inv1"
    with pytest.raises(BadRequest, match="invitation_id"):
        VISITOR_FRAMES.frames.parse('{"type":"invitation.dismiss"}', 1000)
    with pytest.raises(BadRequest, match="name"):
        VISITOR_FRAMES.frames.parse('{"type":"visitor.event","name":""}', 1000)
    with pytest.raises(BadRequest, match="unknown frame type"):
        AGENT_FRAMES.frames.parse('{"type":"invitation.dismiss","invitation_id":"i"}', 1000)
