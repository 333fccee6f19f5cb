"""uploads: one file per upload (unique storage keys)

Before this revision every upload of a site was stored under ``<site>/None`` (the key was built
before the row had an id), so the bytes behind all those rows are the last upload's. They
cannot be told apart any more: each row gets its own key, which finds no file, so a download
answers 404 instead of someone else's file.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE attachments SET storage_key = site_id || '/' || id "
        "WHERE storage_key NOT LIKE '%/' || id"
    )
    with op.batch_alter_table("attachments") as batch:
        batch.create_unique_constraint(batch.f("uq_attachments_storage_key"), ["storage_key"])


def downgrade() -> None:
    with op.batch_alter_table("attachments") as batch:
        batch.drop_constraint(batch.f("uq_attachments_storage_key"), type_="unique")
