"""Curriculum modules (leermodules) and their versions.

An educator assembles a module from outcomes (cases) and variants (classroom exercises). Every
save adds a version, like variant versions; none is ever changed. The document holds outcome
public ids only: outcome content enters a module view or export through
catalogue.outcomes.sharing.shared_version when it is shown, never copied into the module.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow


class ModuleRow(Base):
    __tablename__ = "modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # "Shared by link": anyone with /modules/gedeeld/{token} may read it; None: not shared.
    share_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModuleVersion(Base):
    """One saved state of a module. The newest is current.

    `document`: {"title", "audience", "objectives": [str], "cases": [{"outcome", "note"}],
    "exercises": [{"variant", "phases": [{"name", "minutes", "purpose"}]}],
    "reflection": [str]}.
    """

    __tablename__ = "module_versions"
    __table_args__ = (UniqueConstraint("module_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
