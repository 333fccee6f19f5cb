"""post-chat surveys, and full-text search over message bodies

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26

Search (app/chat/search.py) is kept out of the models on purpose: it is dialect-specific.

- SQLite: an FTS5 table ``messages_fts`` kept in step by triggers, so every writer of messages
  (app/chat/messages.py, app/chat/batch.py, deletes by cascade) updates it in the same
  transaction without knowing of it. It stores its own copy of the body with the message's id,
  chat and kind rather than pointing at ``messages.rowid``: ``messages`` has a text primary key,
  whose implicit rowids VACUUM may renumber, which would silently point an external-content
  index at the wrong rows.
  NOTE for later migrations: a SQLite ``batch_alter_table("messages")`` recreates the table and
  drops these triggers; such a migration must create them again (``_sqlite_triggers``).
- PostgreSQL: a GIN index on ``to_tsvector('simple', body)``; the query uses the same expression.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts(rowid, body, message_id, chat_id, kind)
        VALUES (new.rowid, new.body, new.id, new.chat_id, new.kind);
    END""",
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        DELETE FROM messages_fts WHERE rowid = old.rowid AND message_id = old.id;
    END""",
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, kind ON messages BEGIN
        DELETE FROM messages_fts WHERE rowid = old.rowid AND message_id = old.id;
        INSERT INTO messages_fts(rowid, body, message_id, chat_id, kind)
        VALUES (new.rowid, new.body, new.id, new.chat_id, new.kind);
    END""",
)


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=32), nullable=False),
        sa.Column("site_id", sa.String(length=32), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_surveys_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_surveys_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_surveys_chat_id")),
    )
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveys_site_id"), ["site_id"], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE messages_fts USING fts5("
            "body, message_id UNINDEXED, chat_id UNINDEXED, kind UNINDEXED, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        op.execute(
            "INSERT INTO messages_fts(rowid, body, message_id, chat_id, kind) "
            "SELECT rowid, body, id, chat_id, kind FROM messages"
        )
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
    else:
        op.execute(
            "CREATE INDEX ix_messages_body_fts ON messages "
            "USING gin (to_tsvector('simple'::regconfig, body))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("messages_fts_insert", "messages_fts_delete", "messages_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS messages_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_messages_body_fts")
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveys_site_id"))
    op.drop_table("surveys")
