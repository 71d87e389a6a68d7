"""National themes (landelijke thema's) and which of them each regional theme belongs to.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "national_themes",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_national_themes")),
    )
    op.create_table(
        "theme_national_themes",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("national_slug", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_theme_national_themes_theme_id_themes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["national_slug"],
            ["national_themes.slug"],
            name=op.f("fk_theme_national_themes_national_slug_national_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("theme_id", "national_slug", name=op.f("pk_theme_national_themes")),
    )
    op.create_index(
        op.f("ix_theme_national_themes_national_slug"),
        "theme_national_themes",
        ["national_slug"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("theme_national_themes")
    op.drop_table("national_themes")
