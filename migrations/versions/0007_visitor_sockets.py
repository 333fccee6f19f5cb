"""visitor sockets: which visitors are still there, across processes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visitor_sockets",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("visitor_id", sa.String(length=32), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_visitor_sockets_visitor_id_visitors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visitor_sockets")),
    )
    with op.batch_alter_table("visitor_sockets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visitor_sockets_visitor_id"), ["visitor_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_visitor_sockets_seen_at"), ["seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("visitor_sockets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visitor_sockets_seen_at"))
        batch_op.drop_index(batch_op.f("ix_visitor_sockets_visitor_id"))
    op.drop_table("visitor_sockets")
