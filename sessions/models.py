"""Live-session tables: the session row, its event log and its latest snapshot."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow


class LiveSession(Base):
    """A session. Its configuration and everything after is in its event log; this row holds
    what finding it needs, and `last_seq`, which serialises appends across processes."""

    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True)
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    variant_slug: Mapped[str | None] = mapped_column(String(80))
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # The most participants it takes, as the facilitator set it; None: the default for its
    # modality (sessions/joins.py). On the row, not in the log: joining reads it, nothing else.
    max_participants: Mapped[int | None] = mapped_column(default=None)
    # When it is planned (UTC; both or neither), for lists, invitations and calendar feeds:
    # on the row, as finding it by time needs. `plan_sequence` counts the plan's changes: the
    # SEQUENCE of its calendar invitations (sessions/invitations.py).
    planned_start: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    planned_end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    plan_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    # When its facilitator was mailed that the harvest is still open (once per session).
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class SessionInvitation(Base):
    """An account invited to a session: it is mailed again when the plan changes or ends."""

    __tablename__ = "session_invitations"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    invited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CalendarFeed(Base):
    """An account's private calendar feed, by the hash of its token (the token is the secret:
    calendar apps send no cookie). One per account; renewing replaces it, revoking deletes it."""

    __tablename__ = "calendar_feeds"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SessionEvent(Base):
    """One entry of a session's log. (session_id, seq) is gap-free and strictly increasing."""

    __tablename__ = "session_events"
    __table_args__ = (Index("ix_session_events_command", "session_id", "actor", "command_id"),)

    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(40))
    command_id: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[float] = mapped_column(Float)
    body: Mapped[str] = mapped_column(Text)  # the event body as JSON, encoded once
    # Who sees this event whole when others may not (a private note, a hidden vote), and the
    # whole event as everyone else sees it; both None when everyone sees the same.
    audience: Mapped[str | None] = mapped_column(String(40))
    others: Mapped[str | None] = mapped_column(Text)


class SessionSnapshot(Base):
    """The full state after `seq`, so a process need not fold the whole log to catch up."""

    __tablename__ = "session_snapshots"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(Text)


class HarvestResponse(Base):
    """One participant's harvest: goal ratings (1-5), a takeaway, and consent to share.

    Anonymous to the group: only the participant (through their link) and, as aggregates and
    pseudonymised contributions, the outcome see it. A second response replaces the first.
    """

    __tablename__ = "harvest_responses"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    participant: Mapped[str] = mapped_column(String(40), primary_key=True)
    ratings: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # goal slug -> 1..5
    takeaway: Mapped[str] = mapped_column(Text, default="")
    consent: Mapped[str] = mapped_column(String(16), default="no")  # outcome_models.CONSENT_LEVELS
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
