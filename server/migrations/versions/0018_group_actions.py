"""Actions that come back: the actions agreed in a group's session, each with an owner (a
member, or NULL for the group) and an optional date (group_actions). Their status is in the
logs of the group's later sessions, not here.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("owner", sa.String(length=24), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_actions_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_group_actions_session_id_live_sessions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["group_members.member_id"],
            name=op.f("fk_group_actions_owner_group_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_actions")),
        sa.UniqueConstraint("public_id", name=op.f("uq_group_actions_public_id")),
    )
    op.create_index(op.f("ix_group_actions_group_id"), "group_actions", ["group_id"])
    op.create_index(op.f("ix_group_actions_session_id"), "group_actions", ["session_id"])


def downgrade() -> None:
    op.drop_table("group_actions")
