"""Erasing a person's identity from sessions, harvests, outcomes and their account.

`plan_*` functions are pure: given rows, they say what changes. `erase` reads the rows, plans,
and (unless it is a dry run) writes every change and its audit entries in one transaction.

- The person's display name becomes "[verwijderd]" in their `participant.joined` and
  `participant.renamed` events; every mention of their name (as a whole name, written in any
  case, spacing, hyphenation or slug form: catalogue/name_matcher.py, as the sharing gate finds
  it) in the texts of notes, chat, clusters, breakout messages, agendas, chart labels, session
  titles, harvest takeaways, outcomes (also their gated version and review), knowledge
  questions and the library's index becomes "[naam verwijderd]"; a web address that held it
  becomes None. Seqs and event types stay, so the log stays gap-free and clients resume.
- After the commit the database files are rewritten without old copies of the changed rows
  (server.db.purge_old_copies: VACUUM on SQLite, VACUUM FULL of the touched tables on
  PostgreSQL).
- With `delete_contributions`, their notes and chat messages become "[verwijderd op verzoek]"
  and their harvest response goes; otherwise their contributions stay, pseudonymous.
- Each changed session's snapshot is deleted: it is a cache, rebuilt from the log.
- A name given by `--name` (or an account's name and email) is erased wherever it is written;
  a participant's other display names (before a rename) in the sessions they were in.
- An account keeps its row (foreign keys hold) but loses its name, email, roles, logins and
  password: it is marked erased by the email `verwijderd-{id}@invalid` (no real address
  looks like that) and `is_active` false.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from catalogue.models import VariantVersion
from catalogue.name_matcher import NameMatcher, fold
from catalogue.outcome_models import KnowledgeQuestion, OutcomeRow, OutcomeText
from server.audit import record
from server.bus import Bus
from server.db import purge_old_copies
from server.erasure import (
    MIN_NAME,
    ErasureAsk,
    ErasureError,
    ErasureReport,
    SessionCounts,
    append_journal,
    journal_entry,
    normalize_name,
)
from server.i18n import N_
from server.models import LoginFailure, LoginSession, User, UserRole
from sessions import erase_notice
from sessions import events as ev
from sessions.actions import facilitator_id
from sessions.models import HarvestResponse, LiveSession, SessionEvent, SessionSnapshot

_log = logging.getLogger("werkplaats.erase")

ERASED_NAME = "[verwijderd]"
ERASED_MENTION = "[naam verwijderd]"
ERASED_CONTRIBUTION = "[verwijderd op verzoek]"
PLACEHOLDERS = frozenset(normalize_name(p) for p in (ERASED_NAME, ERASED_MENTION))
TITLE_LENGTH = 120  # outcomes.title, outcome_texts.title: a longer replacement is cut
ERASED_HASH = "!erased"  # not an Argon2 hash: no password verifies against it

PEOPLE_TYPES = ("participant.joined", "participant.renamed")
# Events with text a person wrote or a name may be in; no other event carries free text. Each
# tool's slice declares its events' text fields (sessions/tools/); PEOPLE_TYPES are among them.
TEXT_TYPES = ev.text_event_types()
# Keys whose values in an outcome's JSON are ids or fixed words, never text: left alone, with
# all they hold ("pseudonyms" maps participant ids to "Deelnemer A", in `outcomes.gated`).
_ID_KEYS = frozenset(
    {"by", "group", "kind", "order", "passed", "participant", "note", "cluster", "pseudonyms"}
)
# Keys whose values are web addresses: one that held the name is removed whole (None), as what
# is left of it would lead nowhere (the product keeps its title and text).
_URL_KEYS = frozenset({"url"})

# A word, as catalogue.name_matcher splits texts into words.
_WORD = re.compile(r"[^\W_]+")
_encode = msgspec.json.Encoder().encode
_body_decoder: msgspec.json.Decoder[ev.EventBody] = msgspec.json.Decoder(ev.EventBody)
_event_decoder: msgspec.json.Decoder[ev.Event] = msgspec.json.Decoder(ev.Event)


def erased_email(user_id: int) -> str:
    """The email an erased account keeps: unique, and no address anyone can log in with."""
    return f"verwijderd-{user_id}@invalid"


# Pure: names in texts ------------------------------------------------------------------------


class Mentions:
    """The names to erase from texts: each as a whole name, however it is written (any case,
    spacing, hyphens, underscores or dots between its words, with or without diacritics, in
    slug form inside a web address). `catalogue.name_matcher.NameMatcher` finds them, as the
    sharing gate finds participants' names: erasure and sharing agree on what "the name" is."""

    def __init__(self, names: Iterable[str]) -> None:
        kept = sorted(
            {
                " ".join(unicodedata.normalize("NFC", name).split())
                for name in names
                if len(" ".join(name.split())) >= MIN_NAME
                and normalize_name(name) not in PLACEHOLDERS
            },
            key=len,
            reverse=True,
        )
        self.names = tuple(kept)
        self._matcher = NameMatcher(((name, name) for name in kept), parts=False)
        # The first word of each name, folded as the matcher folds it: a text that does not
        # hold one of these (folded) holds no name.
        self._first_words = tuple(
            {fold(words[0]) for words in (_WORD.findall(name) for name in kept) if words}
        )

    def __bool__(self) -> bool:
        return bool(self._matcher)

    def __add__(self, other: Mentions) -> Mentions:
        return Mentions((*self.names, *other.names))

    def maybe_in(self, raw: str | None) -> bool:
        """A quick look at stored JSON: could a name be in it? (False means surely not: never
        False where `replace` would find a name.)"""
        if not raw or not self._matcher:
            return False
        if "\\u" in raw:
            return True  # an escaped character (JSON): it may be part of a name
        folded = fold(raw)
        return any(word in folded for word in self._first_words)

    def replace(self, text: str) -> str:
        """The text with every mention replaced (the same text object when there is none)."""
        if not self._matcher:
            return text
        composed = unicodedata.normalize("NFC", text)
        changed = self._matcher.replace(composed, ERASED_MENTION)
        return changed if changed is not composed else text


NO_MENTIONS = Mentions(())


@dataclass
class Tally:
    names: int = 0
    mentions: int = 0
    contributions: int = 0


@dataclass(frozen=True)
class Scope:
    """What to erase in one session: the person's participant ids and the names to replace."""

    participants: frozenset[str]
    mentions: Mentions
    delete_contributions: bool = False


# Pure: the event log -------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRow:
    session_id: int
    seq: int
    type: str
    actor: str | None
    body: str
    others: str | None


@dataclass(frozen=True)
class EventChange:
    session_id: int
    seq: int
    body: str
    others: str | None


def plan_events(
    rows: Iterable[EventRow], scope: Scope, tally: Tally | None = None
) -> list[EventChange]:
    """The rewritten payloads of the rows that change, rows given oldest first."""
    tally = tally if tally is not None else Tally()
    theirs: set[str] = set()  # the notes the person wrote (for deleting contributions)
    changes = []
    for row in rows:
        body = _body_decoder.decode(row.body)
        new_body = _rewrite(body, row.actor, scope, theirs, tally)
        new_others = row.others
        if row.others is not None:
            other = _event_decoder.decode(row.others)
            rewritten = _rewrite(other.body, row.actor, scope, set(theirs), Tally())
            if rewritten != other.body:
                new_others = _encode(msgspec.structs.replace(other, body=rewritten)).decode()
        if new_body != body or new_others != row.others:
            encoded = _encode(new_body).decode() if new_body != body else row.body
            changes.append(EventChange(row.session_id, row.seq, encoded, new_others))
    return changes


def _rewrite(
    body: ev.EventBody, actor: str | None, scope: Scope, theirs: set[str], tally: Tally
) -> ev.EventBody:
    """The body with the person erased; `theirs` learns the notes they add."""
    mine = actor is not None and actor in scope.participants
    remove = scope.delete_contributions

    def text(value: str) -> str:
        new = scope.mentions.replace(value)
        if new is not value:
            tally.mentions += 1
        return new

    def gone(value: str) -> str:
        if value != ERASED_CONTRIBUTION:
            tally.contributions += 1
        return ERASED_CONTRIBUTION

    replace = msgspec.structs.replace
    if isinstance(body, ev.ParticipantJoined | ev.ParticipantRenamed):
        if body.participant in scope.participants:
            if body.name == ERASED_NAME:
                return body
            tally.names += 1
            return replace(body, name=ERASED_NAME)
        return replace(body, name=text(body.name))
    if isinstance(body, ev.SessionCreated):
        return replace(body, title=text(body.title), phases=_phases(body.phases, text))
    if isinstance(body, ev.AgendaSet):
        return replace(body, phases=_phases(body.phases, text))
    if isinstance(body, ev.NoteAdded):
        if mine:
            theirs.add(body.note)
        return replace(body, text=gone(body.text) if mine and remove else text(body.text))
    if isinstance(body, ev.NoteEdited):
        ours = body.note in theirs
        return replace(body, text=gone(body.text) if ours and remove else text(body.text))
    if isinstance(body, ev.NotesRevealed):
        notes = {}
        for note_id, note in body.notes.items():
            ours = note_id in theirs or note.author in scope.participants
            new = gone(note.text) if ours and remove else text(note.text)
            notes[note_id] = replace(note, text=new) if new != note.text else note
        return replace(body, notes=notes)
    if isinstance(body, ev.ClusterCreated | ev.ClusterRenamed):
        return replace(body, title=text(body.title))
    if isinstance(body, ev.ChartConfigured):
        return replace(
            body,
            x_low=text(body.x_low),
            x_high=text(body.x_high),
            y_low=text(body.y_low),
            y_high=text(body.y_high),
        )
    if isinstance(body, ev.ChatPosted):
        return replace(body, text=gone(body.text) if mine and remove else text(body.text))
    if isinstance(body, ev.BreakoutsMessaged):
        return replace(body, text=text(body.text))
    return body


def _phases(phases: tuple[ev.AgendaPhase, ...], text: Any) -> tuple[ev.AgendaPhase, ...]:
    return tuple(
        msgspec.structs.replace(
            phase,
            name=text(phase.name),
            purpose=text(phase.purpose),
            instructions=text(phase.instructions),
        )
        for phase in phases
    )


def names_by_participant(rows: Iterable[tuple[int, str]]) -> dict[int, dict[str, list[str]]]:
    """Every display name each participant had, per session, from joined/renamed bodies."""
    people: dict[int, dict[str, list[str]]] = {}
    for session_id, raw in rows:
        body = _body_decoder.decode(raw)
        if isinstance(body, ev.ParticipantJoined | ev.ParticipantRenamed):
            people.setdefault(session_id, {}).setdefault(body.participant, []).append(body.name)
    return people


# Pure: JSON of outcomes ----------------------------------------------------------------------


def rewrite_json(value: Any, scope: Scope, tally: Tally, key: str | None = None) -> Any:
    """An outcome's JSON with mentions replaced, and (on request) the person's texts removed.
    A web address that held the name becomes None."""
    if key in _ID_KEYS:
        return value
    if isinstance(value, str):
        new = scope.mentions.replace(value)
        if new is not value:
            tally.mentions += 1
            if key in _URL_KEYS:
                return None
        return new
    if isinstance(value, list):
        return [rewrite_json(item, scope, tally, key) for item in value]
    if isinstance(value, dict):
        ours = scope.delete_contributions and value.get("by") in scope.participants
        out = {}
        for k, item in value.items():
            if ours and k == "text" and isinstance(item, str):
                if item != ERASED_CONTRIBUTION:
                    tally.contributions += 1
                out[k] = ERASED_CONTRIBUTION
            else:
                out[k] = rewrite_json(item, scope, tally, k)
        return out
    return value


def plan_outcome(outcome: OutcomeRow, scope: Scope, tally: Tally) -> dict[str, Any]:
    """The outcome's fields that change."""
    changes: dict[str, Any] = {}
    for name in (
        "title",
        "summary",
        "insights",
        "actions",
        "products",
        "captured",
        "gated",  # the texts as they leave the group
        "review",  # the facilitator's words to hide or keep
    ):
        old = getattr(outcome, name)
        if old is None:
            continue
        new = rewrite_json(old, scope, tally)
        if new != old:
            changes[name] = new[:TITLE_LENGTH] if name == "title" else new
    return changes


def snapshot_mentions(raw: str, mentions: Mentions) -> bool:
    """Whether any text in a stored state holds a name (a cache: then it is deleted)."""
    if not mentions.maybe_in(raw):
        return False
    return any(mentions.replace(text) is not text for text in _strings(msgspec.json.decode(raw)))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


# I/O -----------------------------------------------------------------------------------------


@dataclass
class _Found:
    """Who the person is: participant ids per session, and the names to erase."""

    participants: dict[int, set[str]] = field(default_factory=dict)
    session_names: dict[int, list[str]] = field(default_factory=dict)
    everywhere: Mentions = NO_MENTIONS  # names erased in every session and outcome
    only: set[int] | None = None  # None: look in every session; else only in these
    account: User | None = None
    accounts_named: int = 0


async def erase(
    db: async_sessionmaker[AsyncSession],
    ask: ErasureAsk,
    app: Starlette | None = None,
    bus: Bus | None = None,
) -> ErasureReport:
    """Erase (or, on a dry run, plan erasing) a person.

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
            found = await _find(session, ask)
            report, writes = await _plan(session, ask, found)
            if not ask.dry_run and report.changed:
                await writes.apply(session)
                _audit(session, ask, report)
    if ask.dry_run or not report.changed:
        return report
    if ask.journal is not None:
        try:
            append_journal(ask.journal, journal_entry(ask, report, dt.datetime.now(dt.UTC)))
        except OSError as error:  # erased all the same; the operator must know
            report.journal_error = f"{ask.journal}: {error.strerror or error}"
            _log.error("the erasure could not be added to the erasure journal %s", ask.journal)
    if not report.session_ids:
        await _purge(engine, report, ask)
        return report
    if app is not None:
        await forget_live(db, app, report.session_ids)
        hub = getattr(app.state, "session_hub", None)
        if hub is not None:
            await erase_notice.announce(hub.bus, hub.process, report.session_ids)
    elif bus is not None:
        await erase_notice.announce(bus, "cli", report.session_ids)
    await _purge(engine, report, ask)
    return report


async def _purge(engine: AsyncEngine, report: ErasureReport, ask: ErasureAsk) -> None:
    """No old copy of what was erased stays in the database files (server.db)."""
    if not ask.purge:
        return
    tables = set(report.tables)
    if report.session_ids:
        tables.add("session_snapshots")  # deleted again after the commit (forget_live)
    started = time.monotonic()
    report.purge_complete = await purge_old_copies(engine, tables)
    report.purge_seconds = time.monotonic() - started


async def forget_live(
    db: async_sessionmaker[AsyncSession], app: Starlette, session_ids: Sequence[int]
) -> None:
    """Make this server process reload the erased sessions from their log, and its clients
    fetch a fresh state (they may hold the name)."""
    engine = getattr(app.state, "session_engine", None)
    if engine is not None:
        for session_id in session_ids:
            await engine.forget(session_id)
    hub = getattr(app.state, "session_hub", None)
    if hub is not None:
        for session_id in session_ids:
            hub.reload(session_id)
    # A snapshot written from the old state between the commit and forgetting goes too.
    async with db() as session, session.begin():
        await session.execute(
            delete(SessionSnapshot).where(SessionSnapshot.session_id.in_(session_ids))
        )


async def _find(db: AsyncSession, ask: ErasureAsk) -> _Found:
    person = ask.person
    found = _Found()
    people_query = select(SessionEvent.session_id, SessionEvent.body).where(
        SessionEvent.type.in_(PEOPLE_TYPES)
    )
    people: dict[int, dict[str, list[str]]] = {}
    names: list[str] = []  # display names to find (and erase) in every session
    wanted: set[str] = set()  # participant ids to find in every session
    if person.kind == "participant":
        public_id, participant = person.session_and_participant
        session_id = await db.scalar(
            select(LiveSession.id).where(LiveSession.public_id == public_id)
        )
        if session_id is None:
            raise ErasureError(
                "unknown_session", N_("There is no session %(session)s."), session=public_id
            )
        people = names_by_participant(
            (await db.execute(people_query.where(SessionEvent.session_id == session_id))).all()
        )
        if participant not in people.get(session_id, {}):
            raise ErasureError(
                "unknown_participant",
                N_("Session %(session)s has no participant %(participant)s."),
                session=public_id,
                participant=participant,
            )
        found.participants[session_id] = {participant}
        if ask.everywhere:  # as erasing by their display names (a replayed erasure by name)
            names = [n for n in people[session_id][participant] if _usable(n)]
        else:
            found.only = {session_id}
    else:
        everywhere: list[str] = []
        if person.kind in ("account", "account_id"):
            user = await db.scalar(
                select(User).where(User.email == person.value)
                if person.kind == "account"
                else select(User).where(User.id == int(person.value))
            )
            if user is None:
                return _Found(only=set())
            found.account = user
            everywhere = [user.name, user.email]
            wanted = {facilitator_id(user.id)}
        else:
            names = [person.value]
        found.everywhere = Mentions(everywhere)
    wanted_names = {normalize_name(name) for name in names}
    if names:
        accounts = await db.scalars(select(User.name))
        found.accounts_named = sum(1 for name in accounts if normalize_name(name) in wanted_names)
        found.everywhere = Mentions(names)
    if names or wanted:
        rows = (await db.execute(people_query)).all()
        for session_id, names_of in names_by_participant(rows).items():
            ids = wanted & names_of.keys()
            ids |= {p for p, had in names_of.items() if wanted_names & {*map(normalize_name, had)}}
            if ids:
                found.participants.setdefault(session_id, set()).update(ids)
                people[session_id] = names_of
    for session_id, ids in found.participants.items():
        names_of = people.get(session_id, {})
        found.session_names[session_id] = [n for p in ids for n in names_of.get(p, [])]
    return found


def _usable(name: str) -> bool:
    """A display name that may be searched for in texts (not a placeholder, not too short)."""
    return len(" ".join(name.split())) >= MIN_NAME and normalize_name(name) not in PLACEHOLDERS


@dataclass
class _Writes:
    titles: dict[int, str] = field(default_factory=dict)
    events: list[EventChange] = field(default_factory=list)
    snapshots: set[int] = field(default_factory=set)
    harvest_updates: dict[tuple[int, str], str] = field(default_factory=dict)
    harvest_deletes: set[tuple[int, str]] = field(default_factory=set)
    outcomes: dict[int, dict[str, Any]] = field(default_factory=dict)
    questions: dict[int, dict[str, str]] = field(default_factory=dict)
    outcome_texts: dict[int, dict[str, str]] = field(default_factory=dict)
    account: User | None = None
    versions: list[int] = field(default_factory=list)

    async def apply(self, db: AsyncSession) -> None:
        # The engine locks a session row, appends, then writes its snapshot: the same order
        # here, so the two never wait on each other in a cycle.
        for session_id, title in self.titles.items():
            await db.execute(
                update(LiveSession).where(LiveSession.id == session_id).values(title=title)
            )
        if self.events:  # one statement for all, by primary key
            await db.execute(
                update(SessionEvent),
                [
                    {"session_id": c.session_id, "seq": c.seq, "body": c.body, "others": c.others}
                    for c in self.events
                ],
            )
        if self.snapshots:
            await db.execute(
                delete(SessionSnapshot).where(SessionSnapshot.session_id.in_(self.snapshots))
            )
        for (session_id, participant), takeaway in self.harvest_updates.items():
            await db.execute(
                update(HarvestResponse)
                .where(
                    HarvestResponse.session_id == session_id,
                    HarvestResponse.participant == participant,
                )
                .values(takeaway=takeaway)
            )
        for session_id, participant in self.harvest_deletes:
            await db.execute(
                delete(HarvestResponse).where(
                    HarvestResponse.session_id == session_id,
                    HarvestResponse.participant == participant,
                )
            )
        for outcome_id, values in self.outcomes.items():
            await db.execute(update(OutcomeRow).where(OutcomeRow.id == outcome_id).values(**values))
        for question_id, values in self.questions.items():
            await db.execute(
                update(KnowledgeQuestion)
                .where(KnowledgeQuestion.id == question_id)
                .values(**values)
            )
        # The library's index (on SQLite its triggers update the FTS5 copy, outcome_search).
        for outcome_id, values in self.outcome_texts.items():
            await db.execute(
                update(OutcomeText).where(OutcomeText.outcome_id == outcome_id).values(**values)
            )
        user = self.account
        if user is not None:
            old_email = user.email
            await db.execute(delete(UserRole).where(UserRole.user_id == user.id))
            await db.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
            await db.execute(delete(LoginFailure).where(LoginFailure.email == old_email))
            await db.execute(
                update(User)
                .where(User.id == user.id)
                .values(
                    name=ERASED_NAME,
                    email=erased_email(user.id),
                    password_hash=ERASED_HASH,
                    is_active=False,
                )
            )
            if self.versions:
                await db.execute(
                    update(VariantVersion)
                    .where(VariantVersion.id.in_(self.versions))
                    .values(author_name=ERASED_NAME)
                )


async def _plan(db: AsyncSession, ask: ErasureAsk, found: _Found) -> tuple[ErasureReport, _Writes]:
    report = ErasureReport(dry_run=ask.dry_run, accounts_named=found.accounts_named)
    report.participants = sum(len(ids) for ids in found.participants.values())
    writes = _Writes()
    remove = ask.delete_contributions

    def scope(session_id: int | None) -> Scope:
        if session_id is None or session_id not in found.participants:
            return Scope(frozenset(), found.everywhere)
        return Scope(
            frozenset(found.participants[session_id]),
            found.everywhere + Mentions(found.session_names[session_id]),
            remove,
        )

    def where(column: Any, query: Any) -> Any:
        return query if found.only is None else query.where(column.in_(found.only))

    counts: dict[int, SessionCounts] = {}
    session_query = select(LiveSession)
    if found.only is not None:
        session_query = session_query.where(LiveSession.id.in_(found.only))
    sessions = {row.id: row for row in await db.scalars(session_query)}

    def count(session_id: int) -> SessionCounts:
        if session_id not in counts:
            counts[session_id] = SessionCounts(
                sessions[session_id].public_id,
                sorted(found.participants.get(session_id, ())),
            )
        return counts[session_id]

    for session_id, live in sessions.items():
        title = scope(session_id).mentions.replace(live.title)
        if title is not live.title:
            writes.titles[session_id] = title
            count(session_id).add("live_sessions")
            count(session_id).mentions += 1

    # The log: every text event of the person's sessions, and elsewhere those that may
    # mention the name.
    if found.everywhere or found.participants:
        query = where(
            SessionEvent.session_id,
            select(
                SessionEvent.session_id,
                SessionEvent.seq,
                SessionEvent.type,
                SessionEvent.actor,
                SessionEvent.body,
                SessionEvent.others,
            )
            .where(SessionEvent.type.in_(TEXT_TYPES))
            .order_by(SessionEvent.session_id, SessionEvent.seq),
        )
        if found.only is None and not found.everywhere:
            query = query.where(SessionEvent.session_id.in_(found.participants))
        current: int | None = None
        batch: list[EventRow] = []
        stream = await db.stream(query.execution_options(yield_per=2000))
        async for values in stream:
            row = EventRow(*values)
            if row.session_id != current:
                _plan_session(current, batch, scope, writes, count)
                current, batch = row.session_id, []
            if (
                row.session_id in found.participants
                or found.everywhere.maybe_in(row.body)
                or found.everywhere.maybe_in(row.others)
            ):
                batch.append(row)
        _plan_session(current, batch, scope, writes, count)

    snapshots = await db.execute(
        where(
            SessionSnapshot.session_id,
            select(SessionSnapshot.session_id, SessionSnapshot.state),
        )
    )
    for session_id, state in snapshots.all():
        if session_id in writes.snapshots:
            continue
        if session_id in counts and counts[session_id].tables.get("session_events"):
            writes.snapshots.add(session_id)
        elif snapshot_mentions(state, scope(session_id).mentions):
            writes.snapshots.add(session_id)
        else:
            continue
        count(session_id).add("session_snapshots")

    for response in await db.scalars(where(HarvestResponse.session_id, select(HarvestResponse))):
        sid, participant = response.session_id, response.participant
        here = scope(sid)
        if participant in here.participants and here.delete_contributions:
            writes.harvest_deletes.add((sid, participant))
            count(sid).add("harvest_responses")
            count(sid).contributions += 1
            continue
        takeaway = here.mentions.replace(response.takeaway)
        if takeaway is not response.takeaway:
            writes.harvest_updates[(sid, participant)] = takeaway
            count(sid).add("harvest_responses")
            count(sid).mentions += 1

    outcome_scopes: dict[int, tuple[Scope, int | None]] = {}
    for outcome in await db.scalars(where(OutcomeRow.session_id, select(OutcomeRow))):
        sid = outcome.session_id if outcome.session_id in sessions else None
        here = scope(sid)
        outcome_scopes[outcome.id] = (here, sid)
        tally = Tally()
        changes = plan_outcome(outcome, here, tally)
        if changes:
            writes.outcomes[outcome.id] = changes
            _count_other(report, count, sid, "outcomes", tally)
    if outcome_scopes:
        questions = await db.scalars(
            select(KnowledgeQuestion).where(KnowledgeQuestion.outcome_id.in_(outcome_scopes))
        )
        for question in questions:
            here, sid = outcome_scopes[question.outcome_id]
            texts = _replaced(question, ("text", "shared_text"), here.mentions)
            if texts:
                writes.questions[question.id] = texts
                _count_other(report, count, sid, "knowledge_questions", Tally(mentions=1))
        indexed = await db.scalars(
            select(OutcomeText).where(OutcomeText.outcome_id.in_(outcome_scopes))
        )
        for stored in indexed:
            here, sid = outcome_scopes[stored.outcome_id]
            texts = _replaced(stored, ("body", "title", "snippet"), here.mentions)
            if texts:
                if "title" in texts:
                    texts["title"] = texts["title"][:TITLE_LENGTH]
                writes.outcome_texts[stored.outcome_id] = texts
                _count_other(report, count, sid, "outcome_texts", Tally(mentions=1))

    user = found.account
    if user is not None:
        report.account = user.id
    erased_before = user is not None and (user.name, user.email, user.is_active) == (
        ERASED_NAME,
        erased_email(user.id),
        False,
    )  # found again by its id (a replay): nothing more to change in its row
    if user is not None and not erased_before:
        writes.account = user
        report.other["users"] = 1
        roles = len(user.role_rows)
        logins = len(
            list(
                await db.scalars(
                    select(LoginSession.token_hash).where(LoginSession.user_id == user.id)
                )
            )
        )
        failures = len(
            list(await db.scalars(select(LoginFailure.id).where(LoginFailure.email == user.email)))
        )
        writes.versions = list(
            await db.scalars(
                select(VariantVersion.id).where(
                    VariantVersion.author_id == user.id, VariantVersion.author_name != ERASED_NAME
                )
            )
        )
        for table, n in (
            ("user_roles", roles),
            ("login_sessions", logins),
            ("login_failures", failures),
            ("variant_versions", len(writes.versions)),
        ):
            if n:
                report.other[table] = n

    report.sessions = [counts[sid] for sid in sorted(counts, key=lambda s: sessions[s].public_id)]
    report.sessions = [c for c in report.sessions if c.tables]
    report.session_ids = sorted(
        sid for sid in counts if {"session_events", "session_snapshots"} & counts[sid].tables.keys()
    )
    return report, writes


def _plan_session(
    session_id: int | None,
    rows: list[EventRow],
    scope: Any,
    writes: _Writes,
    count: Any,
) -> None:
    if session_id is None or not rows:
        return
    tally = Tally()
    changes = plan_events(rows, scope(session_id), tally)
    if changes:
        writes.events.extend(changes)
        counts: SessionCounts = count(session_id)
        counts.add("session_events", len(changes))
        counts.names += tally.names
        counts.mentions += tally.mentions
        counts.contributions += tally.contributions


def _replaced(row: Any, columns: Sequence[str], mentions: Mentions) -> dict[str, str]:
    """The columns of `row` whose text held a name, with the name replaced (None stays)."""
    values = {}
    for column in columns:
        old = getattr(row, column)
        if old is not None:
            new = mentions.replace(old)
            if new is not old:
                values[column] = new
    return values


def _count_other(
    report: ErasureReport, count: Any, session_id: int | None, table: str, tally: Tally
) -> None:
    if session_id is None:
        report.other[table] = report.other.get(table, 0) + 1
        return
    counts: SessionCounts = count(session_id)
    counts.add(table)
    counts.mentions += tally.mentions
    counts.contributions += tally.contributions


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
