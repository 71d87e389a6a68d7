"""Erasing a person: what is asked, the report of what changed (or would change), and `erase`,
which runs the domains' parts of it in one transaction.

Each domain contributes an `ErasurePart` (`server/app.py` `domain_erasure_parts`: the accounts
of server/erasure_accounts.py, the sessions of sessions/erase.py, the outcomes and variants of
catalogue/erasure.py); the CLI (`werkplaats erase`) and the coordinator page (`/beheer/wissen`)
ask for it in these terms through `domain_eraser`. A report holds ids and counts only, never a
name or anything a person wrote. See docs/privacy.md.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from server.accounts import AccountError, normalize_email
from server.audit import record
from server.bus import Bus
from server.db import purge_old_copies
from server.i18n import N_

_log = logging.getLogger("werkplaats.erase")

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


ERASED_NAME = "[verwijderd]"
ERASED_MENTION = "[naam verwijderd]"
ERASED_CONTRIBUTION = "[verwijderd op verzoek]"
PLACEHOLDERS = frozenset(normalize_name(p) for p in (ERASED_NAME, ERASED_MENTION))


def usable(name: str) -> bool:
    """A display name that may be searched for in texts (not a placeholder, not too short)."""
    return len(" ".join(name.split())) >= MIN_NAME and normalize_name(name) not in PLACEHOLDERS


@dataclass(frozen=True)
class Person:
    """Who to erase: by display name, by one participant of one session, by account, or by
    a member of a group (in every session of the group)."""

    kind: Literal["name", "participant", "account", "account_id", "member"]
    # the name as given, "public_id:participant", the normalised email, an account's id
    # (a replayed erasure: the email may have changed since), or "group_public_id:member_id"
    value: str

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
    def by_member(cls, raw: str) -> Person:
        group, colon, member = raw.strip().partition(":")
        if (
            not colon
            or not 1 <= len(group) <= MAX_PUBLIC_ID
            or not 1 <= len(member) <= MAX_PUBLIC_ID
            or not (group + member).replace("-", "").replace("_", "").isalnum()
        ):
            raise ErasureError(
                "invalid_member",
                N_(
                    "Name the member as GROUP:MEMBER, e.g. aB3xYz12Q:m9KfE2xQ1"
                    " (the group's id from its address, a colon, the member's id)."
                ),
            )
        return cls("member", f"{group}:{member}")

    @classmethod
    def by_account(cls, raw: str) -> Person:
        try:
            return cls("account", normalize_email(raw))
        except AccountError as error:
            raise ErasureError(error.code, error.message, **error.params) from None

    @property
    def group_and_member(self) -> tuple[str, str]:
        group, _, member = self.value.partition(":")
        return group, member

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
    # With a participant: their display names are erased in every session too, as if asked
    # by name (a replayed erasure by name; see `journal_entry`).
    everywhere: bool = False
    # The erasure journal to add this erasure to (ids only), or None (a replay).
    journal: Path | None = None
    # Rewrite the database files without old copies afterwards (a replay does it once, at
    # the end, with server.db.purge_old_copies).
    purge: bool = True


# The tables an erasure changes, in the order a report lists them.
TABLES = (
    "live_sessions",
    "session_events",
    "session_snapshots",
    "harvest_responses",
    "trend_observations",
    "outcomes",
    "knowledge_questions",
    "outcome_texts",
    "users",
    "user_roles",
    "user_regions",
    "login_sessions",
    "login_failures",
    "recovery_codes",
    "pending_logins",
    "password_resets",
    "mail_outbox",
    "account_invitations",
    "session_invitations",
    "calendar_feeds",
    "group_members",
    "group_actions",
    "variant_versions",
    "module_versions",
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
    purge_complete: bool = True  # False: a long transaction may still keep old copies
    journal_error: str | None = None  # why the erasure journal could not be written

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
        if self.journal_error is not None:
            lines.append(
                f"warning: not added to the erasure journal ({self.journal_error}): "
                "a restored backup would not erase this person again by itself"
            )
        if self.purge_seconds is not None:
            lines.append(
                "the database files were rewritten without old copies of these rows "
                f"({self.purge_seconds:.2f} s)"
            )
        if not self.purge_complete:
            lines.append(
                "warning: a transaction begun before the erasure was still running: old copies "
                "may remain in the database files until, once it has ended, `VACUUM` (SQLite) "
                "or `VACUUM (FULL) " + ", ".join(self.tables) + "` (PostgreSQL)"
            )
        return lines


# The erasure journal ---------------------------------------------------------------------------
# A restored backup predates the erasures made since, and its audit log with it. So every
# erasure is also written, ids only, to an append-only file in the data directory; after a
# restore `werkplaats erase --replay` makes each one again (docs/privacy.md).

JOURNAL = "erasures.log"


def journal_entry(ask: ErasureAsk, report: ErasureReport, at: dt.datetime) -> dict[str, Any]:
    """What a restore needs to erase this person again: ids only, never a name."""
    kind = ask.person.kind
    return {
        "at": at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "by": "name" if kind == "name" or ask.everywhere else kind.removesuffix("_id"),
        "participants": [f"{c.public_id}:{p}" for c in report.sessions for p in c.participants],
        "account": report.account,
        "member": ask.person.value if kind == "member" else None,
        "delete_contributions": ask.delete_contributions,
        "sessions": sorted(c.public_id for c in report.sessions),
    }


def append_journal(path: Path, entry: dict[str, Any]) -> None:
    """Add one line to the journal and make sure it is on disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with open(descriptor, "a", encoding="utf-8") as journal:
        journal.write(json.dumps(entry, sort_keys=True) + "\n")
        journal.flush()
        os.fsync(journal.fileno())


def read_journal(path: Path, since: dt.date | None = None) -> list[dict[str, Any]]:
    """The journal's entries (oldest first), from `since` on."""
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            day = dt.datetime.fromisoformat(entry["at"]).date()
        except (ValueError, KeyError, TypeError):
            raise ErasureError(
                "bad_journal",
                N_("Line %(line)s of %(path)s is not an erasure."),
                line=number,
                path=str(path),
            ) from None
        if since is None or day >= since:
            entries.append(entry)
    return entries


@dataclass(frozen=True)
class Replay:
    """How to make a journal entry again: the erasures to ask for, or why it cannot be."""

    asks: list[ErasureAsk]
    needs_name: bool = False  # erased by a name no participant had: ask by name again


def replay_of(entry: dict[str, Any]) -> Replay:
    remove = bool(entry.get("delete_contributions"))
    by = entry.get("by")
    if by == "account" and entry.get("account") is not None:
        return Replay([ErasureAsk(Person("account_id", str(int(entry["account"]))), remove)])
    if by == "member" and entry.get("member"):
        return Replay([ErasureAsk(Person.by_member(str(entry["member"])), remove)])
    refs = [Person.by_participant(str(ref)) for ref in entry.get("participants") or ()]
    if by == "participant":
        return Replay([ErasureAsk(person, remove) for person in refs])
    if by == "name" and refs:
        return Replay([ErasureAsk(person, remove, everywhere=True) for person in refs])
    return Replay([], needs_name=by == "name")


# One erasure, composed of the domains' parts ---------------------------------------------------


@dataclass
class Found:
    """Who the person is, as the parts' `find`s learn it one after the other (the accounts part
    first, then the sessions part, which reads the account and the names found so far), and what
    every part's `plan` then works from. Names stay here, in memory: never in the report."""

    names: list[str] = field(default_factory=list)  # display names to find in every session
    account_texts: list[str] = field(default_factory=list)  # an account's name and email
    account: int | None = None  # the account's id, when one is asked for and exists
    erase_account: bool = False  # its row changes (False: erased already, found again by id)
    participants: dict[int, set[str]] = field(default_factory=dict)  # their ids per session
    session_names: dict[int, list[str]] = field(default_factory=dict)  # their names per session
    only: set[int] | None = None  # None: look in every session; else only in these
    sessions: dict[int, str] = field(default_factory=dict)  # the sessions looked in: public ids

    @property
    def everywhere(self) -> list[str]:
        """The names to erase in every session and outcome."""
        return self.names or self.account_texts


class Counts:
    """The report as the parts' `plan`s fill it: rows per session, and rows elsewhere."""

    def __init__(self, report: ErasureReport, found: Found) -> None:
        self.report = report
        self.sessions: dict[int, SessionCounts] = {}
        self._found = found

    def session(self, session_id: int) -> SessionCounts:
        if session_id not in self.sessions:
            self.sessions[session_id] = SessionCounts(
                self._found.sessions[session_id],
                sorted(self._found.participants.get(session_id, ())),
            )
        return self.sessions[session_id]

    def add(
        self, session_id: int | None, table: str, mentions: int = 0, contributions: int = 0
    ) -> None:
        """One row of `table` changes: in a session's counts, or elsewhere (`session_id` None)."""
        if session_id is None:
            self.report.other[table] = self.report.other.get(table, 0) + 1
            return
        counts = self.session(session_id)
        counts.add(table)
        counts.mentions += mentions
        counts.contributions += contributions


Apply = Callable[[AsyncSession], Awaitable[None]]
Find = Callable[[AsyncSession, ErasureAsk, Found], Awaitable[None]]
Plan = Callable[[AsyncSession, ErasureAsk, Found, Counts], Awaitable[Apply]]
# After the commit: make the processes forget what they cached; more tables to purge.
After = Callable[
    [async_sessionmaker[AsyncSession], ErasureReport, Starlette | None, Bus | None],
    Awaitable[set[str]],
]


async def _find_nothing(db: AsyncSession, ask: ErasureAsk, found: Found) -> None:
    return None


async def write_nothing(db: AsyncSession) -> None:
    """The writes of a part whose plan changes nothing."""
    return None


@dataclass(frozen=True)
class ErasurePart:
    """One domain's share of an erasure: `find` adds who the person is in its tables to
    `Found`; `plan` counts what would change in `Counts` and returns how to write it; `after`
    runs once the erasure is committed. All parts find, then all plan, then all apply, in one
    transaction, in the order given (server/app.py `domain_erasure_parts`)."""

    plan: Plan
    find: Find = _find_nothing
    after: After | None = None


async def erase(
    db: async_sessionmaker[AsyncSession],
    ask: ErasureAsk,
    parts: Sequence[ErasurePart],
    app: Starlette | None = None,
    bus: Bus | None = None,
) -> ErasureReport:
    """Erase (or, on a dry run, plan erasing) a person, as the parts do it.

    With `app` (the coordinator page), this process reloads the erased sessions and tells the
    other processes to; with only a `bus` (the command line), it tells every process."""
    async with db() as session:
        engine = session.bind
        assert isinstance(engine, AsyncEngine)
        if not ask.dry_run and engine.dialect.name == "sqlite":
            # What this connection deletes or overwrites is overwritten with zeros in the file.
            await session.execute(text("PRAGMA secure_delete = ON"))
            await session.commit()
        async with session.begin():
            found = Found(names=[ask.person.value] if ask.person.kind == "name" else [])
            for part in parts:
                await part.find(session, ask, found)
            report = ErasureReport(dry_run=ask.dry_run)
            counts = Counts(report, found)
            writes = [await part.plan(session, ask, found, counts) for part in parts]
            report.participants = sum(len(ids) for ids in found.participants.values())
            report.other = {table: report.other[table] for table in TABLES if table in report.other}
            in_order = sorted(counts.sessions, key=lambda sid: found.sessions[sid])
            report.sessions = [counts.sessions[s] for s in in_order if counts.sessions[s].tables]
            if not ask.dry_run and report.changed:
                for write in writes:
                    await write(session)
                _audit(session, ask, report)
    if ask.dry_run or not report.changed:
        return report
    if ask.journal is not None:
        try:
            append_journal(ask.journal, journal_entry(ask, report, dt.datetime.now(dt.UTC)))
        except OSError as error:  # erased all the same; the operator must know
            report.journal_error = f"{ask.journal}: {error.strerror or error}"
            _log.error("the erasure could not be added to the erasure journal %s", ask.journal)
    tables = set(report.tables)
    for part in parts:
        if part.after is not None:
            tables |= await part.after(db, report, app, bus)
    if ask.purge:  # no old copy of what was erased stays in the database files (server.db)
        started = time.monotonic()
        report.purge_complete = await purge_old_copies(engine, tables)
        report.purge_seconds = time.monotonic() - started
    return report


def _audit(db: AsyncSession, ask: ErasureAsk, report: ErasureReport) -> None:
    """One entry per session and one for the account: ids and counts, never a name."""
    mode = "contributions deleted" if ask.delete_contributions else "contributions kept"
    for counts in report.sessions:
        target = f"session:{counts.public_id}"
        if counts.participants:
            target += "/" + ",".join(counts.participants)
        record(
            db,
            "erase",
            target,
            actor=ask.actor,
            actor_id=ask.actor_id,
            detail=f"{counts.detail()}; {mode}",
        )
    if report.other:
        target = f"account:{report.account}" if report.account is not None else "outcomes"
        detail = ", ".join(f"{table} {n}" for table, n in report.other.items())
        record(db, "erase", target, actor=ask.actor, actor_id=ask.actor_id, detail=detail)
