"""docs/protocol.md and docs/frames.schema.json stay true to the frame models.

The schema is generated from the models (app/web/wire_schema.py) and published; the
protocol page's three frame tables must list exactly the frames of each direction, and each
row must name every field its frame's model has.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from app.common.wire import ClientFrame, ServerFrame
from app.web import wire_schema
from app.web.ws_routes import AGENT_FRAMES, VISITOR_FRAMES

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGE = DOCS / "protocol.md"


def rows(section: str) -> dict[str, str]:
    """Each frame type named in the first column of a section's tables, with its row's text."""
    text = PAGE.read_text(encoding="utf-8")
    body = text.split(f"### {section}", 1)[1].split("\n### ", 1)[0]
    found: dict[str, str] = {}
    for line in body.splitlines():
        cells = line.split("|")
        if len(cells) < 3 or not line.startswith("| `"):
            continue
        for kind in re.findall(r"`([\w.]+)`", cells[1]):
            found[kind] = found.get(kind, "") + line
    return found


def models_by_type(models: Any) -> dict[str, list[type[ClientFrame] | type[ServerFrame]]]:
    grouped: dict[str, list[Any]] = {}
    for model in models:
        grouped.setdefault(model.frame_type(), []).append(model)
    return grouped


DIRECTIONS = {
    "Visitor → server": models_by_type(VISITOR_FRAMES.frames.models),
    "Agent → server": models_by_type(AGENT_FRAMES.frames.models),
    "Server → clients": models_by_type(wire_schema.server_frames()),
}


def test_the_published_schema_is_generated_from_the_models() -> None:
    published = (DOCS / "frames.schema.json").read_text(encoding="utf-8")
    assert published == wire_schema.render(), "docs/frames.schema.json is stale: run make schema"


@pytest.mark.parametrize("section", list(DIRECTIONS))
def test_every_frame_is_listed_and_every_listed_frame_exists(section: str) -> None:
    listed = set(rows(section))
    declared = set(DIRECTIONS[section])
    assert listed, f"no frames found under {section!r}"
    assert listed - declared == set(), "documented but not declared by the server"
    assert declared - listed == set(), "declared by the server but not documented"


@pytest.mark.parametrize("section", list(DIRECTIONS))
def test_every_row_names_every_field_of_its_frame(section: str) -> None:
    table = rows(section)
    missing = {
        f"{kind}.{field}"
        for kind, models in DIRECTIONS[section].items()
        for model in models
        for field in model.model_fields
        if field != "type" and f"`{field}`" not in table.get(kind, "")
    }
    assert missing == set(), "fields the protocol page does not mention"


def test_each_side_handles_what_it_parses() -> None:
    for accepts in (VISITOR_FRAMES, AGENT_FRAMES):
        assert set(accepts.handlers) == set(accepts.frames.models)
