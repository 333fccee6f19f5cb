"""agent_presence (status periods, for utilisation and staffing KPIs); indexes for chats by
close time and page views by site and time

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_presence",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True,
            nullable=False,
        ),
        sa.Column("site_id", sa.String(length=32), nullable=False),
        sa.Column("agent_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_agent_presence_agent_id_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_agent_presence_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_presence")),
    )  # fmt: skip
    op.create_index("ix_agent_presence_site_ended", "agent_presence", ["site_id", "ended_at"])
    op.create_index("ix_agent_presence_agent_ended", "agent_presence", ["agent_id", "ended_at"])
    op.create_index("ix_chats_site_closed", "chats", ["site_id", "closed_at", "created_at"])
    op.create_index(
        "ix_page_views_site_created", "page_views", ["site_id", "created_at", "visitor_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_page_views_site_created", table_name="page_views")
    op.drop_index("ix_chats_site_closed", table_name="chats")
    op.drop_index("ix_agent_presence_agent_ended", table_name="agent_presence")
    op.drop_index("ix_agent_presence_site_ended", table_name="agent_presence")
    op.drop_table("agent_presence")
