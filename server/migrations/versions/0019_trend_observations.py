"""Trends: what each participant observed in a session with an outcome (trend_observations):
their goal ratings and chart positions, with their group member id when they were one.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trend_observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("participant", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.String(length=24), nullable=True),
        sa.Column("measure", sa.String(length=90), nullable=False),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcomes.id"],
            name=op.f("fk_trend_observations_outcome_id_outcomes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["group_members.member_id"],
            name=op.f("fk_trend_observations_member_id_group_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trend_observations")),
    )
    op.create_index(op.f("ix_trend_observations_outcome_id"), "trend_observations", ["outcome_id"])
    op.create_index(op.f("ix_trend_observations_member_id"), "trend_observations", ["member_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_trend_observations_member_id"), table_name="trend_observations")
    op.drop_index(op.f("ix_trend_observations_outcome_id"), table_name="trend_observations")
    op.drop_table("trend_observations")
