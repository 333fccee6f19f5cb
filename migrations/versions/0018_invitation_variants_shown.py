"""Invitations: A/B variants, shown, re-judged when an agent becomes available

triggers.variants, invitations.variant_id and invitations.shown_at,
trigger_visits.awaiting_agent_at. Invitations fired before this were of the one variant "a".

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("triggers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("variants", sa.JSON(), nullable=True))
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("variant_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("shown_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("trigger_visits", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("awaiting_agent_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE invitations SET variant_id = 'a' WHERE trigger_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("trigger_visits", schema=None) as batch_op:
        batch_op.drop_column("awaiting_agent_at")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("shown_at")
        batch_op.drop_column("variant_id")
    with op.batch_alter_table("triggers", schema=None) as batch_op:
        batch_op.drop_column("variants")
