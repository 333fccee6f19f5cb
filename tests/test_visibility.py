"""The one visibility rule, on the frames it decides."""

from __future__ import annotations

from typing import Any

from app.realtime.visibility import ViewerIdentity, is_own_echo, message_for, present


def message(kind: str, seq: int, public_seq: int | None) -> dict[str, Any]:
    return {
        "id": f"m{seq}",
        "seq": seq,
        "public_seq": public_seq,
        "kind": kind,
        "author": {"type": "agent", "id": "a1", "name": "Alice"},
        "body": kind,
    }


def frame(msg: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message.new", "chat_id": "c1", "message": msg}


def test_visitor_never_sees_whispers_or_notes() -> None:
    for kind in ("whisper", "note"):
        assert present(frame(message(kind, 3, None)), "staff", "visitor") is None
        assert present(frame(message(kind, 3, None)), "everyone", "visitor") is None
        assert message_for("visitor", message(kind, 3, None)) is None


def test_visitor_sees_public_messages_in_its_own_numbering() -> None:
    shown = present(frame(message("public", 5, 2)), "everyone", "visitor")
    assert shown is not None
    assert shown["message"]["seq"] == 2
    assert "public_seq" not in shown["message"]


def test_staff_see_every_kind_in_chat_numbering() -> None:
    for kind, public_seq in (("whisper", None), ("note", None), ("public", 2)):
        shown = present(frame(message(kind, 5, public_seq)), "staff", "agent")
        assert shown is not None
        assert shown["message"]["seq"] == 5
        assert "public_seq" not in shown["message"]


def test_staff_audience_frames_never_reach_visitors() -> None:
    presence = {"type": "presence.update", "agent_id": "a1", "status": "online"}
    assert present(presence, "staff", "visitor") is None
    assert present(presence, "staff", "agent") == presence


def test_typing_goes_to_the_other_side_only() -> None:
    typing = {
        "type": "typing",
        "chat_id": "c1",
        "active": True,
        "author": {"type": "visitor", "id": "v1", "name": "Maja"},
    }
    assert present(typing, "everyone", "visitor") is None
    assert present(typing, "everyone", "agent") == typing
    assert is_own_echo(typing, ViewerIdentity("visitor", "v1"))
    assert not is_own_echo(typing, ViewerIdentity("agent", "a1"))
