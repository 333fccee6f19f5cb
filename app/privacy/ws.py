"""Privacy frames on the sockets: none come in; ``visitor.erased`` goes out to the site's staff
(app/privacy/service.py emits it). Importing this module registers the frame for the published
schema and the protocol page."""

from __future__ import annotations

from app.privacy.schemas import VisitorErased

__all__ = ["VisitorErased"]
