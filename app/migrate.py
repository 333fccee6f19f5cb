"""Run Alembic migrations programmatically (``parley migrate``, ``parley serve``, tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from app.resources import shipped_dir

MIGRATIONS_DIR = shipped_dir("migrations")


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url)
    return cfg


def upgrade(database_url: str) -> None:
    """Bring the database to the newest schema; must not be called from a running event loop."""
    command.upgrade(alembic_config(database_url), "head")
