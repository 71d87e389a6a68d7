"""Completeness of the tool slices (issue 15): a slice that leaves something out fails here.

Each live tool is one module in sessions/tools/, assembled by sessions/tools/__init__.py. These
tests check the assembly from the outside: every event has a fold handler, every command a
rule, every str field of every event is declared text or id, and the tool names agree. Each
docstring says how the test was tried (the change made, and the failure it gave).
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from catalogue.vocabulary import TOOLS
from sessions import commands as c
from sessions import erase, tools
from sessions import events as ev
from sessions.tools.base import field_contents

SLICES_DIR = Path(tools.__file__).parent
# The events whose text erasure rewrites, as sessions/erase.py listed them by hand before the
# slices declared their fields: pinned once, so the move changed nothing. A new text field
# that is declared (test_every_str_field_is_declared makes sure it is) changes this set, and
# then this pin with it, on purpose.
TEXT_TYPES_BEFORE_SLICES = {
    "participant.joined",
    "participant.renamed",
    "session.created",
    "agenda.set",
    "note.added",
    "note.edited",
    "notes.revealed",
    "cluster.created",
    "cluster.renamed",
    "chart.configured",
    "chat.posted",
    "breakouts.messaged",
    "review.opened",  # added with the terugblik: its actions' texts and owners' names
}


def _tag(struct: type[Any]) -> str:
    return str(struct.__struct_config__.tag)


def _commands() -> set[type[c.Command]]:
    return set(typing.get_args(c.AnyCommand))


def test_every_event_has_a_fold_handler() -> None:
    """Every event body of the union has a fold handler (but the Hidden stand-in, which changes
    nothing but the seq), and no handler is for a type outside the union.

    Tried: removed `NoteMoved: _note_moved` from board.FOLD: failed with "events without a fold
    handler: ['note.moved']"; added `Hidden: board.FOLD[board.NoteMoved]` to tools.FOLD: failed
    with "handlers for types outside the union or for Hidden: ['hidden']"."""
    events = set(typing.get_args(ev.EventBody)) - {ev.Hidden}
    missing = sorted(_tag(body) for body in events - set(tools.FOLD))
    assert not missing, f"events without a fold handler: {missing}"
    stray = sorted(_tag(body) for body in set(tools.FOLD) - events)
    assert not stray, f"handlers for types outside the union or for Hidden: {stray}"


def test_every_command_has_a_rule_with_its_roles() -> None:
    """Every command of the client union has a rule (a decide handler) and an ALLOWED entry
    with at least one role, and no rule is for a command outside the union.

    Tried: removed `EndRound: Rule(...)` from rounds.RULES: failed with "commands without a
    rule: ['round.end']"; took `chat.Commands` out of tools.AnyCommand (its rule kept): failed
    with "rules for commands outside the union: ['chat.post']"."""
    commands = _commands()
    missing = sorted(_tag(kind) for kind in commands - set(tools.RULES))
    assert not missing, f"commands without a rule: {missing}"
    stray = sorted(_tag(kind) for kind in set(tools.RULES) - commands)
    assert not stray, f"rules for commands outside the union: {stray}"
    assert set(tools.ALLOWED) == commands
    assert all(tools.ALLOWED.values()), "a command nobody may send"
    assert set(c.COMMAND_TYPES) == {_tag(kind) for kind in commands}


def test_audience_rules_are_for_events_of_the_union() -> None:
    """Who-sees-what rules name events of the union only (the others are seen whole).

    Tried: added `Hidden: voting.AUDIENCE[voting.VoteCast]` to tools.AUDIENCE: failed with
    "{<class 'sessions.tools.base.Hidden'>}" (extra items in the left set)."""
    assert set(tools.AUDIENCE) <= set(typing.get_args(ev.EventBody)) - {ev.Hidden}, set(
        tools.AUDIENCE
    ) - (set(typing.get_args(ev.EventBody)) - {ev.Hidden})


def _reachable() -> Iterator[type[Any]]:
    """Every event body and every struct nested in one (AgendaPhase, RevealedNote)."""
    seen: set[type[Any]] = set()
    todo = list(typing.get_args(ev.EventBody))
    while todo:
        struct = todo.pop()
        if struct in seen:
            continue
        seen.add(struct)
        yield struct
        for _, structs in field_contents(struct).values():
            todo.extend(structs)


def test_every_str_field_is_declared() -> None:
    """Every field of every event that holds a str (also in lists, tuples, dicts and through
    nested structs) is declared by its slice as text or as an id, never both, and no
    declaration names a field that does not exist or a struct no event holds.

    Tried: removed "text" from board's NoteEdited declaration: failed with "note.edited.text
    is declared neither text nor id"; declared `Fields(ids=("note", "colour"))` for NoteMoved:
    failed with "note.moved.colour is declared but no field"; declared `text=("text",)` also in
    ids for ChatPosted: failed with "chat.posted.text is declared both text and id"."""
    problems = []
    reachable = list(_reachable())
    for struct in reachable:
        name = _tag(struct) if issubclass(struct, ev.Body) else struct.__name__
        declared = tools.FIELDS.get(struct, tools.Fields())
        fields = field_contents(struct)
        for field, (holds_str, _) in fields.items():
            if holds_str and field not in declared.text + declared.ids:
                problems.append(f"{name}.{field} is declared neither text nor id")
        for field in declared.text + declared.ids:
            if field not in fields:
                problems.append(f"{name}.{field} is declared but no field")
            elif not fields[field][0] and field not in declared.text:
                problems.append(f"{name}.{field} is declared an id but holds no str")
        for field in set(declared.text) & set(declared.ids):
            problems.append(f"{name}.{field} is declared both text and id")
    for struct in set(tools.FIELDS) - set(reachable):
        problems.append(f"{struct.__name__} is declared but no event holds it")
    assert problems == []


def test_the_text_types_are_those_erasure_had() -> None:
    """The event types with text, derived from the declarations, are those sessions/erase.py
    listed by hand (TEXT_TYPES_BEFORE_SLICES, a pin), and erasure uses them.

    Tried: declared board's NoteMoved `note` as text: failed with "Extra items in the left
    set: 'note.moved'"; declared ClusterRenamed `title` as an id: failed with "Extra items in
    the right set: 'cluster.renamed'"."""
    assert set(tools.text_event_types()) == TEXT_TYPES_BEFORE_SLICES
    assert tuple(erase.TEXT_TYPES) == tools.text_event_types()
    assert set(erase.PEOPLE_TYPES) <= set(erase.TEXT_TYPES)
    # The fields sessions/erase.py's _rewrite rewrites, event by event ("phases" and "notes"
    # through AgendaPhase's name, purpose, instructions and RevealedNote's text).
    assert tools.TEXT_FIELDS == {
        "session.created": ("title", "phases"),
        "participant.joined": ("name",),
        "participant.renamed": ("name",),
        "agenda.set": ("phases",),
        "note.added": ("text",),
        "note.edited": ("text",),
        "notes.revealed": ("notes",),
        "cluster.created": ("title",),
        "cluster.renamed": ("title",),
        "chart.configured": ("x_low", "x_high", "y_low", "y_high"),
        "chat.posted": ("text",),
        "breakouts.messaged": ("text",),
        "review.opened": ("actions",),
    }


def test_tool_names_come_from_one_place() -> None:
    """The agenda tools of the static type (events.Tool), of the catalogue (vocabulary.TOOLS,
    with their labels) and of the slices (each slice's AGENDA_TOOLS) are the same, each named
    by one slice only.

    Tried: added "stemkaart" to events.Tool only: failed with "Extra items in the left set:
    'stemkaart'"; removed "vote" from voting.AGENDA_TOOLS: failed with "Extra items in the
    right set: 'vote'"; added "vote" to chart.AGENDA_TOOLS too: failed with "assert 8 == 7"."""
    assert set(typing.get_args(ev.Tool)) == set(TOOLS)
    assert set(tools.AGENDA_TOOLS) == set(TOOLS)
    assert len(tools.AGENDA_TOOLS) == len(set(tools.AGENDA_TOOLS))


def test_every_slice_is_assembled() -> None:
    """Every slice module in sessions/tools/ is assembled by the registry: its rules, fold
    handlers and field declarations are in the registry's tables.

    Tried: took `**hands.RULES` out of tools.RULES (hands.Commands still in the union): failed
    test_every_command_has_a_rule_with_its_roles and here with "hands: rules not assembled";
    a new module sessions/tools/stemkaart.py with a FOLD not in the registry: failed with
    "stemkaart: fold not assembled"."""
    problems = []
    for path in sorted(SLICES_DIR.glob("*.py")):
        if path.stem in ("__init__", "base"):
            continue
        module = __import__(f"sessions.tools.{path.stem}", fromlist=["_"])
        for table, assembled in (
            ("RULES", tools.RULES),
            ("FOLD", tools.FOLD),
            ("FIELDS", tools.FIELDS),
            ("AUDIENCE", tools.AUDIENCE),
        ):
            part = getattr(module, table, {})
            if any(assembled.get(key) is not value for key, value in part.items()):
                problems.append(f"{path.stem}: {table.lower()} not assembled")
        for name in ("project", "capture"):
            function = getattr(module, name, None)
            table = tools.PROJECTIONS if name == "project" else tools.CAPTURES
            if function is not None and function not in table:
                problems.append(f"{path.stem}: {name} not assembled")
    assert problems == []


def test_the_state_json_shape_is_unchanged() -> None:
    """The state's fields, in order (the JSON of snapshots and welcomes), as before the slices;
    a tool added since adds its part after them (old snapshots lack it and fold to its default).

    Tried: left `board_locked` out of the registry's State: failed with "At index 19 diff:
    'voting' != 'board_locked'"."""
    before_the_slices = [
        "seq",
        "title",
        "phases",
        "goals",
        "modality",
        "capacity",
        "breakout_size",
        "anonymous_notes",
        "asynchronous",
        "region",
        "theme",
        "video_url",
        "phase",
        "ends_at",
        "remaining",
        "ended",
        "people",
        "notes",
        "clusters",
        "board_locked",
        "voting",
        "round",
        "chart",
        "chat",
        "hands",
        "breakouts",
    ]
    fields = list(tools.State.__struct_fields__)
    assert fields[: len(before_the_slices)] == before_the_slices
    empty = msgspec.json.encode(tools.State())
    assert msgspec.json.decode(empty, type=tools.State) == tools.State()
