"""visitor events: what the shop's page reports through Parley.track (cart, orders, its own)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visitor_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("site_id", sa.String(length=32), nullable=False),
        sa.Column("visitor_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("chat_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_visitor_events_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_visitor_events_visitor_id_visitors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visitor_events")),
    )
    with op.batch_alter_table("visitor_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visitor_events_visitor_name", ["visitor_id", "name", "id"], unique=False
        )
        batch_op.create_index(
            "ix_visitor_events_site_name_created", ["site_id", "name", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("visitor_events", schema=None) as batch_op:
        batch_op.drop_index("ix_visitor_events_site_name_created")
        batch_op.drop_index("ix_visitor_events_visitor_name")
    op.drop_table("visitor_events")
