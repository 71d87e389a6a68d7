"""People in a session: joining, names, room or remote, roles, removal, closing the session to
newcomers, and attendance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from sessions.tools import base
from sessions.tools.base import Body, Command, Refused, Rule

if TYPE_CHECKING:
    from sessions.tools import State

AGENDA_TOOLS: tuple[base.Tool, ...] = ()


class ParticipantJoined(Body, tag="participant.joined"):
    participant: str
    name: str
    role: base.Role
    location: base.Location | None


class ParticipantRenamed(Body, tag="participant.renamed"):
    participant: str
    name: str


class ParticipantMoved(Body, tag="participant.moved"):
    """A participant changed between the room and remote."""

    participant: str
    location: base.Location


class ParticipantRemoved(Body, tag="participant.removed"):
    participant: str


class RoleChanged(Body, tag="role.changed"):
    participant: str
    role: base.Role


class JoinsLocked(Body, tag="joins.locked"):
    """The session was closed to newcomers (or opened again)."""

    locked: bool


Events = (
    ParticipantJoined
    | ParticipantRenamed
    | ParticipantMoved
    | ParticipantRemoved
    | RoleChanged
    | JoinsLocked
)


class RemoveParticipant(Command, tag="participant.remove"):
    participant: base.Ref


class SetRole(Command, tag="role.set"):
    participant: base.Ref
    role: base.Role


class Rename(Command, tag="participant.rename"):
    name: base.Name


class MoveLocation(Command, tag="participant.move"):
    location: base.Location


class LockJoins(Command, tag="joins.lock"):
    """Close the session to newcomers (or open it again). Whoever is in stays in and comes
    back after a drop; nobody new joins, with the code or otherwise: the way to keep someone
    removed out, also when they come back from another browser."""

    locked: bool


Commands = RemoveParticipant | SetRole | Rename | MoveLocation | LockJoins


class Person(msgspec.Struct):
    name: str
    role: base.Role
    location: base.Location | None
    removed: bool = False


def _remove(
    state: State, actor: str, cmd: RemoveParticipant, now: float, new_id: base.IdMaker
) -> list[Events]:
    base.known(state, cmd.participant)
    target = state.people[cmd.participant]
    if cmd.participant == actor:
        raise Refused("invalid", "you cannot remove yourself")
    if cmd.participant == _starter(state):
        raise Refused("forbidden", "the facilitator who started the session cannot be removed")
    if target.role == "facilitator" and state.people[actor].role != "facilitator":
        raise Refused("forbidden", "only a facilitator may remove a facilitator")
    return [ParticipantRemoved(cmd.participant)]


def _starter(state: State) -> str | None:
    """Who started the session: the first to join (its facilitator, as it was created). Nobody
    else may take the role from them or remove them: a co-facilitator cannot lock them out."""
    return next(iter(state.people), None)


def _set_role(
    state: State, actor: str, cmd: SetRole, now: float, new_id: base.IdMaker
) -> list[Events]:
    base.known(state, cmd.participant)
    if cmd.participant == _starter(state) and actor != cmd.participant:
        raise Refused(
            "forbidden", "only the facilitator who started the session can hand over their role"
        )
    if cmd.participant == actor and cmd.role != "facilitator":
        others = [
            p
            for pid, p in state.people.items()
            if pid != actor and p.role == "facilitator" and not p.removed
        ]
        if not others:
            raise Refused("last_facilitator", "hand the facilitator role to someone else first")
    return [RoleChanged(cmd.participant, cmd.role)]


def _rename(
    state: State, actor: str, cmd: Rename, now: float, new_id: base.IdMaker
) -> list[Events]:
    return [ParticipantRenamed(actor, " ".join(cmd.name.split()))]


def _move_location(
    state: State, actor: str, cmd: MoveLocation, now: float, new_id: base.IdMaker
) -> list[Events]:
    person = state.people[actor]
    if state.modality != "hybrid":
        raise Refused("not_hybrid", "only a hybrid session has a room and remote places")
    if cmd.location == person.location:
        return []
    if cmd.location == "room" and state.capacity is not None and state.in_room() >= state.capacity:
        raise Refused("room_full", f"the room is full ({_places(state.capacity)}); join remotely")
    return [ParticipantMoved(actor, cmd.location)]


def _lock_joins(
    state: State, actor: str, cmd: LockJoins, now: float, new_id: base.IdMaker
) -> list[Events]:
    return [] if cmd.locked == state.joins_locked else [JoinsLocked(cmd.locked)]


def _places(capacity: int) -> str:
    return "1 place" if capacity == 1 else f"{capacity} places"


RULES: dict[type[Command], Rule[Events]] = {
    RemoveParticipant: Rule(base.FACILITATORS, _remove),
    SetRole: Rule(frozenset({"facilitator"}), _set_role),
    Rename: Rule(base.EVERYONE, _rename, after_end=True),  # a name can be corrected afterwards
    MoveLocation: Rule(base.EVERYONE, _move_location),
    LockJoins: Rule(base.FACILITATORS, _lock_joins),
}


def decide_join(
    state: State, participant: str, name: str, location: base.Location | None
) -> list[Events]:
    """Someone joins with a display name; in a hybrid session, in the room or remote.

    The room's capacity is checked here, in the writer, one join after another: it is never
    exceeded, however many join at once.
    """
    if not state.title:
        raise Refused("unknown_session", "this session does not exist")
    if state.ended:
        raise Refused("session_ended", "this session has ended")
    found = state.people.get(participant)
    if found is not None:
        if found.removed:
            raise Refused("removed", "you were removed from this session")
        return []  # already in: joining again changes nothing
    if state.joins_locked:
        raise Refused("joins_locked", "the facilitator has closed this session to newcomers")
    if state.modality == "hybrid" and location is None:
        raise Refused("location_required", "say whether you are in the room or remote")
    if state.modality == "online":
        location = "remote"
    elif state.modality == "on-site":
        location = "room"
    if location == "room" and state.capacity is not None and state.in_room() >= state.capacity:
        raise Refused(
            "room_full",
            f"the room is full ({_places(state.capacity)}); you can take part remotely",
        )
    return [ParticipantJoined(participant, " ".join(name.split()), "participant", location)]


def _participant_joined(state: State, event: base.Stamp, body: ParticipantJoined) -> None:
    state.people[body.participant] = Person(body.name, body.role, body.location)


def _participant_renamed(state: State, event: base.Stamp, body: ParticipantRenamed) -> None:
    if body.participant in state.people:
        state.people[body.participant].name = body.name


def _participant_moved(state: State, event: base.Stamp, body: ParticipantMoved) -> None:
    if body.participant in state.people:
        state.people[body.participant].location = body.location


def _participant_removed(state: State, event: base.Stamp, body: ParticipantRemoved) -> None:
    person = state.people.get(body.participant)
    if person is not None:
        person.removed = True
    if body.participant in state.hands:
        state.hands.remove(body.participant)


def _role_changed(state: State, event: base.Stamp, body: RoleChanged) -> None:
    if body.participant in state.people:
        state.people[body.participant].role = body.role


def _joins_locked(state: State, event: base.Stamp, body: JoinsLocked) -> None:
    state.joins_locked = body.locked


FOLD: dict[type[Body], base.Fold] = {
    ParticipantJoined: _participant_joined,
    ParticipantRenamed: _participant_renamed,
    ParticipantMoved: _participant_moved,
    ParticipantRemoved: _participant_removed,
    RoleChanged: _role_changed,
    JoinsLocked: _joins_locked,
}

FIELDS: dict[type[Any], base.Fields] = {
    ParticipantJoined: base.Fields(text=("name",), ids=("participant",)),
    ParticipantRenamed: base.Fields(text=("name",), ids=("participant",)),
    ParticipantMoved: base.Fields(ids=("participant",)),
    ParticipantRemoved: base.Fields(ids=("participant",)),
    RoleChanged: base.Fields(ids=("participant",)),
}


def capture(state: State) -> dict[str, Any]:
    """Who took part: joined, not removed, not an observer; in the room and remote."""
    present = [p for p in state.people.values() if not p.removed and p.role != "observer"]
    return {
        "attendance": {
            "room": sum(1 for p in present if p.location == "room"),
            "remote": sum(1 for p in present if p.location == "remote"),
            "total": len(present),
        }
    }
