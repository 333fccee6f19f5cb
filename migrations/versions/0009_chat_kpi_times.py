"""chat times for the KPIs: the visitor's first message, the first assignment

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_visitor_message_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("first_assigned_at", sa.DateTime(timezone=True), nullable=True)
        )
    # Chats from before: the visitor's first public message, and the last assignment (the
    # first one was not kept).
    op.execute(
        "UPDATE chats SET first_visitor_message_at = (SELECT MIN(m.created_at) FROM messages m"
        " WHERE m.chat_id = chats.id AND m.kind = 'public' AND m.author_type = 'visitor'),"
        " first_assigned_at = assigned_at"
    )
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.create_index("ix_chats_site_created", ["site_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.drop_index("ix_chats_site_created")
        batch_op.drop_column("first_assigned_at")
        batch_op.drop_column("first_visitor_message_at")
