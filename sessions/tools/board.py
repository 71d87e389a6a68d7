"""The board: notes (private until revealed, anonymous if asked), clusters, the lock, and what
the board contributes to an outcome (clusters with their notes and votes, unclustered notes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from sessions.tools import base
from sessions.tools.base import Body, Command, Refused, Rule

if TYPE_CHECKING:
    from sessions.tools import State

AGENDA_TOOLS: tuple[base.Tool, ...] = ("board",)
MAX_NOTES = 2000
# Each participant's share, so one person (who needs no account) cannot fill the board for
# everyone else. Facilitators and co-facilitators have no share.
MAX_NOTES_PER_PERSON = 200


class NoteAdded(Body, tag="note.added"):
    note: str
    text: str
    x: float
    y: float
    anonymous: bool
    private: bool  # written privately: only its author sees it until the notes are revealed
    group: str | None  # breakout group, or None for the plenary board


class NoteEdited(Body, tag="note.edited"):
    note: str
    text: str


class NoteMoved(Body, tag="note.moved"):
    note: str
    x: float
    y: float


class NoteDeleted(Body, tag="note.deleted"):
    note: str


class RevealedNote(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    author: str | None  # None for anonymous notes
    text: str
    x: float
    y: float
    anonymous: bool
    group: str | None
    cluster: str | None


class NotesRevealed(Body, tag="notes.revealed"):
    """Every private note becomes visible, whole, for those who had not seen it."""

    notes: dict[str, RevealedNote]


class ClusterCreated(Body, tag="cluster.created"):
    cluster: str
    title: str
    group: str | None


class ClusterRenamed(Body, tag="cluster.renamed"):
    cluster: str
    title: str


class NoteClustered(Body, tag="note.clustered"):
    note: str
    cluster: str | None


class BoardLocked(Body, tag="board.locked"):
    locked: bool


Events = (
    NoteAdded
    | NoteEdited
    | NoteMoved
    | NoteDeleted
    | NotesRevealed
    | ClusterCreated
    | ClusterRenamed
    | NoteClustered
    | BoardLocked
)


class LockBoard(Command, tag="board.lock"):
    locked: bool


class RevealNotes(Command, tag="notes.reveal"):
    pass


class AddNote(Command, tag="note.add"):
    text: base.Text
    x: base.Unit = 0.5
    y: base.Unit = 0.5
    anonymous: bool | None = None  # None: the session's default
    private: bool = False


class EditNote(Command, tag="note.edit"):
    note: base.Ref
    text: base.Text


class MoveNote(Command, tag="note.move"):
    note: base.Ref
    x: base.Unit
    y: base.Unit


class DeleteNote(Command, tag="note.delete"):
    note: base.Ref


class CreateCluster(Command, tag="cluster.create"):
    title: base.Title


class RenameCluster(Command, tag="cluster.rename"):
    cluster: base.Ref
    title: base.Title


class ClusterNote(Command, tag="note.cluster"):
    note: base.Ref
    cluster: base.Ref | None


Commands = (
    LockBoard
    | RevealNotes
    | AddNote
    | EditNote
    | MoveNote
    | DeleteNote
    | CreateCluster
    | RenameCluster
    | ClusterNote
)


class Note(msgspec.Struct):
    author: str | None  # None where the reader may not know (anonymous notes)
    text: str
    x: float
    y: float
    anonymous: bool
    private: bool
    group: str | None
    cluster: str | None = None


class Cluster(msgspec.Struct):
    title: str
    group: str | None


def _lock(
    state: State, actor: str, cmd: LockBoard, now: float, new_id: base.IdMaker
) -> list[Events]:
    return [BoardLocked(cmd.locked)]


def _reveal_notes(
    state: State, actor: str, cmd: RevealNotes, now: float, new_id: base.IdMaker
) -> list[Events]:
    hidden = {
        note_id: RevealedNote(
            None if note.anonymous else note.author,
            note.text,
            note.x,
            note.y,
            note.anonymous,
            note.group,
            note.cluster,
        )
        for note_id, note in state.notes.items()
        if note.private
    }
    if not hidden:
        raise Refused("nothing_to_reveal", "there are no private notes to reveal")
    return [NotesRevealed(hidden)]


def _board_open(state: State, actor: str) -> None:
    if state.board_locked and not base.is_facilitator(state, actor):
        raise Refused("board_locked", "the board is read-only now")


def _add_note(
    state: State, actor: str, cmd: AddNote, now: float, new_id: base.IdMaker
) -> list[Events]:
    _board_open(state, actor)
    if len(state.notes) >= MAX_NOTES:
        raise Refused("too_many", f"a board holds at most {MAX_NOTES} notes")
    if not base.is_facilitator(state, actor):
        yours = sum(1 for note in state.notes.values() if note.author == actor)
        if yours >= MAX_NOTES_PER_PERSON:
            raise Refused(
                "too_many_yours",
                f"you have {MAX_NOTES_PER_PERSON} notes on the board, the most one participant "
                "may have; delete one of yours first",
            )
    anonymous = state.anonymous_notes if cmd.anonymous is None else cmd.anonymous
    return [
        NoteAdded(
            new_id(),
            cmd.text.strip(),
            cmd.x,
            cmd.y,
            anonymous,
            cmd.private,
            base.group_of(state, actor),
        )
    ]


def _own_note(state: State, actor: str, note_id: str, may_facilitate: bool) -> None:
    note = state.notes.get(note_id)
    if note is None or (note.private and note.author != actor):
        raise Refused("unknown_note", f"there is no note {note_id!r}")
    if note.author != actor and not (may_facilitate and base.is_facilitator(state, actor)):
        raise Refused("not_your_note", "you can only change your own notes")


def _edit_note(
    state: State, actor: str, cmd: EditNote, now: float, new_id: base.IdMaker
) -> list[Events]:
    _board_open(state, actor)
    _own_note(state, actor, cmd.note, may_facilitate=False)
    return [NoteEdited(cmd.note, cmd.text.strip())]


def _move_note(
    state: State, actor: str, cmd: MoveNote, now: float, new_id: base.IdMaker
) -> list[Events]:
    _board_open(state, actor)
    note = state.notes.get(cmd.note)
    if note is None or (note.private and note.author != actor):
        raise Refused("unknown_note", f"there is no note {cmd.note!r}")
    return [NoteMoved(cmd.note, cmd.x, cmd.y)]  # arranging the board is everyone's work


def _delete_note(
    state: State, actor: str, cmd: DeleteNote, now: float, new_id: base.IdMaker
) -> list[Events]:
    _board_open(state, actor)
    _own_note(state, actor, cmd.note, may_facilitate=True)
    return [NoteDeleted(cmd.note)]


def _create_cluster(
    state: State, actor: str, cmd: CreateCluster, now: float, new_id: base.IdMaker
) -> list[Events]:
    _board_open(state, actor)
    return [ClusterCreated(new_id(), cmd.title, base.group_of(state, actor))]


def _rename_cluster(
    state: State, actor: str, cmd: RenameCluster, now: float, new_id: base.IdMaker
) -> list[Events]:
    _board_open(state, actor)
    if cmd.cluster not in state.clusters:
        raise Refused("unknown_cluster", f"there is no cluster {cmd.cluster!r}")
    return [ClusterRenamed(cmd.cluster, cmd.title)]


def _cluster_note(
    state: State, actor: str, cmd: ClusterNote, now: float, new_id: base.IdMaker
) -> list[Events]:
    _board_open(state, actor)
    note = state.notes.get(cmd.note)
    if note is None or note.private:
        raise Refused("unknown_note", f"there is no (revealed) note {cmd.note!r}")
    if cmd.cluster is not None and cmd.cluster not in state.clusters:
        raise Refused("unknown_cluster", f"there is no cluster {cmd.cluster!r}")
    return [NoteClustered(cmd.note, cmd.cluster)]


RULES: dict[type[Command], Rule[Events]] = {
    LockBoard: Rule(base.FACILITATORS, _lock),
    RevealNotes: Rule(base.FACILITATORS, _reveal_notes),
    AddNote: Rule(base.PARTICIPANTS, _add_note),
    EditNote: Rule(base.PARTICIPANTS, _edit_note),
    MoveNote: Rule(base.PARTICIPANTS, _move_note),
    DeleteNote: Rule(base.PARTICIPANTS, _delete_note),
    CreateCluster: Rule(base.PARTICIPANTS, _create_cluster),
    RenameCluster: Rule(base.PARTICIPANTS, _rename_cluster),
    ClusterNote: Rule(base.PARTICIPANTS, _cluster_note),
}


def _note_added(state: State, event: base.Stamp, body: NoteAdded) -> None:
    state.notes[body.note] = Note(
        author=event.actor,
        text=body.text,
        x=body.x,
        y=body.y,
        anonymous=body.anonymous,
        private=body.private,
        group=body.group,
    )


def _note_edited(state: State, event: base.Stamp, body: NoteEdited) -> None:
    if body.note in state.notes:
        state.notes[body.note].text = body.text


def _note_moved(state: State, event: base.Stamp, body: NoteMoved) -> None:
    note = state.notes.get(body.note)
    if note is not None:
        note.x, note.y = body.x, body.y


def _note_deleted(state: State, event: base.Stamp, body: NoteDeleted) -> None:
    state.notes.pop(body.note, None)
    # Votes on the note go with it.
    voting = state.voting
    voting.tally.pop(body.note, None)
    for voter in list(voting.ballots):
        voting.ballots[voter].pop(body.note, None)
        if not voting.ballots[voter]:
            del voting.ballots[voter]


def _notes_revealed(state: State, event: base.Stamp, body: NotesRevealed) -> None:
    for note_id, revealed in body.notes.items():
        known = state.notes.get(note_id)
        state.notes[note_id] = Note(
            # Whoever knew the author (the author, the server) keeps knowing.
            author=known.author if known is not None else revealed.author,
            text=revealed.text,
            x=revealed.x,
            y=revealed.y,
            anonymous=revealed.anonymous,
            private=False,
            group=revealed.group,
            cluster=revealed.cluster,
        )


def _cluster_created(state: State, event: base.Stamp, body: ClusterCreated) -> None:
    state.clusters[body.cluster] = Cluster(body.title, body.group)


def _cluster_renamed(state: State, event: base.Stamp, body: ClusterRenamed) -> None:
    if body.cluster in state.clusters:
        state.clusters[body.cluster].title = body.title


def _note_clustered(state: State, event: base.Stamp, body: NoteClustered) -> None:
    if body.note in state.notes:
        state.notes[body.note].cluster = body.cluster


def _board_locked(state: State, event: base.Stamp, body: BoardLocked) -> None:
    state.board_locked = body.locked


FOLD: dict[type[Body], base.Fold] = {
    NoteAdded: _note_added,
    NoteEdited: _note_edited,
    NoteMoved: _note_moved,
    NoteDeleted: _note_deleted,
    NotesRevealed: _notes_revealed,
    ClusterCreated: _cluster_created,
    ClusterRenamed: _cluster_renamed,
    NoteClustered: _note_clustered,
    BoardLocked: _board_locked,
}


def _note_seen(state: State, actor: str, body: NoteAdded) -> base.Seen | None:
    """A note written in private is its author's until revealed; an anonymous note's author
    is known to that author only."""
    if body.private:
        return base.Seen("note")
    if body.anonymous:
        return base.Seen()
    return None


def _change_seen(
    state: State, actor: str, body: NoteEdited | NoteMoved | NoteDeleted | NoteClustered
) -> base.Seen | None:
    """A change to a note is seen as the note is."""
    note = state.notes.get(body.note)
    if note is not None and note.private:
        return base.Seen("note")
    if note is not None and note.anonymous:
        return base.Seen()
    return None


AUDIENCE: dict[type[Body], base.AudienceRule] = {
    NoteAdded: _note_seen,
    NoteEdited: _change_seen,
    NoteMoved: _change_seen,
    NoteDeleted: _change_seen,
    NoteClustered: _change_seen,
}


def project(state: State, mine: State, reader: str | None) -> None:
    """The notes a reader has: not the others' private ones, anonymous ones without author."""
    mine.notes = {
        note_id: _note_for(note, reader)
        for note_id, note in state.notes.items()
        if not note.private or note.author == reader
    }


def _note_for(note: Note, reader: str | None) -> Note:
    author = None if note.anonymous and note.author != reader else note.author
    return Note(
        author, note.text, note.x, note.y, note.anonymous, note.private, note.group, note.cluster
    )


FIELDS: dict[type[Any], base.Fields] = {
    NoteAdded: base.Fields(text=("text",), ids=("note", "group")),
    NoteEdited: base.Fields(text=("text",), ids=("note",)),
    NoteMoved: base.Fields(ids=("note",)),
    NoteDeleted: base.Fields(ids=("note",)),
    RevealedNote: base.Fields(text=("text",), ids=("author", "group", "cluster")),
    NotesRevealed: base.Fields(ids=("notes",)),
    ClusterCreated: base.Fields(text=("title",), ids=("cluster", "group")),
    ClusterRenamed: base.Fields(text=("title",), ids=("cluster",)),
    NoteClustered: base.Fields(ids=("note", "cluster")),
}


def capture(state: State) -> dict[str, Any]:
    """Board clusters with their notes and vote counts, and the notes outside any cluster.
    Private notes that were never revealed are left out."""
    tally = state.voting.tally
    shared = {note_id: note for note_id, note in state.notes.items() if not note.private}
    clusters = []
    for cluster_id, cluster in state.clusters.items():
        clusters.append(
            {
                "title": cluster.title,
                "group": cluster.group,
                "votes": tally.get(cluster_id, 0),
                "notes": [
                    _captured(note_id, note, tally)
                    for note_id, note in shared.items()
                    if note.cluster == cluster_id
                ],
            }
        )
    unclustered = [
        {**_captured(note_id, note, tally), "group": note.group}
        for note_id, note in shared.items()
        if note.cluster is None or note.cluster not in state.clusters
    ]
    return {"clusters": clusters, "unclustered": unclustered}


def _captured(note_id: str, note: Note, tally: dict[str, int]) -> dict[str, Any]:
    return {
        "text": note.text,
        "by": note.author,
        "votes": tally.get(note_id, 0),
        "anonymous": note.anonymous,
    }
