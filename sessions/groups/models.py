"""Group tables: a standing group (traject), its facilitators, its members, and which
participant of which session each member was.

A member is pseudonymous: a random id (`m…`) and, for one-tap joining, the display name they
last joined with, shown only inside the group (its facilitators and members) and erased with
them. Their sessions link through `session_members`; the group's sessions are in `group_sessions`
(a table of its own rather than a column of `live_sessions`: adding a foreign key column there
would rebuild that table on SQLite).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # What its sessions usually are, and where they belong (new sessions start with these).
    variant_slug: Mapped[str | None] = mapped_column(String(80), default=None)
    region_slug: Mapped[str | None] = mapped_column(String(80), default=None)
    theme_slug: Mapped[str | None] = mapped_column(String(80), default=None)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class GroupFacilitator(Base):
    """An account that runs the group: it starts its sessions and sees its whole history."""

    __tablename__ = "group_facilitators"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class GroupMember(Base):
    """A member: recognised by their member token (a cookie) or their account."""

    __tablename__ = "group_members"
    __table_args__ = (Index("ix_group_members_group_user", "group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[str] = mapped_column(String(24), unique=True)
    # The name they last joined with: shown inside the group only; erased with the member.
    name: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SessionMember(Base):
    """Which participant of a group's session a member was."""

    __tablename__ = "session_members"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    participant: Mapped[str] = mapped_column(String(40), primary_key=True)
    member_id: Mapped[str] = mapped_column(
        ForeignKey("group_members.member_id", ondelete="CASCADE"), index=True
    )


class GroupSession(Base):
    """A session of a group (a session belongs to at most one)."""

    __tablename__ = "group_sessions"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)


class GroupAction(Base):
    """An action agreed in one of the group's sessions (its outcome's actions), for an owner.

    Its status is not stored here: it is in the logs of the group's later sessions (the
    terugblik's `action.done` and `action.carried` events, sessions/groups/action_status.py),
    so that changing it is logged like every other change in a session."""

    __tablename__ = "group_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True)  # "a…", used in events
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(String(500))
    # None: "de groep". An erased member's actions fall to the group.
    owner: Mapped[str | None] = mapped_column(
        ForeignKey("group_members.member_id", ondelete="SET NULL"), default=None
    )
    due: Mapped[dt.date | None] = mapped_column(Date, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
