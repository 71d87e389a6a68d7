"""The sharing gate: every outcome keeps its texts as they leave the group (participants'
names as pseudonyms, others de-identified), the facilitator's review of that, and each
knowledge question's shared text.

Outcomes composed before this revision get their gated version from `werkplaats migrate`
(catalogue.outcomes.gate.regate_missing), which needs the sessions' participant names.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outcomes") as batch:
        batch.add_column(sa.Column("gated", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("review", sa.JSON(), nullable=True))
    with op.batch_alter_table("knowledge_questions") as batch:
        batch.add_column(sa.Column("shared_text", sa.Text(), nullable=True))


def downgrade() -> None:
    # Dropped in place, never by a batch copy: on SQLite, with foreign keys on, dropping the old
    # copy of `outcomes` deletes every outcome's ratings and questions with it (ON DELETE CASCADE).
    with op.batch_alter_table("knowledge_questions", recreate="never") as batch:
        batch.drop_column("shared_text")
    with op.batch_alter_table("outcomes", recreate="never") as batch:
        batch.drop_column("review")
        batch.drop_column("gated")
