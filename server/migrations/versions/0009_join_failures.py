"""Wrong join codes per client address, counted in the database so the limit on guessing holds
across server processes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "join_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_failures")),
    )
    op.create_index("ix_join_failures_client_at", "join_failures", ["client", "at"])


def downgrade() -> None:
    op.drop_index("ix_join_failures_client_at", table_name="join_failures")
    op.drop_table("join_failures")
