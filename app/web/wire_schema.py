"""The socket protocol as JSON Schema, generated from the frame models.

Published as docs/frames.schema.json (``make schema``; a test keeps it current) and turned into
the browser client's types (client/src/frames.d.ts), so the documentation, the server and the
clients read one definition. Run ``python -m app.web.wire_schema`` to print it.
"""

from __future__ import annotations

import sys
from typing import Any

import orjson
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from app.common.wire import SERVER_FRAMES, ServerFrame
from app.web.ws_routes import AGENT_FRAMES, VISITOR_FRAMES

GROUPS = {
    "visitor_to_server": "What a visitor socket may send.",
    "agent_to_server": "What an agent socket (agents, supervisors, admins) may send.",
    "server_to_client": "What the server sends; each frame says who receives it.",
}


def server_frames() -> list[type[ServerFrame]]:
    return sorted(SERVER_FRAMES.values(), key=lambda m: (m.frame_type(), m.__name__))


def build() -> dict[str, Any]:
    """The whole protocol: one definition per model, and the three directions as ``oneOf``."""
    visitor = sorted(VISITOR_FRAMES.frames.models, key=lambda m: m.frame_type())
    agent = sorted(AGENT_FRAMES.frames.models, key=lambda m: m.frame_type())
    outgoing = server_frames()
    inbound = list(dict.fromkeys([*visitor, *agent]))
    requests: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        *((m, "validation") for m in inbound),
        *((m, "serialization") for m in outgoing),
    ]
    refs, top = models_json_schema(requests, ref_template="#/$defs/{model}")
    for definition in top["$defs"].values():
        # "Chat Id" says nothing the name does not; without titles, generated types stay inline.
        for prop in definition.get("properties", {}).values():
            prop.pop("title", None)
    for model in outgoing:
        definition = top["$defs"][model.__name__]
        # Always sent, though it has a default: clients switch on it.
        required = definition.setdefault("required", [])
        if "type" not in required:
            required.insert(0, "type")
        if model.audience_note:
            definition["x-parley-to"] = model.audience_note

    def one_of(models: list[Any], mode: JsonSchemaMode) -> dict[str, Any]:
        return {"oneOf": [refs[(m, mode)] for m in models]}

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://parley.example/frames.schema.json",
        "title": "Parley socket frames",
        "description": "Generated from the server's frame models; see docs/protocol.md.",
        "properties": {
            "visitor_to_server": {"description": GROUPS["visitor_to_server"]}
            | one_of(visitor, "validation"),
            "agent_to_server": {"description": GROUPS["agent_to_server"]}
            | one_of(agent, "validation"),
            "server_to_client": {"description": GROUPS["server_to_client"]}
            | one_of(outgoing, "serialization"),
        },
        "$defs": top["$defs"],
    }


def render() -> str:
    return orjson.dumps(build(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
