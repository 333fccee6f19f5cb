"""The typed wire: every frame the server sends is a model of this kind, built in its domain.

A frame model is declared once, in its domain's ``schemas.py``; declaring it registers it, so
the published JSON Schema (docs/frames.schema.json), the protocol-doc test and the browser
client's types all read the same list. Inside the server a frame travels as the plain dict
``dump()`` returns (the hub, the broker and the visibility rule work on dicts).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.common.types import iso


def _iso_if_time(value: object) -> object:
    return iso(value) if isinstance(value, datetime) else value


# A time read from a row (``Model.model_validate(row)``) goes on the wire as ``iso()`` writes it.
WireTime = Annotated[str | None, BeforeValidator(_iso_if_time)]


class WireModel(BaseModel):
    """Part of an answer: extra fields are a programming error, not something to pass on."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    def dump(self) -> dict[str, Any]:
        """As it goes over the wire (JSON-ready)."""
        return self.model_dump(mode="json")


def _is_none(value: object) -> bool:
    return value is None


def omitted(description: str | None = None) -> Any:
    """An optional field that is left out of the frame, not sent as null, when it has no value
    (``reason`` on ``chat.closed``, ``chat_id`` on ``error``)."""
    return Field(default=None, exclude_if=_is_none, description=description)


# Every outgoing frame model by class name, filled as the modules that declare them are
# imported. A type may have one model per side (``hello`` differs for visitors and agents).
SERVER_FRAMES: dict[str, type[ServerFrame]] = {}


class ServerFrame(WireModel):
    """An outgoing frame; subclasses narrow ``type`` to one ``Literal``."""

    type: str
    # Who receives it, for the protocol page ("the visitor", "chat members", ...).
    audience_note: ClassVar[str] = ""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        (kind,) = get_args(cls.model_fields["type"].annotation) or (None,)
        if not isinstance(kind, str):
            raise TypeError(f"{cls.__name__}.type must be one Literal string")
        known = SERVER_FRAMES.get(cls.__name__)
        if known is not None and known.__module__ != cls.__module__:
            raise TypeError(f"frame model {cls.__name__} declared twice: {known} and {cls}")
        SERVER_FRAMES[cls.__name__] = cls

    @classmethod
    def frame_type(cls) -> str:
        kind: str = get_args(cls.model_fields["type"].annotation)[0]
        return kind


class ClientFrame(BaseModel):
    """A frame a client sends: parsed once at the edge. Unknown fields are ignored, so a newer
    client still talks to an older server; text is trimmed."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @classmethod
    def frame_type(cls) -> str:
        kind: str = get_args(cls.model_fields["type"].annotation)[0]
        return kind


ChatId = Annotated[str, Field(min_length=1, max_length=64)]
ClientMsgId = Annotated[str, Field(min_length=1, max_length=64)]
Body = Annotated[str, Field(min_length=1, max_length=5000)]
