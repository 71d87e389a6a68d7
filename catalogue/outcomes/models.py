"""Outcome tables: what a session produced, its goal ratings (the evidence), and the open
knowledge questions it put on its region's agenda.

The catalogue owns outcomes; the session side writes them (DESIGN.md). Contributions in
`captured` and `insights` etc. never hold display names: authors are participant ids, which the
shared versions turn into "Deelnemer A, B, …" and filter by each author's consent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow

# Sharing levels, narrowest first. An outcome is shared at one of these; a participant consents
# to one of CONSENT_LEVELS ("no" is narrower than "group": nothing beyond the group).
SHARING_LEVELS = ("group", "region", "national", "open")
CONSENT_LEVELS = ("no", "region", "national", "open")


class OutcomeRow(Base):
    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True)
    # The live session it came from (its participants' consents live there); kept when the
    # session row goes, so the outcome and its evidence stay.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="SET NULL"), unique=True
    )
    variant_slug: Mapped[str | None] = mapped_column(String(80), index=True)
    region_slug: Mapped[str | None] = mapped_column(String(80), index=True)
    theme_slug: Mapped[str | None] = mapped_column(String(80))
    # Where the session was held (catalogue/evidence keeps evidence per situation): its way of
    # meeting ("online", "hybrid", "on-site") and how many took part (participants, not the
    # facilitators: sessions/outcome/pages.py). None: not known (outcomes saved before 0011).
    modality: Mapped[str | None] = mapped_column(String(16))
    group_size: Mapped[int | None] = mapped_column(Integer)
    goals: Mapped[list[str]] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(String(120))
    held_on: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(Text, default="")
    insights: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    # [{"title": str, "text": str, "url": str | None}]: beroepsproducten
    products: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # What the session produced, captured from its log (sessions/capture.py): clusters with
    # notes and votes, the round, the positioning aggregate, attendance; authors as ids.
    captured: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # participant id -> consent level (CONSENT_LEVELS), copied from the harvest responses
    consents: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    sharing: Mapped[str] = mapped_column(String(16), default="group")
    # The outcome's texts as they leave the group (catalogue/outcomes/gate.py): every text field and
    # captured text through the sharing gate, authors still as ids, with the pseudonyms. Made
    # when the outcome is saved; None for an outcome not yet gated (never shown beyond it).
    gated: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # The facilitator's review of the gate: {"hide": [words], "keep": [replacements undone]}.
    review: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutcomeRating(Base):
    """How well one goal was reached in one session: the mean of its participants' ratings."""

    __tablename__ = "outcome_ratings"

    outcome_id: Mapped[int] = mapped_column(
        ForeignKey("outcomes.id", ondelete="CASCADE"), primary_key=True
    )
    goal_slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    raters: Mapped[int]
    mean: Mapped[float] = mapped_column(Float)


class KnowledgeQuestion(Base):
    """An open knowledge question from an outcome, on its region's knowledge agenda."""

    __tablename__ = "knowledge_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(
        ForeignKey("outcomes.id", ondelete="CASCADE"), index=True
    )
    region_slug: Mapped[str | None] = mapped_column(String(80), index=True)
    text: Mapped[str] = mapped_column(Text)
    # The question as it leaves the group (through the sharing gate); None until gated.
    shared_text: Mapped[str | None] = mapped_column(Text, default=None)
    addressed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    addressed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


# The library (docs/library.md) ---------------------------------------------------------------
# `outcome_texts.body` holds only the *shared* text of an outcome at its sharing level (what
# catalogue.outcomes.sharing.shared_version keeps), so a search never matches words that level
# leaves out. PostgreSQL searches it through a GIN index on `to_tsvector('dutch', body)`; SQLite
# keeps a copy in the FTS5 table `outcome_search` (rowid = outcome id). Both are made by migration
# 0005.


class UserRegion(Base):
    """An account is a member of a region: it reads that region's "region"-level outcomes."""

    __tablename__ = "user_regions"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    region_slug: Mapped[str] = mapped_column(String(80), primary_key=True)


class OutcomeText(Base):
    """The shared text of an outcome at its sharing level (empty at "group"), and the title and
    snippet the library lists it with: names typed into texts already replaced by "[naam]"."""

    __tablename__ = "outcome_texts"

    outcome_id: Mapped[int] = mapped_column(
        ForeignKey("outcomes.id", ondelete="CASCADE"), primary_key=True
    )
    body: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(String(120), default="")
    snippet: Mapped[str] = mapped_column(Text, default="")
