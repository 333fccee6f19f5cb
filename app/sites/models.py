from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from app.common.types import UTCDateTime, new_id, utcnow
from app.db import Base


class Site(Base):
    """A shop that embeds the widget; everything else belongs to exactly one site."""

    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    site_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Signs webhooks and nothing else, so rotating it never logs visitors out.
    secret: Mapped[str] = mapped_column(String(128))
    allowed_origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    theme_color: Mapped[str] = mapped_column(String(16), default="#0f766e")
    greeting: Mapped[str] = mapped_column(String(300), default="Questions? We're here to help.")
    # Keys the identity hash of verified customers (HMAC-SHA256 of ``user.id``); None until an
    # admin asks for one. Settings say whether an unsigned ``user`` is refused.
    identity_secret: Mapped[str | None] = mapped_column(String(128), default=None)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
