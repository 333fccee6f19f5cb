"""docs/protocol.md stays true: every frame it lists for clients is one the server handles, and
every frame the server handles is listed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pytest

from app.realtime import frames
from app.web.ws_routes import AGENT_HANDLERS, VISITOR_HANDLERS

DOC = Path(__file__).resolve().parents[1] / "docs" / "protocol.md"


def documented(section: str) -> set[str]:
    """The frame types in the first column of a section's table."""
    text = DOC.read_text(encoding="utf-8")
    body = text.split(f"### {section}", 1)[1].split("\n### ", 1)[0]
    return {m.group(1) for m in re.finditer(r"^\| `([\w.]+)`", body, flags=re.MULTILINE)}


@pytest.mark.parametrize(
    ("section", "side"), [("Visitor → server", "visitor"), ("Agent → server", "agent")]
)
def test_every_listed_client_frame_is_handled_and_every_handled_one_listed(
    section: str, side: Literal["visitor", "agent"]
) -> None:
    listed = documented(section)
    handled = frames.frame_types(side)
    table = VISITOR_HANDLERS if side == "visitor" else AGENT_HANDLERS
    assert {frames.type_of(model) for model in table} == handled, "parsed but not dispatched"
    assert listed, f"no frames found under {section!r}"
    assert listed - handled == set(), "documented but refused by the server"
    assert handled - listed == set(), "handled but not documented"
