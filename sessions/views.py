"""Who sees what: each event's audience, a reader's view of it, and a reader's state.

Most events are the same for everyone. Some are not:
- a note written in private is seen by its author only, until the notes are revealed;
- the author of an anonymous note (and of any change to it) is known to that author only;
- votes are anonymous, and while voting is hidden only the voter sees their own votes;
- a positioning marker is seen by its owner only until the chart is revealed, then by all,
  anonymously;
- a breakout group's chat message is seen by the readers it names (the group's members when it
  was posted, the facilitators and co-facilitators) only.
Readers who may not see an event receive a `Hidden` stand-in with the same seq, so every
reader's seq stays gap-free. Because every event has at most two versions (the author's, which
also named readers get, and everyone else's), the hub encodes each event at most twice, never
once per recipient.

`project(state, reader)` gives the state a reader builds by folding their views; a property
test checks that it always equals `fold(view(e) for e in log)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sessions import events as ev
from sessions.state import Marker, Note, State, Voting, chat_readers, copy


@dataclass(frozen=True, slots=True)
class Audience:
    """Who sees an event how: `author` and `readers` see it whole; everyone else `others`."""

    author: str | None  # None: everyone sees the event as it is
    others: ev.Event | None = None
    readers: frozenset[str] = frozenset()


EVERYONE = Audience(None)


def audience(event: ev.Event, before: State) -> Audience:
    """The audience of an event, given the state just before it."""
    body = event.body
    actor = event.actor
    if actor is None:
        return EVERYONE
    if isinstance(body, ev.NoteAdded):
        if body.private:
            return _hidden(event, actor, "note")
        if body.anonymous:
            return _anonymous(event, actor)
        return EVERYONE
    if isinstance(body, ev.NoteEdited | ev.NoteMoved | ev.NoteDeleted | ev.NoteClustered):
        note = before.notes.get(body.note)
        if note is not None and note.private:
            return _hidden(event, actor, "note")
        if note is not None and note.anonymous:
            return _anonymous(event, actor)
        return EVERYONE
    if isinstance(body, ev.VoteCast):
        if before.voting.hidden and not before.voting.revealed:
            return _hidden(event, actor, "vote")
        return _anonymous(event, actor)
    if isinstance(body, ev.MarkerPlaced):
        if before.chart.revealed:
            return _anonymous(event, actor)
        return _hidden(event, actor, "marker")
    if isinstance(body, ev.ChatPosted) and body.group is not None:
        # `to` is None in a log from before events named their readers: the same rule, then.
        readers = body.to if body.to is not None else chat_readers(before, actor, body.group)
        hidden = ev.Event(event.seq, None, event.at, ev.Hidden("chat"))
        return Audience(actor, hidden, frozenset(readers or ()))
    return EVERYONE


def _hidden(event: ev.Event, author: str, what: ev.HiddenWhat) -> Audience:
    return Audience(author, ev.Event(event.seq, None, event.at, ev.Hidden(what)))


def _anonymous(event: ev.Event, author: str) -> Audience:
    return Audience(author, ev.Event(event.seq, None, event.at, event.body))


def view(event: ev.Event, before: State, reader: str | None) -> ev.Event:
    """The event as `reader` receives it (None: a reader who is no participant)."""
    seen = audience(event, before)
    if seen.author is None or seen.author == reader or reader in seen.readers:
        return event
    assert seen.others is not None
    return seen.others


def project(state: State, reader: str | None) -> State:
    """The state `reader` has after receiving their views of every event (a new object)."""
    mine = copy(state)
    mine.notes = {
        note_id: _note_for(note, reader)
        for note_id, note in state.notes.items()
        if not note.private or note.author == reader
    }
    mine.chat = [
        message
        for message in mine.chat
        if message.to is None or (reader is not None and reader in message.to)
    ]
    mine.voting = _voting_for(state.voting, reader)
    mine.chart.markers = {
        marker_id: Marker(
            marker.owner if marker.owner == reader else None, marker.kind, marker.x, marker.y
        )
        for marker_id, marker in state.chart.markers.items()
        if state.chart.revealed or marker.owner == reader
    }
    return mine


def _note_for(note: Note, reader: str | None) -> Note:
    if note.anonymous and note.author != reader:
        return Note(
            None, note.text, note.x, note.y, note.anonymous, note.private, note.group, note.cluster
        )
    return Note(
        note.author,
        note.text,
        note.x,
        note.y,
        note.anonymous,
        note.private,
        note.group,
        note.cluster,
    )


def _voting_for(voting: Voting, reader: str | None) -> Voting:
    own = dict(voting.ballots.get(reader, {})) if reader is not None else {}
    visible = not voting.hidden or voting.revealed
    return Voting(
        open=voting.open,
        budget=voting.budget,
        hidden=voting.hidden,
        revealed=voting.revealed,
        ballots={reader: own} if reader is not None and own else {},
        tally=dict(voting.tally) if visible else dict(own),
    )
