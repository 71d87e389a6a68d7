"""Matching: validate_request names every bad field; properties of matching."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.matching.rank import match
from catalogue.matching.request import MatchRequest, validate_request
from catalogue.schema import Problem
from catalogue.vocabulary import MODALITIES, ROLES
from tests.catalogue.matching_helpers import GOAL_SLUGS, VARIANTS, ask

# validate_request: every bad input is a problem naming the field and what is allowed -------

VALID = {
    "goals": ["reflecteren"],
    "group_size": 6,
    "minutes": 90,
    "modality": "online",
    "roles": ["professionals"],
}


def _without(key: str) -> dict[str, Any]:
    return {k: v for k, v in VALID.items() if k != key}


# (case, body, field, what was wrong, what is allowed)
BAD_REQUESTS: list[tuple[str, Any, str, str, str]] = [
    (
        "unknown goal",
        VALID | {"goals": ["reflecteren", "koffie-drinken"]},
        "goals",
        "unknown goal 'koffie-drinken'",
        "known goals: kennis-delen, reflecteren, dilemmas-bespreken",
    ),
    (
        "unknown modality",
        VALID | {"modality": "offline"},
        "modality",
        "unknown modality 'offline'",
        "allowed: on-site, online, hybrid",
    ),
    (
        "unknown role",
        VALID | {"roles": ["professionals", "managers"]},
        "roles",
        "unknown role 'managers'",
        "allowed: professionals, bewoners, ervaringsdeskundigen",
    ),
    (
        "group of 0",
        VALID | {"group_size": 0},
        "group_size",
        "0 is too small",
        "the least allowed is 1",
    ),
    (
        "negative group",
        VALID | {"group_size": -3},
        "group_size",
        "-3 is too small",
        "the least allowed is 1",
    ),
    (
        "absurd group",
        VALID | {"group_size": 5000},
        "group_size",
        "5000 is unrealistically large",
        "the most allowed is 1000",
    ),
    ("0 minutes", VALID | {"minutes": 0}, "minutes", "0 is too small", "the least allowed is 1"),
    (
        "absurd minutes",
        VALID | {"minutes": 100_000},
        "minutes",
        "100000 is unrealistically large",
        "the most allowed is 1440",
    ),
    (
        "text for a number",
        VALID | {"group_size": "zes"},
        "group_size",
        "not 'zes'",
        "a whole number from 1 to 1000",
    ),
    (
        "number as text",
        VALID | {"minutes": "90"},
        "minutes",
        "not '90'",
        "a whole number from 1 to 1440",
    ),
    (
        "bool for a number",
        VALID | {"group_size": True},
        "group_size",
        "not True",
        "a whole number from 1 to 1000",
    ),
    (
        "float for a number",
        VALID | {"minutes": 90.5},
        "minutes",
        "not 90.5",
        "a whole number from 1 to 1440",
    ),
    (
        "missing goals",
        _without("goals"),
        "goals",
        "missing",
        "choose at least one goal: kennis-delen, reflecteren",
    ),
    (
        "missing group size",
        _without("group_size"),
        "group_size",
        "missing",
        "a whole number from 1 to 1000",
    ),
    ("missing minutes", _without("minutes"), "minutes", "missing", "from 1 to 1440"),
    (
        "missing modality",
        _without("modality"),
        "modality",
        "missing",
        "choose one of: on-site, online, hybrid",
    ),
    (
        "unknown extra field",
        VALID | {"groepsgrootte": 6},
        "groepsgrootte",
        "unknown field",
        "allowed: goals, group_size, minutes, modality, roles",
    ),
    (
        "goals as text",
        VALID | {"goals": "reflecteren"},
        "goals",
        "must be a list of goals or an object of goal: weight",
        "known goals: kennis-delen",
    ),
    (
        "goals as a number",
        VALID | {"goals": 3},
        "goals",
        "must be a list of goals or an object of goal: weight",
        "known goals: kennis-delen",
    ),
    (
        "goal weight as text",
        VALID | {"goals": {"reflecteren": "veel"}},
        "goals.reflecteren",
        "not 'veel'",
        "a number from 0 to 100",
    ),
    (
        "negative goal weight",
        VALID | {"goals": {"reflecteren": -1}},
        "goals.reflecteren",
        "not -1",
        "a number from 0 to 100",
    ),
    (
        "all weights 0",
        VALID | {"goals": {"reflecteren": 0, "innoveren": 0}},
        "goals",
        "choose at least one goal with a weight above 0",
        "known goals: kennis-delen",
    ),
    (
        "no goals",
        VALID | {"goals": []},
        "goals",
        "choose at least one goal with a weight above 0",
        "known goals: kennis-delen",
    ),
    (
        "roles as text",
        VALID | {"roles": "professionals"},
        "roles",
        "must be a list of roles",
        "allowed: professionals, bewoners",
    ),
    ("body a list", [VALID], "(body)", "must be a JSON object", "the fields of a match request"),
    ("body text", "reflecteren", "(body)", "must be a JSON object", "the fields of a match"),
    ("body null", None, "(body)", "must be a JSON object", "the fields of a match request"),
]


def test_the_valid_body_is_valid() -> None:
    """The bad requests below are bad only in what they change."""
    assert ask(**VALID) == MatchRequest(
        goals={"reflecteren": 1.0},
        group_size=6,
        minutes=90,
        modality="online",
        roles=frozenset({"professionals"}),
    )


@pytest.mark.parametrize(
    ("body", "field", "wrong", "allowed"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_REQUESTS],
)
def test_a_bad_request_names_the_field_and_what_is_allowed(
    body: Any, field: str, wrong: str, allowed: str
) -> None:
    problems = validate_request(body, GOAL_SLUGS)
    assert isinstance(problems, list), problems
    messages = [p.english() for p in problems if p.field == field]
    assert any(wrong in m and allowed in m for m in messages), problems


def test_every_problem_in_a_request_is_reported_at_once() -> None:
    problems = validate_request(
        {"goals": ["koffie"], "group_size": 0, "minutes": "lang", "modality": "offline", "x": 1},
        GOAL_SLUGS,
    )
    assert isinstance(problems, list)
    assert [p.field for p in problems] == ["x", "goals", "group_size", "minutes", "modality"]


@pytest.mark.parametrize("modality", [[], ["online"], {"online": True}, 3])
def test_a_modality_that_is_not_text_is_a_problem(modality: object) -> None:
    problems = validate_request(VALID | {"modality": modality}, GOAL_SLUGS)
    assert isinstance(problems, list)
    assert [p.field for p in problems] == ["modality"]
    assert "allowed: on-site, online, hybrid" in problems[0].english()


# Properties ---------------------------------------------------------------------------------

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
REQUEST_KEYS = ["goals", "group_size", "minutes", "modality", "roles"]
GOAL_SLUG = st.sampled_from(GOAL_SLUGS)


# Arbitrary JSON, and objects that look like requests, with any value in any field.
REQUEST_LIKE = JSON | st.fixed_dictionaries(
    {},
    optional={
        "goals": JSON
        | st.lists(GOAL_SLUG | st.text(max_size=8), max_size=4)
        | st.dictionaries(GOAL_SLUG | st.text(max_size=8), JSON, max_size=4),
        "group_size": JSON,
        "minutes": JSON,
        "modality": JSON | st.sampled_from(list(MODALITIES)),
        "roles": JSON | st.lists(st.sampled_from(list(ROLES)) | st.text(max_size=8)),
        "extra": JSON,
    },
)


@settings(max_examples=300, deadline=None)
@given(body=REQUEST_LIKE)
def test_validate_request_never_raises(body: Any) -> None:
    outcome = validate_request(body, GOAL_SLUGS)
    if not isinstance(outcome, MatchRequest):
        assert isinstance(outcome, list) and outcome
        assert all(isinstance(p, Problem) and p.message for p in outcome)


VALID_BODIES = st.fixed_dictionaries(
    {
        "goals": st.lists(GOAL_SLUG, min_size=1, max_size=4)
        | st.dictionaries(
            GOAL_SLUG, st.integers(1, 100) | st.floats(0.01, 100), min_size=1, max_size=4
        ),
        "group_size": st.integers(1, 1000),
        "minutes": st.integers(1, 1440),
        "modality": st.sampled_from(list(MODALITIES)),
    },
    optional={"roles": st.lists(st.sampled_from(list(ROLES)), max_size=7)},
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=VALID_BODIES)
def test_match_accounts_for_every_variant_once_in_score_order(body: dict[str, Any]) -> None:
    result = match(VARIANTS, ask(**body))
    seen = [r.variant.slug for r in result.results] + [e.variant.slug for e in result.excluded]
    assert sorted(seen) == sorted(v.slug for v in VARIANTS)
    scores = [r.score for r in result.results]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 100 for score in scores)
    assert all(e.reasons for e in result.excluded)
