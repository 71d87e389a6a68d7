"""Outcome situation: where a session was held, kept with its outcome so that evidence can be
kept per situation (catalogue/evidence): outcomes.modality ("online", "hybrid", "on-site") and
outcomes.group_size (how many took part, facilitators not counted). Both NULL for outcomes saved
before: their situation is not known.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outcomes") as batch:
        batch.add_column(sa.Column("modality", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("group_size", sa.Integer(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN on both backends (SQLite has it since 3.35), never a batch
    # copy of the table: on SQLite, with foreign keys on, dropping the old copy of `outcomes`
    # would delete every outcome's ratings and questions with it (ON DELETE CASCADE).
    with op.batch_alter_table("outcomes", recreate="never") as batch:
        batch.drop_column("group_size")
        batch.drop_column("modality")
