from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.common.types import UTCDateTime, new_id, utcnow
from app.db import Base


class ApiToken(Base):
    """A site's long-lived bearer token for an integration (a CRM), stored as a keyed hash.

    The token is ``pk_<id>_<secret>``: the id finds the row, the secret is compared in constant
    time with ``secret_hash``. Deleting the row revokes it; every request reads the row, so a
    revocation holds on every process at once.
    """

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # "agent": every chat of the site; "admin": also the admin routes.
    role: Mapped[str] = mapped_column(String(16), default="agent")
    # "read": GET only; "write": every method the role allows.
    scope: Mapped[str] = mapped_column(String(16), default="write")
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Refreshed at most once a minute (see service.LAST_USED_GRANULARITY).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
