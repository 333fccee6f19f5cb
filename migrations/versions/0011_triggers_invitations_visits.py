"""proactive invitations: triggers, the visit state they are judged on, invitations

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "triggers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("site_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("exclude_urls", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("open_panel", sa.Boolean(), nullable=False),
        sa.Column("when_unavailable", sa.Boolean(), nullable=False),
        sa.Column("skill", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_triggers_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triggers")),
    )
    with op.batch_alter_table("triggers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_triggers_site_id"), ["site_id"], unique=False)

    op.create_table(
        "invitations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("site_id", sa.String(length=32), nullable=False),
        sa.Column("trigger_id", sa.String(length=32), nullable=True),
        sa.Column("visitor_id", sa.String(length=32), nullable=False),
        sa.Column("visit_no", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=32), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("chat_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_invitations_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_invitations_site_id_sites"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["trigger_id"],
            ["triggers.id"],
            name=op.f("fk_invitations_trigger_id_triggers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_invitations_visitor_id_visitors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("visitor_id", "visit_no", name=op.f("uq_invitations_visitor_id")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitations_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invitations_trigger_id"), ["trigger_id"], unique=False)

    op.create_table(
        "trigger_visits",
        sa.Column("visitor_id", sa.String(length=32), nullable=False),
        sa.Column("site_id", sa.String(length=32), nullable=False),
        sa.Column("visit_no", sa.Integer(), nullable=False),
        sa.Column("visit_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_view_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("page_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("page_views", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("referrer", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("cart_value", sa.Float(), nullable=True),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_trigger_visits_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_trigger_visits_visitor_id_visitors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("visitor_id", name=op.f("pk_trigger_visits")),
    )
    with op.batch_alter_table("trigger_visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trigger_visits_site_id"), ["site_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("trigger_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trigger_visits_site_id"))

    op.drop_table("trigger_visits")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_trigger_id"))
        batch_op.drop_index(batch_op.f("ix_invitations_site_id"))

    op.drop_table("invitations")
    with op.batch_alter_table("triggers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_triggers_site_id"))

    op.drop_table("triggers")
