"""The live sessions' part of erasing a person (server/erasure.py composes the parts).

`plan_events` and `snapshot_mentions` are pure: given rows, they say what changes; `find`
learns the person's participant ids and display names, `plan` reads the rows and counts.

- The person's display name becomes "[verwijderd]" in their `participant.joined` and
  `participant.renamed` events; every mention of their name (as a whole name, written in any case,
  spacing, hyphenation or slug form: catalogue/mentions.py, with
  catalogue/outcomes/name_matcher.py as the sharing gate finds it) in the texts of notes, chat,
  clusters, breakout messages, agendas, chart labels, session titles and harvest takeaways becomes
  "[naam verwijderd]" (the catalogue's part does the outcomes, questions and the library's index;
  the accounts' part in server/erasure_accounts.py the account). Seqs and event types stay, so the
  log stays gap-free and clients resume.
- With `delete_contributions`, their notes and chat messages become "[verwijderd op verzoek]"
  and their harvest response goes; otherwise their contributions stay, pseudonymous.
- Each changed session's snapshot is deleted: it is a cache, rebuilt from the log. After the
  commit this process forgets the sessions and tells the others (sessions/erase_notice.py).
- Their trend observations (ratings and chart positions, sessions/trends/), also without
  `delete_contributions`.
- An erased account's session invitations and calendar feed (the accounts' part keeps its row).
- Mail about sessions (an invitation holds the session's title) to anyone else: the name in it,
  as in the title (mail to an erased account the accounts' part deletes).
- A name given by `--name` (or an account's name and email) is erased wherever it is written;
  a participant's other display names (before a rename) in the sessions they were in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from catalogue.mentions import Mentions, Scope, Tally, scopes
from catalogue.outcomes.models import OutcomeRow
from server.bus import Bus
from server.erasure import (
    ERASED_CONTRIBUTION,
    ERASED_NAME,
    Apply,
    Counts,
    ErasureAsk,
    ErasureError,
    ErasurePart,
    ErasureReport,
    Found,
    Person,
    normalize_name,
    usable,
)
from server.i18n import N_
from server.mail.models import MailOutbox
from sessions import erase_notice
from sessions import events as ev
from sessions.actions import facilitator_id
from sessions.groups.models import Group, GroupAction, GroupMember, GroupSession, SessionMember
from sessions.models import (
    CalendarFeed,
    HarvestResponse,
    LiveSession,
    SessionEvent,
    SessionInvitation,
    SessionSnapshot,
)
from sessions.trends.models import TrendObservation

PEOPLE_TYPES = ("participant.joined", "participant.renamed")
# Events with text a person wrote or a name may be in; no other event carries free text. Each
# tool's slice declares its events' text fields (sessions/tools/); PEOPLE_TYPES are among them.
TEXT_TYPES = ev.text_event_types()

_encode = msgspec.json.Encoder().encode
_body_decoder: msgspec.json.Decoder[ev.EventBody] = msgspec.json.Decoder(ev.EventBody)
_event_decoder: msgspec.json.Decoder[ev.Event] = msgspec.json.Decoder(ev.Event)


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
    if isinstance(body, ev.ReviewOpened):
        # The actions' texts and their owners' names (a name: as any mention of the person).
        return replace(
            body,
            actions=tuple(
                replace(
                    item,
                    text=text(item.text),
                    owner_name=text(item.owner_name) if item.owner_name is not None else None,
                )
                for item in body.actions
            ),
        )
    return body


def _phases(phases: tuple[ev.AgendaPhase, ...], text: Any) -> tuple[ev.AgendaPhase, ...]:
    return tuple(
        msgspec.structs.replace(
            phase,
            name=text(phase.name),
            purpose=text(phase.purpose),
            instructions=text(phase.instructions),
            guidance=text(phase.guidance),
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


async def find(db: AsyncSession, ask: ErasureAsk, found: Found) -> None:
    """The person's participant ids and display names in every session they were in, and the
    sessions to look in. After the accounts' part: an account is found as its facilitator id."""
    person = ask.person
    people_query = select(SessionEvent.session_id, SessionEvent.body).where(
        SessionEvent.type.in_(PEOPLE_TYPES)
    )
    people: dict[int, dict[str, list[str]]] = {}
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
            found.names = [n for n in people[session_id][participant] if usable(n)]
        else:
            found.only = {session_id}
    elif person.kind == "member":
        by_session = await _member_sessions(db, person)
        people = names_by_participant(
            (await db.execute(people_query.where(SessionEvent.session_id.in_(by_session)))).all()
        )
        found.participants = {sid: {participant} for sid, participant in by_session.items()}
        found.only = await _group_sessions(db, person)
    elif found.account is not None:
        wanted = {facilitator_id(found.account)}
    names = found.names  # display names to find (and erase) in every session
    wanted_names = {normalize_name(name) for name in names}
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
    sessions = select(LiveSession.id, LiveSession.public_id)
    if found.only is not None:
        sessions = sessions.where(LiveSession.id.in_(found.only))
    found.sessions = {session_id: public_id for session_id, public_id in await db.execute(sessions)}


async def _member_sessions(db: AsyncSession, person: Person) -> dict[int, str]:
    """A member's participant id in each session of their group; ErasureError if the group or
    the member is unknown."""
    _, member = await _group_and_member(db, person)
    rows = await db.execute(
        select(SessionMember.session_id, SessionMember.participant).where(
            SessionMember.member_id == member.member_id
        )
    )
    return {session_id: participant for session_id, participant in rows}


async def _group_sessions(db: AsyncSession, person: Person) -> set[int]:
    group, _ = await _group_and_member(db, person)
    return set(
        await db.scalars(select(GroupSession.session_id).where(GroupSession.group_id == group.id))
    )


async def _group_and_member(db: AsyncSession, person: Person) -> tuple[Group, GroupMember]:
    group_id, member_id = person.group_and_member
    group = await db.scalar(select(Group).where(Group.public_id == group_id))
    if group is None:
        raise ErasureError("unknown_group", N_("There is no group %(group)s."), group=group_id)
    member = await db.scalar(
        select(GroupMember).where(
            GroupMember.group_id == group.id, GroupMember.member_id == member_id
        )
    )
    if member is None:
        raise ErasureError(
            "unknown_member",
            N_("Group %(group)s has no member %(member)s."),
            group=group_id,
            member=member_id,
        )
    return group, member


@dataclass
class _Writes:
    titles: dict[int, str] = field(default_factory=dict)
    events: list[EventChange] = field(default_factory=list)
    snapshots: set[int] = field(default_factory=set)
    harvest_updates: dict[tuple[int, str], str] = field(default_factory=dict)
    harvest_deletes: set[tuple[int, str]] = field(default_factory=set)
    trend_deletes: set[tuple[int, str]] = field(default_factory=set)  # (outcome id, participant)
    action_texts: dict[int, str] = field(default_factory=dict)  # group action id -> its text
    account: int | None = None  # an erased account: its session invitations and calendar feed
    mails: dict[int, dict[str, str]] = field(default_factory=dict)  # mail id -> changed columns
    members_gone: set[str] = field(default_factory=set)  # members erased from their group
    members_renamed: set[str] = field(default_factory=set)  # members whose name is erased

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
        for action_id, text in self.action_texts.items():
            await db.execute(
                update(GroupAction).where(GroupAction.id == action_id).values(text=text)
            )
        for outcome_id, participant in self.trend_deletes:
            await db.execute(
                delete(TrendObservation).where(
                    TrendObservation.outcome_id == outcome_id,
                    TrendObservation.participant == participant,
                )
            )
        if self.members_gone:  # their links to sessions (and their path) go with them
            await db.execute(
                delete(GroupMember).where(GroupMember.member_id.in_(self.members_gone))
            )
        if self.members_renamed:
            await db.execute(
                update(GroupMember)
                .where(GroupMember.member_id.in_(self.members_renamed))
                .values(name=ERASED_NAME, user_id=None)
            )
        for mail_id, values in self.mails.items():
            await db.execute(update(MailOutbox).where(MailOutbox.id == mail_id).values(**values))
        if self.account is not None:
            await db.execute(
                delete(SessionInvitation).where(SessionInvitation.user_id == self.account)
            )
            await db.execute(delete(CalendarFeed).where(CalendarFeed.user_id == self.account))


async def plan(db: AsyncSession, ask: ErasureAsk, found: Found, counts: Counts) -> Apply:
    writes = _Writes()
    scope = scopes(found, ask.delete_contributions)
    everywhere = scope(None).mentions

    def where(column: Any, query: Any) -> Any:
        return query if found.only is None else query.where(column.in_(found.only))

    titles = await db.execute(where(LiveSession.id, select(LiveSession.id, LiveSession.title)))
    for session_id, old in titles.all():
        title = scope(session_id).mentions.replace(old)
        if title is not old:
            writes.titles[session_id] = title
            counts.add(session_id, "live_sessions", mentions=1)

    # The log: every text event of the person's sessions, and elsewhere those that may
    # mention the name.
    if everywhere or found.participants:
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
        if found.only is None and not everywhere:
            query = query.where(SessionEvent.session_id.in_(found.participants))
        current: int | None = None
        batch: list[EventRow] = []
        stream = await db.stream(query.execution_options(yield_per=2000))
        async for values in stream:
            row = EventRow(*values)
            if row.session_id != current:
                _plan_session(current, batch, scope, writes, counts)
                current, batch = row.session_id, []
            if (
                row.session_id in found.participants
                or everywhere.maybe_in(row.body)
                or everywhere.maybe_in(row.others)
            ):
                batch.append(row)
        _plan_session(current, batch, scope, writes, counts)

    snapshots = await db.execute(
        where(
            SessionSnapshot.session_id,
            select(SessionSnapshot.session_id, SessionSnapshot.state),
        )
    )
    for session_id, state in snapshots.all():
        if session_id in writes.snapshots:
            continue
        if session_id in counts.sessions and counts.sessions[session_id].tables.get(
            "session_events"
        ):
            writes.snapshots.add(session_id)
        elif snapshot_mentions(state, scope(session_id).mentions):
            writes.snapshots.add(session_id)
        else:
            continue
        counts.add(session_id, "session_snapshots")

    for response in await db.scalars(where(HarvestResponse.session_id, select(HarvestResponse))):
        sid, participant = response.session_id, response.participant
        here = scope(sid)
        if participant in here.participants and here.delete_contributions:
            writes.harvest_deletes.add((sid, participant))
            counts.add(sid, "harvest_responses", contributions=1)
            continue
        takeaway = here.mentions.replace(response.takeaway)
        if takeaway is not response.takeaway:
            writes.harvest_updates[(sid, participant)] = takeaway
            counts.add(sid, "harvest_responses", mentions=1)

    # Their trend observations go whether or not their contributions do: a person's ratings and
    # positions over time are theirs (sessions/trends/).
    if found.participants:
        observed = await db.execute(
            select(
                OutcomeRow.session_id,
                TrendObservation.outcome_id,
                TrendObservation.participant,
                func.count(),
            )
            .join(OutcomeRow, OutcomeRow.id == TrendObservation.outcome_id)
            .where(OutcomeRow.session_id.in_(found.participants))
            .group_by(
                OutcomeRow.session_id, TrendObservation.outcome_id, TrendObservation.participant
            )
        )
        for sid, outcome_id, participant, rows in observed.all():
            if sid is not None and participant in found.participants[sid]:
                writes.trend_deletes.add((outcome_id, participant))
                counts.session(sid).add("trend_observations", rows)

    # A group's actions are texts someone typed: a name in them goes as in any text.
    for action in await db.scalars(where(GroupAction.session_id, select(GroupAction))):
        if action.session_id is None:
            continue
        text = scope(action.session_id).mentions.replace(action.text)
        if text is not action.text:
            writes.action_texts[action.id] = text
            counts.add(action.session_id, "group_actions", mentions=1)

    # An erased account's rows here: the sessions it was invited to, its calendar feed.
    if found.account is not None and found.erase_account:
        writes.account = found.account
        for table, column in (
            ("session_invitations", SessionInvitation.user_id),
            ("calendar_feeds", CalendarFeed.user_id),
        ):
            rows = len(list(await db.scalars(select(column).where(column == found.account))))
            if rows:
                counts.report.other[table] = rows

    await _plan_mails(db, found, writes, counts)
    await _plan_members(db, ask, found, writes, counts)

    counts.report.session_ids = sorted(
        sid
        for sid, changed in counts.sessions.items()
        if {"session_events", "session_snapshots"} & changed.tables.keys()
    )
    return writes.apply


_MAIL_COLUMNS = ("subject", "text", "html", "calendar")
_MAIL_SUBJECT = 200  # mail_outbox.subject: a longer replacement is cut


async def _plan_mails(db: AsyncSession, found: Found, writes: _Writes, counts: Counts) -> None:
    """Mail holds a session's title (an invitation, its change, a reminder) and is kept a week
    after sending: the names erased everywhere, and those of a session whose title held them,
    go from it too. Mail to an erased account is the accounts' part's to delete."""
    names = list(found.everywhere)
    for session_id in writes.titles:
        names += found.session_names.get(session_id, [])
    mentions = Mentions(names)
    if not mentions:
        return
    theirs = found.account_texts[1] if found.account is not None else None
    for mail in await db.scalars(select(MailOutbox)):
        if theirs is not None and mail.to == theirs:
            continue
        values = {}
        for column in _MAIL_COLUMNS:
            old = getattr(mail, column)
            if old is not None and mentions.maybe_in(old):
                new = mentions.replace(old)
                if new is not old:
                    values[column] = new[:_MAIL_SUBJECT] if column == "subject" else new
        if values:
            writes.mails[mail.id] = values
            counts.report.other["mail_outbox"] = counts.report.other.get("mail_outbox", 0) + 1


async def _plan_members(
    db: AsyncSession, ask: ErasureAsk, found: Found, writes: _Writes, counts: Counts
) -> None:
    """Group members: one erased as a member leaves the group (their links to its sessions and
    their path go with the row); a member found by name or account keeps their place in the
    group without the name."""
    if ask.person.kind == "member":
        _, member = await _group_and_member(db, ask.person)
        writes.members_gone.add(member.member_id)
        counts.report.other["group_members"] = 1
        return
    wanted = {normalize_name(name) for name in found.everywhere}
    for names in found.session_names.values():
        wanted |= {normalize_name(name) for name in names if usable(name)}
    if not wanted and found.account is None:
        return
    for member in await db.scalars(select(GroupMember)):
        if member.name == ERASED_NAME:
            continue
        if normalize_name(member.name) in wanted or (
            found.account is not None and member.user_id == found.account
        ):
            writes.members_renamed.add(member.member_id)
    if writes.members_renamed:
        counts.report.other["group_members"] = len(writes.members_renamed)


def _plan_session(
    session_id: int | None,
    rows: list[EventRow],
    scope: Callable[[int | None], Scope],
    writes: _Writes,
    counts: Counts,
) -> None:
    if session_id is None or not rows:
        return
    tally = Tally()
    changes = plan_events(rows, scope(session_id), tally)
    if changes:
        writes.events.extend(changes)
        counted = counts.session(session_id)
        counted.add("session_events", len(changes))
        counted.names += tally.names
        counted.mentions += tally.mentions
        counted.contributions += tally.contributions


async def after(
    db: async_sessionmaker[AsyncSession],
    report: ErasureReport,
    app: Starlette | None,
    bus: Bus | None,
) -> set[str]:
    """Once committed: with `app` (the coordinator page), this process reloads the erased
    sessions and tells the other processes to; with only a `bus` (the command line), it tells
    every process. Their snapshots are deleted again: purge that table too."""
    if not report.session_ids:
        return set()
    if app is not None:
        await forget_live(db, app, report.session_ids)
        hub = getattr(app.state, "session_fanout", None)
        if hub is not None:
            await erase_notice.announce(hub.bus, hub.process, report.session_ids)
    elif bus is not None:
        await erase_notice.announce(bus, "cli", report.session_ids)
    return {"session_snapshots"}  # deleted again after the commit (forget_live)


async def forget_live(
    db: async_sessionmaker[AsyncSession], app: Starlette, session_ids: Sequence[int]
) -> None:
    """Make this server process reload the erased sessions from their log, and its clients
    fetch a fresh state (they may hold the name)."""
    engine = getattr(app.state, "session_engine", None)
    if engine is not None:
        for session_id in session_ids:
            await engine.forget(session_id)
    hub = getattr(app.state, "session_fanout", None)
    if hub is not None:
        for session_id in session_ids:
            hub.reload(session_id)
    # A snapshot written from the old state between the commit and forgetting goes too.
    async with db() as session, session.begin():
        await session.execute(
            delete(SessionSnapshot).where(SessionSnapshot.session_id.in_(session_ids))
        )


PART = ErasurePart(find=find, plan=plan, after=after)
