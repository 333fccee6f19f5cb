"""Inbound socket frames, parsed once at the edge into typed models (discriminated on ``type``).

Transport only: which models a socket accepts is given by the edge (app/web/dispatch.py), each
declared in its domain's ``schemas.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Union

import orjson
from pydantic import Field, TypeAdapter, ValidationError

from app.common.errors import BadRequest, TooLarge
from app.common.wire import ClientFrame


class FrameSet:
    """The frames one side of a socket may send, and the parser for them."""

    def __init__(self, models: Iterable[type[ClientFrame]]) -> None:
        self.models = tuple(models)
        self.types = frozenset(m.frame_type() for m in self.models)
        union: Any = Union[self.models]  # noqa: UP007 - a runtime tuple of models
        self._adapter = TypeAdapter[Any](Annotated[union, Field(discriminator="type")])

    def parse(self, raw: str | bytes, max_bytes: int) -> ClientFrame:
        """A typed frame, or BadRequest/TooLarge carrying a message a developer can act on."""
        if len(raw) > max_bytes:
            raise TooLarge(f"frame larger than {max_bytes} bytes")
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise BadRequest("frame is not valid JSON") from None
        if not isinstance(data, dict):
            raise BadRequest("frame must be a JSON object")
        kind = data.get("type")
        if not isinstance(kind, str) or kind not in self.types:
            raise BadRequest(f"unknown frame type {kind!r}")
        try:
            frame: ClientFrame = self._adapter.validate_python(data)
        except ValidationError as exc:
            raise BadRequest(_describe(exc)) from None
        return frame


def client_ref(raw: str | bytes) -> str | None:
    """The client_msg_id of a frame, if one can be read, so an error can name what it refuses."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    ref = data.get("client_msg_id") if isinstance(data, dict) else None
    return ref if isinstance(ref, str) else None


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err["loc"][1:]) or "frame"
        parts.append(f"{loc}: {err['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)
