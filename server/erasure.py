"""Erasing a person: what is asked, and the report of what changed (or would change).

The domains do the erasing (`server/app.py` `domain_eraser`); the CLI (`werkplaats erase`) and
the coordinator page (`/beheer/wissen`) ask for it in these terms. A report holds ids and
counts only, never a name or anything a person wrote. See docs/privacy.md.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from server.accounts import AccountError, normalize_email
from server.i18n import N_

MIN_NAME = 2  # a shorter name would match inside ordinary words
MAX_NAME = 120
MAX_PARTICIPANT = 40
MAX_PUBLIC_ID = 24


class ErasureError(ValueError):
    """What was asked cannot be erased as asked; `message` is an English msgid with params."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.code = code
        self.message = message
        self.params = params


def normalize_name(raw: str) -> str:
    """A display name for comparing: composed Unicode, single spaces, case folded."""
    return " ".join(unicodedata.normalize("NFC", raw).split()).casefold()


@dataclass(frozen=True)
class Person:
    """Who to erase: by display name, by one participant of one session, or by account."""

    kind: Literal["name", "participant", "account"]
    value: str  # the name as given, "public_id:participant", or the normalised email

    @classmethod
    def by_name(cls, raw: str) -> Person:
        name = " ".join(unicodedata.normalize("NFC", raw).split())
        if not MIN_NAME <= len(name) <= MAX_NAME:
            raise ErasureError(
                "invalid_name",
                N_(
                    "A name to erase needs %(min)s to %(max)s characters; for a shorter "
                    "display name, erase the participant (PUBLIC_ID:PARTICIPANT) instead."
                ),
                min=MIN_NAME,
                max=MAX_NAME,
            )
        return cls("name", name)

    @classmethod
    def by_participant(cls, raw: str) -> Person:
        public_id, colon, participant = raw.strip().partition(":")
        if (
            not colon
            or not 1 <= len(public_id) <= MAX_PUBLIC_ID
            or not 1 <= len(participant) <= MAX_PARTICIPANT
            or not (public_id + participant).replace("-", "").replace("_", "").isalnum()
        ):
            raise ErasureError(
                "invalid_participant",
                N_(
                    "Name the participant as PUBLIC_ID:PARTICIPANT, e.g. aB3xYz12Q:p9KfE2"
                    " (the session's id from its address, a colon, the participant's id)."
                ),
            )
        return cls("participant", f"{public_id}:{participant}")

    @classmethod
    def by_account(cls, raw: str) -> Person:
        try:
            return cls("account", normalize_email(raw))
        except AccountError as error:
            raise ErasureError(error.code, error.message, **error.params) from None

    @property
    def session_and_participant(self) -> tuple[str, str]:
        public_id, _, participant = self.value.partition(":")
        return public_id, participant


@dataclass(frozen=True)
class ErasureAsk:
    """An erasure as asked: who, whether their contributions go too, and by whom."""

    person: Person
    delete_contributions: bool = False
    dry_run: bool = False
    actor: str = "cli"  # "cli" or "account:{id}" (the audit log's actor)
    actor_id: int | None = None


# The tables an erasure changes, in the order a report lists them.
TABLES = (
    "live_sessions",
    "session_events",
    "session_snapshots",
    "harvest_responses",
    "outcomes",
    "knowledge_questions",
    "outcome_texts",
    "users",
    "user_roles",
    "login_sessions",
    "login_failures",
    "variant_versions",
)


@dataclass
class SessionCounts:
    """What changes in one session: rows per table, and what kind of change in its log."""

    public_id: str
    participants: list[str] = field(default_factory=list)  # the person's ids in it
    tables: dict[str, int] = field(default_factory=dict)
    names: int = 0  # display names blanked
    mentions: int = 0  # texts in which a name was replaced
    contributions: int = 0  # notes and chat messages removed on request

    def add(self, table: str, count: int = 1) -> None:
        if count:
            self.tables[table] = self.tables.get(table, 0) + count

    def detail(self) -> str:
        """Counts only (the audit log's detail)."""
        parts = [f"{table} {self.tables[table]}" for table in TABLES if table in self.tables]
        parts.append(f"names {self.names}, mentions {self.mentions}")
        if self.contributions:
            parts.append(f"contributions {self.contributions}")
        return ", ".join(parts)


@dataclass
class ErasureReport:
    """What an erasure changed (or, on a dry run, would change): ids and counts, no texts."""

    dry_run: bool
    participants: int = 0  # participants found (across sessions)
    account: int | None = None  # the account's id, when one is erased
    sessions: list[SessionCounts] = field(default_factory=list)
    other: dict[str, int] = field(default_factory=dict)  # rows outside any session
    session_ids: list[int] = field(default_factory=list)  # whose live state must be reloaded
    accounts_named: int = 0  # accounts with this name (erase them with --account)
    purge_seconds: float | None = None  # rewriting the database files without old copies

    @property
    def tables(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for counts in [*(s.tables for s in self.sessions), self.other]:
            for table, count in counts.items():
                total[table] = total.get(table, 0) + count
        return {table: total[table] for table in TABLES if table in total}

    @property
    def changed(self) -> bool:
        return bool(self.tables)

    def lines(self) -> list[str]:
        """The report for a terminal (English, like the CLI's other output)."""
        lines = [
            f"found: {self.participants} participant(s) in "
            f"{sum(1 for s in self.sessions if s.participants)} session(s)"
            + (f", account {self.account}" if self.account is not None else "")
        ]
        if self.accounts_named:
            lines.append(
                f"note: {self.accounts_named} account(s) have this name; "
                "erase an account with --account EMAIL"
            )
        if not self.changed:
            lines.append("nothing to change: no trace of this person was found")
            return lines
        lines.append("would change (dry run):" if self.dry_run else "changed:")
        for table, count in self.tables.items():
            lines.append(f"  {table:<20} {count:>6} row(s)")
        for counts in self.sessions:
            who = f" participants {', '.join(counts.participants)};" if counts.participants else ""
            lines.append(f"  session {counts.public_id}:{who} {counts.detail()}")
        if self.other:
            lines.append(
                "  elsewhere: "
                + ", ".join(f"{t} {n}" for t, n in self.other.items() if t in TABLES)
            )
        if self.purge_seconds is not None:
            lines.append(
                "the database files were rewritten without old copies of these rows "
                f"({self.purge_seconds:.2f} s)"
            )
        return lines
