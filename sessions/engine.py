"""The write path of live sessions: decide, append with group commit, then deliver.

One writer task per process takes every queued command at once (group commit: one transaction
per batch, never one per event). Per session, in that transaction, it locks the session row
(`last_seq`, which serialises appends across processes), catches its cached state up with
what other processes appended, decides each command on that state, appends the events with
gap-free seqs and commits. Only then are the senders answered and the events delivered.

The same cached state serves deliveries from other processes (`catch_up`, on a bus notice),
under the same per-session lock, so every event is applied and delivered exactly once here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import msgspec
from prometheus_client import Histogram
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sessions import events as ev
from sessions.decide import Refused, advance_if_due
from sessions.models import LiveSession, SessionEvent, SessionSnapshot
from sessions.state import State, apply
from sessions.tools import READERS_IN_BODY, event_types
from sessions.views import audience

log = logging.getLogger("werkplaats.sessions")

SNAPSHOT_EVERY = 500
MAX_BATCH = 1000
KNOWN_COMMANDS = 20_000  # per session, for applying a retried command once
# Upper bounds (seconds) of the database timing buckets: SQLite commits in well under 1 ms.
DATABASE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)

Decider = Callable[[State, float], list[ev.EventBody]]  # (state, now) -> events
_encode = msgspec.json.Encoder().encode
_body_decoder: msgspec.json.Decoder[ev.EventBody] = msgspec.json.Decoder(ev.EventBody)
# The event types (tags) whose body names their readers (sessions/tools READERS_IN_BODY).
_READERS_IN_BODY = {tag for tag, body in event_types().items() if body in READERS_IN_BODY}
_state_decoder: msgspec.json.Decoder[State] = msgspec.json.Decoder(State)


@dataclass(frozen=True, slots=True)
class Delivery:
    """A committed event as it goes out: encoded once for the author, once for everyone else."""

    seq: int
    author: str | None  # None: `others` is for everyone
    others: bytes
    for_author: bytes | None
    removes: str | None = None  # a participant removed by this event: their connections close
    readers: frozenset[str] = frozenset()  # who else gets `for_author` (a breakout group's chat)


@dataclass
class _Pending:
    session_id: int
    actor: str | None
    command_id: str | None
    decide: Decider
    future: asyncio.Future[list[int]]


@dataclass
class _Session:
    state: State
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    commands: OrderedDict[tuple[str | None, str], list[int]] = field(
        default_factory=OrderedDict
    )  # (actor, command id) -> the seqs it made: a retry is answered, not applied again


Deliver = Callable[[int, Sequence[Delivery]], None]
Notify = Callable[[int, int, int], None]


class SessionEngine:
    """Commands in, committed events out, for every session this process serves."""

    def __init__(self, db: async_sessionmaker[AsyncSession], tick: float = 30.0) -> None:
        self.db = db
        self.tick = tick  # how often asynchronous sessions are checked for a phase that is due
        self.deliver: Deliver = lambda session_id, deliveries: None
        self.notify: Notify = lambda session_id, first, last: None
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._sessions: dict[int, _Session] = {}
        self._tasks: list[asyncio.Task[None]] = []
        # For /metrics: this engine's own, registered nowhere (sessions/metrics.py reads them).
        self.events_appended = 0
        self.database_seconds = Histogram(
            "werkplaats_database_seconds",
            "Duration of the session engine's database work: append (a group-commit "
            "transaction), catch_up (reading what other processes appended), resume (reading "
            "the events a reconnecting client missed).",
            ["operation"],
            registry=None,
            buckets=DATABASE_BUCKETS,
        )
        self._append_seconds = self.database_seconds.labels("append")
        self._catch_up_seconds = self.database_seconds.labels("catch_up")
        self._resume_seconds = self.database_seconds.labels("resume")

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._write_forever(), name="session-writer"),
            loop.create_task(self._keep_time(), name="session-timekeeper"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
        self._tasks = []

    async def _keep_time(self) -> None:
        """Advance asynchronous sessions whose phase date has passed (those served here)."""
        while True:
            await asyncio.sleep(self.tick)
            now = time.time()
            for session_id, session in list(self._sessions.items()):
                state = session.state
                if state.asynchronous and state.ends_at is not None and state.ends_at <= now:
                    try:
                        await self.submit(session_id, None, None, advance_if_due)
                    except Exception:
                        log.exception("advancing session %s by date failed", session_id)

    async def submit(
        self, session_id: int, actor: str | None, command_id: str | None, decide: Decider
    ) -> list[int]:
        """Decide and append; returns the seqs of the committed events, or raises Refused."""
        future: asyncio.Future[list[int]] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Pending(session_id, actor, command_id, decide, future))
        return await future

    async def state(self, session_id: int) -> State:
        """The session's current state (caught up with the log)."""
        await self.catch_up(session_id)
        return self._sessions[session_id].state

    def cached(self) -> list[int]:
        """The sessions whose state this process holds in memory."""
        return list(self._sessions)

    async def forget(self, session_id: int) -> None:
        """Drop the cached state of a session; the next access reloads it from the log.

        After an erasure rewrote the log (sessions/erase.py), so no name stays in memory."""
        session = self._sessions.get(session_id)
        if session is None:
            return
        async with session.lock:  # not while its events are being appended
            if self._sessions.get(session_id) is session:
                del self._sessions[session_id]

    async def catch_up(self, session_id: int) -> None:
        """Apply and deliver what other processes appended since this process last looked."""
        session = await self._session(session_id)
        async with session.lock:
            started = time.perf_counter()
            async with self.db() as db:
                deliveries = await self._advance(db, session_id, session, None)
            self._catch_up_seconds.observe(time.perf_counter() - started)
        if deliveries:
            self.deliver(session_id, deliveries)

    async def deliveries_after(
        self, session_id: int, seq: int, limit: int | None = None
    ) -> list[Delivery]:
        """The committed events after `seq`, oldest first (at most `limit`), ready to send."""
        query = (
            select(SessionEvent)
            .where(SessionEvent.session_id == session_id, SessionEvent.seq > seq)
            .order_by(SessionEvent.seq)
        )
        started = time.perf_counter()
        async with self.db() as db:
            rows = await db.execute(query if limit is None else query.limit(limit))
            deliveries = [delivery_of(row) for row in rows.scalars()]
        self._resume_seconds.observe(time.perf_counter() - started)
        return deliveries

    async def events(self, session_id: int) -> list[ev.Event]:
        """Every event of a session, oldest first (for exports and checks)."""
        async with self.db() as db:
            rows = await db.execute(
                select(SessionEvent)
                .where(SessionEvent.session_id == session_id)
                .order_by(SessionEvent.seq)
            )
            return [_event(row) for row in rows.scalars()]

    # The writer ------------------------------------------------------------------------------

    async def _write_forever(self) -> None:
        while True:
            batch = [await self._queue.get()]
            # Everything queued while the last transaction committed goes into this one.
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._write(batch)
            except Exception as error:  # the database failed: nothing of this batch is acked
                log.exception("appending %d command(s) failed", len(batch))
                for pending in batch:
                    self._sessions.pop(pending.session_id, None)  # reload from the log
                    if not pending.future.done():
                        pending.future.set_exception(error)

    async def _write(self, batch: list[_Pending]) -> None:
        by_session: dict[int, list[_Pending]] = {}
        for pending in batch:
            by_session.setdefault(pending.session_id, []).append(pending)
        order = sorted(by_session)  # one lock order for every process: no deadlocks
        sessions = {sid: await self._session(sid) for sid in order}
        for sid in order:
            await sessions[sid].lock.acquire()
        results: dict[int, list[int] | BaseException] = {}
        deliveries: dict[int, list[Delivery]] = {}
        appended = 0
        try:
            now = time.time()
            started = time.perf_counter()
            async with self.db() as db, db.begin():
                for sid in order:
                    session = sessions[sid]
                    last = await db.scalar(
                        update(LiveSession)
                        .where(LiveSession.id == sid)
                        .values(last_seq=LiveSession.last_seq)
                        .returning(LiveSession.last_seq)
                    )
                    if last is None:
                        for pending in by_session[sid]:
                            results[id(pending)] = Refused("unknown_session", "no such session")
                        continue
                    out = await self._advance(db, sid, session, last)
                    first_new = session.state.seq + 1
                    rows: list[dict[str, object]] = []
                    for pending in by_session[sid]:
                        results[id(pending)] = self._apply_command(session, pending, now, rows, out)
                    if rows:
                        appended += len(rows)
                        await db.execute(insert(SessionEvent), rows)
                        await db.execute(
                            update(LiveSession)
                            .where(LiveSession.id == sid)
                            .values(last_seq=session.state.seq)
                        )
                        if session.state.seq // SNAPSHOT_EVERY > (first_new - 1) // SNAPSHOT_EVERY:
                            await _save_snapshot(db, sid, session.state)  # crossed a multiple
                    deliveries[sid] = out
            self._append_seconds.observe(time.perf_counter() - started)
            self.events_appended += appended  # committed
        except BaseException:
            for sid in order:
                self._sessions.pop(sid, None)  # its cached state ran ahead of the log
            raise
        finally:
            for sid in order:
                sessions[sid].lock.release()
        for pending in batch:
            result = results.get(id(pending))
            if result is None or pending.future.done():
                continue
            if isinstance(result, BaseException):
                pending.future.set_exception(result)
            else:
                pending.future.set_result(result)
        for sid, out in deliveries.items():
            if out:
                self.deliver(sid, out)
                self.notify(sid, out[0].seq, out[-1].seq)

    def _apply_command(
        self,
        session: _Session,
        pending: _Pending,
        now: float,
        rows: list[dict[str, object]],
        out: list[Delivery],
    ) -> list[int] | BaseException:
        key = (pending.actor, pending.command_id) if pending.command_id else None
        if key is not None and key in session.commands:
            return session.commands[key]  # a retry: applied once already
        try:
            bodies = pending.decide(session.state, now)
        except Refused as refused:
            return refused
        made: list[int] = []
        for body in bodies:
            event = ev.Event(session.state.seq + 1, pending.actor, now, body)
            delivery = _delivery(event, session.state)
            out.append(delivery)
            apply(session.state, event)
            made.append(event.seq)
            rows.append(
                {
                    "session_id": pending.session_id,
                    "seq": event.seq,
                    "type": body.__struct_config__.tag,
                    "actor": event.actor,
                    "command_id": pending.command_id,
                    "at": event.at,
                    "body": _encode(body).decode(),
                    "audience": delivery.author,
                    "others": delivery.others.decode() if delivery.author else None,
                }
            )
        if key is not None:
            _remember(session, key, made)
        return made

    async def _session(self, session_id: int) -> _Session:
        session = self._sessions.get(session_id)
        if session is None:
            session = self._sessions[session_id] = _Session(State())
            async with session.lock, self.db() as db:
                snapshot = await db.get(SessionSnapshot, session_id)
                if snapshot is not None:
                    session.state = _state_decoder.decode(snapshot.state)
                    await _recall_commands(db, session_id, session)
        return session

    async def _advance(
        self, db: AsyncSession, session_id: int, session: _Session, last: int | None
    ) -> list[Delivery]:
        """Apply the logged events this process has not seen yet (lock held)."""
        if last is not None and last <= session.state.seq:
            return []
        rows = await db.execute(
            select(SessionEvent)
            .where(SessionEvent.session_id == session_id, SessionEvent.seq > session.state.seq)
            .order_by(SessionEvent.seq)
        )
        out = []
        for row in rows.scalars():
            event = _event(row)
            out.append(delivery_of(row))
            apply(session.state, event)
            if row.command_id is not None:
                _remember(session, (row.actor, row.command_id), [event.seq], extend=True)
        return out


def _remember(
    session: _Session, key: tuple[str | None, str], made: list[int], extend: bool = False
) -> None:
    if extend and key in session.commands:
        session.commands[key].extend(made)
        return
    session.commands[key] = list(made)
    if len(session.commands) > KNOWN_COMMANDS:
        session.commands.popitem(last=False)


async def _recall_commands(db: AsyncSession, session_id: int, session: _Session) -> None:
    """Learn the command ids logged up to the snapshot (later ones come with their events), so
    a command retried after a restart is still applied once."""
    rows = await db.execute(
        select(SessionEvent.actor, SessionEvent.command_id, SessionEvent.seq)
        .where(
            SessionEvent.session_id == session_id,
            SessionEvent.command_id.is_not(None),
            SessionEvent.seq <= session.state.seq,
        )
        .order_by(SessionEvent.seq.desc())
        .limit(KNOWN_COMMANDS)
    )
    for actor, command_id, seq in reversed(rows.all()):
        if command_id is not None:
            _remember(session, (actor, command_id), [seq], extend=True)


def _event(row: SessionEvent) -> ev.Event:
    return ev.Event(row.seq, row.actor, row.at, _body_decoder.decode(row.body))


def delivery_of(row: SessionEvent) -> Delivery:
    """A logged event ready to send, built from the stored JSON without decoding it again."""
    actor = _encode(row.actor).decode()
    whole = f'{{"seq":{row.seq},"actor":{actor},"at":{row.at!r},"body":{row.body}}}'.encode()
    removes = None
    if row.type == "participant.removed":
        body = _body_decoder.decode(row.body)
        assert isinstance(body, ev.ParticipantRemoved)
        removes = body.participant
    if row.audience is None:
        return Delivery(row.seq, None, whole, None, removes)
    assert row.others is not None
    readers: frozenset[str] = frozenset()
    if row.type in _READERS_IN_BODY:  # a breakout group's chat or room: readers in the body
        body = _body_decoder.decode(row.body)
        readers = READERS_IN_BODY[type(body)](body)
    return Delivery(row.seq, row.audience, row.others.encode(), whole, removes, readers)


def _delivery(event: ev.Event, before: State) -> Delivery:
    seen = audience(event, before)
    removes = event.body.participant if isinstance(event.body, ev.ParticipantRemoved) else None
    if seen.author is None:
        return Delivery(event.seq, None, _encode(event), None, removes)
    assert seen.others is not None
    return Delivery(
        event.seq, seen.author, _encode(seen.others), _encode(event), removes, seen.readers
    )


async def _save_snapshot(db: AsyncSession, session_id: int, state: State) -> None:
    snapshot = await db.get(SessionSnapshot, session_id)
    encoded = _encode(state).decode()
    if snapshot is None:
        db.add(SessionSnapshot(session_id=session_id, seq=state.seq, state=encoded))
    else:
        snapshot.seq, snapshot.state = state.seq, encoded
