"""invitations: indexes for the KPIs (fired in a window per site; the invitation of a chat)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op


revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_invitations_site_fired", "invitations", ["site_id", "fired_at"])
    op.create_index("ix_invitations_chat", "invitations", ["chat_id"])


def downgrade() -> None:
    op.drop_index("ix_invitations_chat", table_name="invitations")
    op.drop_index("ix_invitations_site_fired", table_name="invitations")
