"""Region tables: regions with their themes, and the national themes (landelijke thema's)
that regional themes map to."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, UTCDateTime, utcnow


class RegionRow(Base):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    themes: Mapped[list[ThemeRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ThemeRow.position"
    )


class NationalThemeRow(Base):
    """A landelijk thema: one word for a subject that several regions work on."""

    __tablename__ = "national_themes"

    slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)


# Which national theme(s) a regional theme belongs to.
theme_national_themes = Table(
    "theme_national_themes",
    Base.metadata,
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "national_slug",
        ForeignKey("national_themes.slug", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class ThemeRow(Base):
    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("region_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    national: Mapped[list[NationalThemeRow]] = relationship(
        secondary=theme_national_themes, lazy="selectin", order_by=NationalThemeRow.position
    )
