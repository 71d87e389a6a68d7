"""Deciding a command: may this person do it, is it valid now, and which events it makes.

Pure: the state, the actor, the command, the time and an id maker in; event bodies out, or
`Refused` with a stable code and a message that says why. Authorization lives in one table,
`ALLOWED`, assembled from the tool slices' rules (sessions/tools/), and is checked here and
nowhere else; each slice's handlers check ownership and state.
"""

from __future__ import annotations

from sessions import commands as c
from sessions import events as ev
from sessions.tools import ALLOWED, RULES, State, people, phases
from sessions.tools.base import EVERYONE, PARTICIPANTS, IdMaker, Refused
from sessions.tools.board import MAX_NOTES, MAX_NOTES_PER_PERSON
from sessions.tools.chat import MAX_CHAT, MAX_CHAT_PER_PERSON

__all__ = [
    "ALLOWED",
    "EVERYONE",
    "MAX_CHAT",
    "MAX_CHAT_PER_PERSON",
    "MAX_NOTES",
    "MAX_NOTES_PER_PERSON",
    "PARTICIPANTS",
    "IdMaker",
    "Refused",
    "advance_if_due",
    "command_name",
    "decide",
    "decide_join",
]


def decide(
    state: State, actor: str, command: c.Command, now: float, new_id: IdMaker
) -> list[ev.EventBody]:
    """The events a command makes, or Refused."""
    person = state.people.get(actor)
    if person is None or person.removed:
        raise Refused("not_a_participant", "you are not (or no longer) in this session")
    allowed = ALLOWED.get(type(command), frozenset())
    if person.role not in allowed:
        raise Refused(
            "forbidden",
            f"a {person.role} may not {command_name(command)}; "
            f"allowed for: {', '.join(sorted(allowed))}",
        )
    rule = RULES[type(command)]
    if state.ended and not rule.after_end:
        raise Refused("session_ended", "this session has ended")
    return list(rule.decide(state, actor, command, now, new_id))


def command_name(command: c.Command) -> str:
    info = command.__struct_config__.tag
    return str(info)


def advance_if_due(state: State, now: float) -> list[ev.EventBody]:
    """An asynchronous session moves on when its phase's date has passed (the phases slice)."""
    return list(phases.advance_if_due(state, now))


def decide_join(
    state: State, participant: str, name: str, location: ev.Location | None
) -> list[ev.EventBody]:
    """Someone joins with a display name (the people slice checks the room's capacity)."""
    return list(people.decide_join(state, participant, name, location))
