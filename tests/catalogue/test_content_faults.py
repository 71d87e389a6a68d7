"""Bad content: one fault at a time in the data of a real, valid file, named with its field."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from catalogue.schema import ContentError
from catalogue.seed import CONTENT_DIR
from catalogue.variants.schema import parse_variant
from tests.catalogue.content_helpers import REQUIRED_GOALS, SOURCE, _toml

# Bad content: one fault at a time, in the data of a real, valid file ------------------------


GOAL_SLUGS = list(REQUIRED_GOALS)
Edit = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def intervisie() -> dict[str, Any]:
    return _toml(CONTENT_DIR / SOURCE)


def _set(*path: str | int, value: object) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


def _delete(*path: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return edit


def _rename(old: str, new: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data[new] = data.pop(old)

    return edit


def _no_goal_above_1(data: dict[str, Any]) -> None:
    data["goals"] = dict.fromkeys(REQUIRED_GOALS, 1)


# (fault, edit, field, what was wrong, what is allowed)
FAULTS: list[tuple[str, Edit, str, str, str]] = [
    ("missing field", _delete("title"), "title", "missing", "this field is required"),
    (
        "unknown field (typo)",
        _rename("title", "titel"),
        "titel",
        "unknown field",
        "allowed fields: licence, slug, title, title_en",
    ),
    (
        "unknown goal",
        _set("goals", "koffie-drinken", value=2),
        "goals.koffie-drinken",
        "unknown field",
        "allowed fields: kennis-delen, reflecteren,",
    ),
    (
        "missing goal weight",
        _delete("goals", "innoveren"),
        "goals.innoveren",
        "missing",
        "a weight from 0 to 3",
    ),
    (
        "weight of 4",
        _set("goals", "reflecteren", value=4),
        "goals.reflecteren",
        "4 is out of range",
        "allowed: 0 to 3",
    ),
    (
        "text for a goal weight",
        _set("goals", "reflecteren", value="veel"),
        "goals.reflecteren",
        "not 'veel'",
        "a whole number from 0 to 3",
    ),
    (
        "text for a group size",
        _set("group_size", "max", value="tien"),
        "group_size.max",
        "not 'tien'",
        "a whole number from 1 to 1000",
    ),
    (
        "no goal served well",
        _no_goal_above_1,
        "goals",
        "no goal has weight 2 or 3",
        "must serve some goal well",
    ),
    (
        "unknown modality",
        _set("modalities", value=["on-site", "offline"]),
        "modalities",
        "unknown value 'offline'",
        "allowed: on-site, online, hybrid",
    ),
    (
        "unknown role",
        _set("roles", value=["professionals", "managers"]),
        "roles",
        "unknown value 'managers'",
        "allowed: professionals, bewoners, ervaringsdeskundigen",
    ),
    (
        "unknown tool",
        _set("phases", 1, "tool", value="whiteboard"),
        "phases[2].tool",
        "unknown value 'whiteboard'",
        "allowed: board, vote, round, position-chart, chat, breakout, review, harvest",
    ),
    (
        "unknown facilitation",
        _set("facilitation", value="expert"),
        "facilitation",
        "unknown value 'expert'",
        "allowed: basis, getraind, ervaren",
    ),
    (
        "group size min above max",
        _set("group_size", "min", value=12),
        "group_size",
        "it is 12, 6, 10",
        "needs min <= ideal <= max",
    ),
    (
        "phases longer than the duration allows",
        _set("phases", 4, "minutes", value=80),  # the phases take 150 of at most 100
        "phases",
        "the phases take 150 minutes",
        "must fit 75 to 100 minutes",
    ),
    (
        "phases shorter than the minimum duration",
        _set("duration", "min", value=95),  # the phases take 90
        "phases",
        "the phases take 90 minutes",
        "must fit 95 to 100 minutes",
    ),
    (
        "last phase not a harvest",
        _set("phases", -1, "tool", value="round"),
        "phases",
        "the last phase",
        "must use the tool 'harvest'",
    ),
    (
        "an effective element too long",
        _set("effective_elements", 0, value="Werkt. " * 200),
        "effective_elements",
        "item 1 is too long",
        "at most 1000 characters",
    ),
    (
        "too many effective elements",
        _set("effective_elements", value=[f"Element {n}." for n in range(41)]),
        "effective_elements",
        "has 41 values",
        "at most 40",
    ),
    (
        "another licence",
        _set("licence", value="CC BY 4.0"),
        "licence",
        "licence: must be",
        "'CC BY-SA 4.0'",
    ),
]


def test_the_unbroken_file_is_valid(intervisie: dict[str, Any]) -> None:
    """The faults below are faults: without them the same data passes."""
    assert parse_variant(intervisie, GOAL_SLUGS, SOURCE).slug == "intervisie"


@pytest.mark.parametrize(
    ("edit", "field", "wrong", "allowed"),
    [pytest.param(*fault[1:], id=fault[0]) for fault in FAULTS],
)
def test_a_fault_is_named_with_file_field_and_what_is_allowed(
    intervisie: dict[str, Any], edit: Edit, field: str, wrong: str, allowed: str
) -> None:
    data = copy.deepcopy(intervisie)
    edit(data)
    with pytest.raises(ContentError) as caught:
        parse_variant(data, GOAL_SLUGS, SOURCE)
    error = caught.value
    assert error.source == SOURCE
    assert str(error).startswith(f"{SOURCE}:\n")
    messages = [p.english() for p in error.problems if p.field == field]
    assert messages, f"no problem for {field!r} in:\n{error}"
    assert any(wrong in m and allowed in m for m in messages), str(error)


def test_every_fault_in_a_file_is_reported_at_once(intervisie: dict[str, Any]) -> None:
    data = copy.deepcopy(intervisie)
    data["titel"] = data.pop("title")
    data["facilitation"] = "expert"
    data["goals"]["reflecteren"] = 4
    data["phases"][1]["tool"] = "whiteboard"
    with pytest.raises(ContentError) as caught:
        parse_variant(data, GOAL_SLUGS, SOURCE)
    assert {p.field for p in caught.value.problems} == {
        "title",
        "titel",
        "facilitation",
        "goals.reflecteren",
        "phases[2].tool",
    }


def test_an_empty_goals_table_is_refused(intervisie: dict[str, Any]) -> None:
    data = copy.deepcopy(intervisie)
    data["goals"] = {}
    with pytest.raises(ContentError) as caught:
        parse_variant(data, GOAL_SLUGS, SOURCE)
    assert "goals.reflecteren" in {p.field for p in caught.value.problems}


def test_a_wrong_type_is_reported_once(intervisie: dict[str, Any]) -> None:
    data = copy.deepcopy(intervisie)
    data["group_size"]["max"] = "tien"
    with pytest.raises(ContentError) as caught:
        parse_variant(data, GOAL_SLUGS, SOURCE)
    assert [p.field for p in caught.value.problems] == ["group_size.max"]


def test_a_duration_the_wrong_way_round_is_reported_once(intervisie: dict[str, Any]) -> None:
    # Not also "the phases must fit 500 to 100 minutes": no script fits a range that is empty.
    data = copy.deepcopy(intervisie)
    data["duration"]["min"] = 500
    with pytest.raises(ContentError) as caught:
        parse_variant(data, GOAL_SLUGS, SOURCE)
    assert [p.english() for p in caught.value.problems] == [
        "duration: min (500) is more than typical (100)"
    ]
