"""The outcome library: region membership of accounts and full-text search of outcomes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_regions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("region_slug", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_regions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "region_slug", name=op.f("pk_user_regions")),
    )
    op.create_table(
        "outcome_texts",
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("snippet", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["outcomes.id"],
            name=op.f("fk_outcome_texts_outcome_id_outcomes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("outcome_id", name=op.f("pk_outcome_texts")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_outcome_texts_body_fts ON outcome_texts "
            "USING gin (to_tsvector('dutch', body))"
        )
    elif dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE outcome_search USING fts5(body, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        # outcome_texts is the source; these keep the FTS5 copy in step, also when an outcome
        # goes (the cascade deletes its outcome_texts row, which fires the delete trigger).
        op.execute(
            "CREATE TRIGGER outcome_search_insert AFTER INSERT ON outcome_texts BEGIN "
            "INSERT INTO outcome_search (rowid, body) VALUES (new.outcome_id, new.body); END"
        )
        op.execute(
            "CREATE TRIGGER outcome_search_update AFTER UPDATE ON outcome_texts BEGIN "
            "DELETE FROM outcome_search WHERE rowid = old.outcome_id; "
            "INSERT INTO outcome_search (rowid, body) VALUES (new.outcome_id, new.body); END"
        )
        op.execute(
            "CREATE TRIGGER outcome_search_delete AFTER DELETE ON outcome_texts BEGIN "
            "DELETE FROM outcome_search WHERE rowid = old.outcome_id; END"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_outcome_texts_body_fts")
    elif dialect == "sqlite":
        for trigger in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS outcome_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS outcome_search")
    op.drop_table("outcome_texts")
    op.drop_table("user_regions")
