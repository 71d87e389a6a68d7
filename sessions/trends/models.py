"""The trend table: what each participant observed in a session with an outcome, one row per
measure (docs/groups.md, "Trends").

Written when the session's outcome is saved and rewritten on each save (sessions/trends/record.py):
a goal rating ("goal:<slug>", x the rating 1-5, y empty) and the chart's "now" and "desired"
positions (x, y in 0..1). Rows go with their outcome; a group member's rows carry their member
id, so erasing the member takes their path with them (ON DELETE CASCADE), and erasing a
participant deletes their rows (sessions/erase.py).
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


class TrendObservation(Base):
    __tablename__ = "trend_observations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outcome_id: Mapped[int] = mapped_column(
        ForeignKey("outcomes.id", ondelete="CASCADE"), index=True
    )
    participant: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[str | None] = mapped_column(
        ForeignKey("group_members.member_id", ondelete="CASCADE"), index=True, default=None
    )
    measure: Mapped[str] = mapped_column(String(90))  # "goal:<slug>", "now" or "desired"
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float | None] = mapped_column(Float, default=None)
