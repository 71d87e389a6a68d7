"""The outbox: every mail the site sends, queued in the transaction of the change it tells of."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow


class MailOutbox(Base):
    """One mail: queued (sent_at NULL, next_attempt_at set), sent (sent_at set), or given up
    (both NULL, last_error says why). A claimed mail has next_attempt_at moved ahead by a lease,
    so a process that dies while sending leaves it to be sent again, never lost."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    # An iCalendar attachment (text/calendar) and its METHOD (REQUEST, CANCEL, PUBLISH).
    calendar: Mapped[str | None] = mapped_column(Text, default=None)
    calendar_method: Mapped[str | None] = mapped_column(String(8), default=None)
