"""Covering indexes for the KPIs: the window's chats read from ix_chats_site_created alone, and
the answers before each order from ix_chats_visitor_answered alone

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-27

``ix_chats_site_created`` (``site_id``, ``created_at``) gains the columns a report reads of each
chat, so the window's chats need no table lookup per chat; its prefix is unchanged, so every
query that used it still can. ``ix_chats_visitor_answered`` (``visitor_id``,
``first_response_at``) answers "was this visitor answered in the assist window before the
order" from the index, once per order event.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COVERING = [
    "site_id",
    "created_at",
    "agent_id",
    "skill",
    "status",
    "first_visitor_message_at",
    "first_response_at",
    "first_assigned_at",
    "closed_at",
    "offline_at",
    "id",
]


def upgrade() -> None:
    op.drop_index("ix_chats_site_created", table_name="chats")
    op.create_index("ix_chats_site_created", "chats", COVERING)
    op.create_index("ix_chats_visitor_answered", "chats", ["visitor_id", "first_response_at"])


def downgrade() -> None:
    op.drop_index("ix_chats_visitor_answered", table_name="chats")
    op.drop_index("ix_chats_site_created", table_name="chats")
    op.create_index("ix_chats_site_created", "chats", ["site_id", "created_at"])
