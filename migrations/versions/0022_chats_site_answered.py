"""Index of chats by site and first answer, for the KPIs' assisted orders and conversion

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_chats_site_answered", "chats", ["site_id", "first_response_at", "visitor_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_chats_site_answered", table_name="chats")
