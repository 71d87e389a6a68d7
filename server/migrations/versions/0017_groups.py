"""Groups (trajecten): standing groups (groups), the accounts that run them
(group_facilitators), their pseudonymous members (group_members), which participant of which
session a member was (session_members), and the sessions of each group (group_sessions).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("variant_slug", sa.String(length=80), nullable=True),
        sa.Column("region_slug", sa.String(length=80), nullable=True),
        sa.Column("theme_slug", sa.String(length=80), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_groups_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint("public_id", name=op.f("uq_groups_public_id")),
    )
    op.create_index(op.f("ix_groups_created_by"), "groups", ["created_by"])
    op.create_table(
        "group_facilitators",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_facilitators_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_group_facilitators_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_group_facilitators")),
    )
    op.create_index(op.f("ix_group_facilitators_user_id"), "group_facilitators", ["user_id"])
    op.create_table(
        "group_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_members_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_group_members_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_members")),
        sa.UniqueConstraint("member_id", name=op.f("uq_group_members_member_id")),
    )
    op.create_index(op.f("ix_group_members_group_id"), "group_members", ["group_id"])
    op.create_index("ix_group_members_group_user", "group_members", ["group_id", "user_id"])
    op.create_table(
        "session_members",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("participant", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_session_members_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["group_members.member_id"],
            name=op.f("fk_session_members_member_id_group_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "participant", name=op.f("pk_session_members")),
    )
    op.create_index(op.f("ix_session_members_member_id"), "session_members", ["member_id"])
    op.create_table(
        "group_sessions",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_group_sessions_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_group_sessions_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_group_sessions")),
    )
    op.create_index(op.f("ix_group_sessions_group_id"), "group_sessions", ["group_id"])


def downgrade() -> None:
    op.drop_table("group_sessions")
    op.drop_table("session_members")
    op.drop_table("group_members")
    op.drop_table("group_facilitators")
    op.drop_table("groups")
