"""Planned sessions: a session's planned start and end and the count of its plan's changes
(live_sessions.planned_start, planned_end, plan_sequence: the SEQUENCE of its calendar
invitations), when its facilitator was reminded of an open harvest (live_sessions.reminded_at),
the accounts invited to it (session_invitations), a calendar attachment on a mail
(mail_outbox.calendar, calendar_method), the private calendar feeds of accounts, by the hash
of their token (calendar_feeds), and coordinators' invitations to make an account, by the hash
of their link's token (account_invitations).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("live_sessions") as batch:
        batch.add_column(sa.Column("planned_start", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("planned_end", UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column("plan_sequence", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("reminded_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("mail_outbox") as batch:
        batch.add_column(sa.Column("calendar", sa.Text(), nullable=True))
        batch.add_column(sa.Column("calendar_method", sa.String(length=8), nullable=True))
    op.create_table(
        "session_invitations",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("invited_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_session_invitations_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_session_invitations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "user_id", name=op.f("pk_session_invitations")),
    )
    op.create_index(op.f("ix_session_invitations_user_id"), "session_invitations", ["user_id"])
    op.create_table(
        "calendar_feeds",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_feeds_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feeds_user_id")),
    )
    op.create_table(
        "account_invitations",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("roles", sa.String(length=80), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["users.id"],
            name=op.f("fk_account_invitations_invited_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_account_invitations")),
    )
    op.create_index(op.f("ix_account_invitations_email"), "account_invitations", ["email"])


def downgrade() -> None:
    op.drop_index(op.f("ix_account_invitations_email"), table_name="account_invitations")
    op.drop_table("account_invitations")
    op.drop_table("calendar_feeds")
    op.drop_index(op.f("ix_session_invitations_user_id"), table_name="session_invitations")
    op.drop_table("session_invitations")
    # Dropped in place, never by a batch copy (see 0010: a copy of live_sessions would cascade).
    with op.batch_alter_table("mail_outbox", recreate="never") as batch:
        batch.drop_column("calendar_method")
        batch.drop_column("calendar")
    with op.batch_alter_table("live_sessions", recreate="never") as batch:
        batch.drop_column("reminded_at")
        batch.drop_column("plan_sequence")
        batch.drop_column("planned_end")
        batch.drop_column("planned_start")
