"""Cheaper page views with triggers: trigger_sets (a site's triggers' version, for the
in-process compiled triggers) and trigger_visits.timer_at (when the visitor's timer is set
for, so a page view that does not move it writes nothing)

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-27

Every site that has triggers gets version 1. ``timer_at`` starts empty: a visitor whose timer
is pending keeps it (the job row), and the timer's run sets ``timer_at`` from then on.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trigger_sets",
        sa.Column("site_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_trigger_sets_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_trigger_sets")),
    )  # fmt: skip
    op.execute(
        "INSERT INTO trigger_sets (site_id, version) SELECT DISTINCT site_id, 1 FROM triggers"
    )
    with op.batch_alter_table("trigger_visits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timer_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("trigger_visits", schema=None) as batch_op:
        batch_op.drop_column("timer_at")
    op.drop_table("trigger_sets")
