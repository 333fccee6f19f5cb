"""offline messages: chats started while the site was unavailable, FAQ saved replies

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27

- ``chats.offline_at`` marks a chat started as an offline message (its status moves on when an
  agent closes it; the KPIs still count it as offline). ``offline_notified_seq`` and
  ``offline_replied_seq`` are how far the shop's notify mails and the mails of agents' answers
  to the visitor have gone, so each message is mailed once.
- ``saved_replies.faq``: a shared reply the widget may suggest to visitors.
- FAQ search (app/replies/faq.py), kept out of the models like the message search of 0014:
  on SQLite an FTS5 table ``saved_replies_fts`` kept in step by triggers; on PostgreSQL the
  ranking reads ``to_tsvector('simple', ...)`` of the few FAQ replies of one site directly.
  Columns are added with plain ADD COLUMN (no table rebuild), so the triggers of 0014 stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER saved_replies_fts_insert AFTER INSERT ON saved_replies BEGIN
        INSERT INTO saved_replies_fts(rowid, title, body, reply_id)
        VALUES (new.rowid, new.title, new.body, new.id);
    END""",
    """CREATE TRIGGER saved_replies_fts_delete AFTER DELETE ON saved_replies BEGIN
        DELETE FROM saved_replies_fts WHERE rowid = old.rowid AND reply_id = old.id;
    END""",
    """CREATE TRIGGER saved_replies_fts_update AFTER UPDATE OF title, body ON saved_replies
    BEGIN
        DELETE FROM saved_replies_fts WHERE rowid = old.rowid AND reply_id = old.id;
        INSERT INTO saved_replies_fts(rowid, title, body, reply_id)
        VALUES (new.rowid, new.title, new.body, new.id);
    END""",
)


def upgrade() -> None:
    op.add_column("chats", sa.Column("offline_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "chats",
        sa.Column("offline_notified_seq", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "chats",
        sa.Column("offline_replied_seq", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "saved_replies",
        sa.Column("faq", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE saved_replies_fts USING fts5("
            "title, body, reply_id UNINDEXED, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        op.execute(
            "INSERT INTO saved_replies_fts(rowid, title, body, reply_id) "
            "SELECT rowid, title, body, id FROM saved_replies"
        )
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS saved_replies_fts_{name}")
        op.execute("DROP TABLE IF EXISTS saved_replies_fts")
    with op.batch_alter_table("saved_replies", schema=None) as batch_op:
        batch_op.drop_column("faq")
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.drop_column("offline_replied_seq")
        batch_op.drop_column("offline_notified_seq")
        batch_op.drop_column("offline_at")
