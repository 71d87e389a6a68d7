"""Bounded joins: new participants per client address and session (participant_joins, kept an
hour), a session's own maximum of participants (live_sessions.max_participants; NULL means
the default for its modality, see sessions/joins.py), and a digest of the code of each counted
join attempt (join_failures.code: different codes are counted, server/limits.py).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "participant_joins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_participant_joins_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_joins")),
    )
    op.create_index(
        "ix_participant_joins_session_client_at",
        "participant_joins",
        ["session_id", "client", "at"],
    )
    op.create_index(op.f("ix_participant_joins_at"), "participant_joins", ["at"])
    with op.batch_alter_table("live_sessions") as batch:
        batch.add_column(sa.Column("max_participants", sa.Integer(), nullable=True))
    with op.batch_alter_table("join_failures") as batch:
        batch.add_column(sa.Column("code", sa.String(length=16), nullable=True))


def downgrade() -> None:
    # Dropped in place (ALTER TABLE ... DROP COLUMN; SQLite has it since 3.35), never by a batch
    # copy: on SQLite, with foreign keys on, dropping the old copy of `live_sessions` deletes
    # every session's event log and snapshot with it (ON DELETE CASCADE).
    with op.batch_alter_table("join_failures", recreate="never") as batch:
        batch.drop_column("code")
    with op.batch_alter_table("live_sessions", recreate="never") as batch:
        batch.drop_column("max_participants")
    op.drop_index(op.f("ix_participant_joins_at"), table_name="participant_joins")
    op.drop_index("ix_participant_joins_session_client_at", table_name="participant_joins")
    op.drop_table("participant_joins")
