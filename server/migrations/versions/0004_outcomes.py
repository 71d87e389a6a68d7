"""Outcomes: harvest responses, outcomes with their goal ratings and knowledge questions, and
the audit log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_log_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_action"), "audit_log", ["action"], unique=False)
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_table(
        "harvest_responses",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("participant", sa.String(length=40), nullable=False),
        sa.Column("ratings", sa.JSON(), nullable=False),
        sa.Column("takeaway", sa.Text(), nullable=False),
        sa.Column("consent", sa.String(length=16), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_harvest_responses_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "participant", name=op.f("pk_harvest_responses")),
    )
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=24), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("variant_slug", sa.String(length=80), nullable=True),
        sa.Column("region_slug", sa.String(length=80), nullable=True),
        sa.Column("theme_slug", sa.String(length=80), nullable=True),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("held_on", UTCDateTime(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("insights", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("products", sa.JSON(), nullable=False),
        sa.Column("captured", sa.JSON(), nullable=False),
        sa.Column("consents", sa.JSON(), nullable=False),
        sa.Column("sharing", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_outcomes_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_outcomes_session_id_live_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
        sa.UniqueConstraint("public_id", name=op.f("uq_outcomes_public_id")),
        sa.UniqueConstraint("session_id", name=op.f("uq_outcomes_session_id")),
    )
    op.create_index(op.f("ix_outcomes_created_by"), "outcomes", ["created_by"], unique=False)
    op.create_index(op.f("ix_outcomes_region_slug"), "outcomes", ["region_slug"], unique=False)
    op.create_index(op.f("ix_outcomes_variant_slug"), "outcomes", ["variant_slug"], unique=False)
    op.create_table(
        "knowledge_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("region_slug", sa.String(length=80), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("addressed_at", UTCDateTime(), nullable=True),
        sa.Column("addressed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["addressed_by"],
            ["users.id"],
            name=op.f("fk_knowledge_questions_addressed_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcomes.id"],
            name=op.f("fk_knowledge_questions_outcome_id_outcomes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_questions")),
    )
    op.create_index(
        op.f("ix_knowledge_questions_outcome_id"),
        "knowledge_questions",
        ["outcome_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_knowledge_questions_region_slug"),
        "knowledge_questions",
        ["region_slug"],
        unique=False,
    )
    op.create_table(
        "outcome_ratings",
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("goal_slug", sa.String(length=80), nullable=False),
        sa.Column("raters", sa.Integer(), nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcomes.id"],
            name=op.f("fk_outcome_ratings_outcome_id_outcomes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("outcome_id", "goal_slug", name=op.f("pk_outcome_ratings")),
    )


def downgrade() -> None:
    op.drop_table("outcome_ratings")
    op.drop_index(op.f("ix_knowledge_questions_region_slug"), table_name="knowledge_questions")
    op.drop_index(op.f("ix_knowledge_questions_outcome_id"), table_name="knowledge_questions")
    op.drop_table("knowledge_questions")
    op.drop_index(op.f("ix_outcomes_variant_slug"), table_name="outcomes")
    op.drop_index(op.f("ix_outcomes_region_slug"), table_name="outcomes")
    op.drop_index(op.f("ix_outcomes_created_by"), table_name="outcomes")
    op.drop_table("outcomes")
    op.drop_table("harvest_responses")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_action"), table_name="audit_log")
    op.drop_table("audit_log")
