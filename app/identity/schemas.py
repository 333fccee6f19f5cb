"""Identity on the wire."""

from __future__ import annotations

from pydantic import Field

from app.common.wire import WireModel


class IdentitySecret(WireModel):
    """A site's new identity secret: shown in this answer only; the previous one stops working."""

    secret: str = Field(examples=["3q2-7wAAAAB1c2VyLWlkZW50aXR5LXNlY3JldC1leGFtcGxl"])
