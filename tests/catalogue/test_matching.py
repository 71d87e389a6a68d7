"""Matching: ranking on the real catalogue and on hand-made variants, reasons, validation."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.matching.rank import (
    PRIOR_SESSIONS,
    Evidence,
    EvidenceTable,
    MatchResult,
    Ranked,
    match,
)
from catalogue.matching.reasons import Reason, reason_text
from catalogue.matching.request import MatchRequest, validate_request
from catalogue.schema import Problem
from catalogue.seed import load_content
from catalogue.variants.schema import Phase, Variant
from catalogue.vocabulary import MODALITIES, ROLES

CONTENT = load_content()
VARIANTS = CONTENT.variants
GOAL_SLUGS = [goal.slug for goal in CONTENT.goals]
GOAL_NAMES = {goal.slug: goal.name_en for goal in CONTENT.goals}


def ask(**body: Any) -> MatchRequest:
    """A request as a client sends it, through the one validation there is."""
    request = validate_request(body, GOAL_SLUGS)
    assert isinstance(request, MatchRequest), request
    return request


def texts(reasons: Sequence[Reason]) -> list[str]:
    return [reason_text(reason, str, GOAL_NAMES) for reason in reasons]


def slugs(result: MatchResult, top: int | None = None) -> list[str]:
    return [ranked.variant.slug for ranked in result.results[:top]]


def ranked(result: MatchResult, slug: str) -> Ranked:
    found = [r for r in result.results if r.variant.slug == slug]
    assert found, f"{slug} is not ranked; excluded: {excluded_reasons(result)}"
    return found[0]


def excluded_reasons(result: MatchResult) -> dict[str, list[str]]:
    return {e.variant.slug: texts(e.reasons) for e in result.excluded}


def variant(
    slug: str = "proef",
    *,
    goals: Mapping[str, int] | None = None,
    group: tuple[int, int, int] = (4, 8, 12),
    minutes: tuple[int, int] = (60, 90),
    modalities: tuple[str, ...] = ("on-site", "online", "hybrid"),
    roles: tuple[str, ...] = ("professionals",),
) -> Variant:
    """A small hand-made variant; only what matching reads is meaningful."""
    weights = dict.fromkeys(GOAL_SLUGS, 0) | dict(goals or {"reflecteren": 3})
    phase = Phase("Stap", "Doel", minutes[1] // 2, "round", "Begeleider", "Deelnemers")
    harvest = dataclasses.replace(phase, name="Oogst", tool="harvest")
    return Variant(
        slug=slug,
        title=slug.capitalize(),
        title_en=slug.capitalize(),
        summary="Samenvatting.",
        summary_en="Summary.",
        description="Beschrijving.",
        facilitation="basis",
        preparation="Voorbereiding.",
        distance="Op afstand.",
        modalities=modalities,
        roles=roles,
        effective_elements=("Eén.", "Twee."),
        goals=weights,
        group_min=group[0],
        group_ideal=group[1],
        group_max=group[2],
        minutes_min=minutes[0],
        minutes_typical=minutes[1],
        phases=(phase, harvest),
    )


# Ranking on the real catalogue ---------------------------------------------------------------


def test_intervisie_for_a_small_online_group_that_reflects_on_cases() -> None:
    result = match(
        VARIANTS,
        ask(
            goals=["reflecteren", "casus-oplossen"],
            group_size=6,
            minutes=100,
            modality="online",
            roles=["professionals"],
        ),
    )
    assert "intervisie" in slugs(result, 3)


def test_a_large_group_sharing_knowledge_gets_a_large_group_method() -> None:
    result = match(
        VARIANTS,
        ask(
            goals=["kennis-delen", "netwerk-versterken"],
            group_size=40,
            minutes=120,
            modality="on-site",
        ),
    )
    assert {"world-cafe", "kennisbijeenkomst"} & set(slugs(result, 3))
    assert excluded_reasons(result)["intervisie"] == [
        "a group of 40 is larger than the maximum of 10"
    ]


@pytest.mark.parametrize(
    ("minutes", "modality", "expected"),
    [
        (180, "on-site", {"moreel-beraad", "socratisch-gesprek"}),
        (90, "online", {"moreel-beraad"}),
    ],
)
def test_dilemmas_bring_moral_deliberation_or_socratic_dialogue_to_the_top(
    minutes: int, modality: str, expected: set[str]
) -> None:
    result = match(
        VARIANTS,
        ask(
            goals=["dilemmas-bespreken"],
            group_size=8,
            minutes=minutes,
            modality=modality,
            roles=["professionals"],
        ),
    )
    assert expected <= set(slugs(result, 3))


def test_a_socratic_dialogue_needs_its_time() -> None:
    result = match(
        VARIANTS,
        ask(goals=["dilemmas-bespreken"], group_size=8, minutes=90, modality="on-site"),
    )
    assert excluded_reasons(result)["socratisch-gesprek"] == [
        "90 minutes is shorter than the 150 minutes it needs at least"
    ]


def test_experiential_knowledge_with_residents_ranks_the_methods_made_for_it() -> None:
    result = match(
        VARIANTS,
        ask(
            goals=["ervaringskennis-benutten"],
            group_size=10,
            minutes=120,
            modality="on-site",
            roles=["professionals", "bewoners", "ervaringsdeskundigen"],
        ),
    )
    made_for_it = {"ervaringsdeskundige-dialoog", "co-creatiesessie", "focusgroep"}
    assert result.results[0].variant.slug in made_for_it
    assert len(made_for_it & set(slugs(result, 3))) >= 2
    assert made_for_it <= set(slugs(result, 5))


def test_positioning_a_team_ranks_the_positioning_conversation_first() -> None:
    result = match(
        VARIANTS,
        ask(
            goals=["team-positioneren"],
            group_size=8,
            minutes=90,
            modality="on-site",
            roles=["professionals", "beleidsmakers"],
        ),
    )
    assert slugs(result, 1) == ["positioneringsgesprek"]


# Goal weights -------------------------------------------------------------------------------


def test_a_heavier_goal_pulls_the_ranking_toward_it() -> None:
    reflect = variant("reflectie", goals={"reflecteren": 3, "casus-oplossen": 1})
    case = variant("casus", goals={"reflecteren": 1, "casus-oplossen": 3})
    base = {"group_size": 8, "minutes": 90, "modality": "online"}
    toward_reflecting = match(
        [reflect, case], ask(goals={"reflecteren": 3, "casus-oplossen": 1}, **base)
    )
    toward_cases = match(
        [reflect, case], ask(goals={"reflecteren": 1, "casus-oplossen": 3}, **base)
    )
    assert slugs(toward_reflecting) == ["reflectie", "casus"]
    assert slugs(toward_cases) == ["casus", "reflectie"]


def test_a_heavier_goal_moves_real_variants() -> None:
    base = {"group_size": 6, "minutes": 100, "modality": "online"}
    toward_reflecting = slugs(
        match(VARIANTS, ask(goals={"reflecteren": 3, "casus-oplossen": 1}, **base))
    )
    toward_cases = slugs(
        match(VARIANTS, ask(goals={"reflecteren": 1, "casus-oplossen": 3}, **base))
    )
    # casuïstiekbespreking serves cases 3 and reflecting 1; moreel beraad the other way round.
    assert toward_cases.index("casuistiekbespreking") < toward_reflecting.index(
        "casuistiekbespreking"
    )
    assert toward_reflecting.index("moreel-beraad") < toward_cases.index("moreel-beraad")


def test_a_list_of_goals_weighs_them_equally() -> None:
    base = {"group_size": 8, "minutes": 90, "modality": "online"}
    as_list = ask(goals=["reflecteren", "casus-oplossen"], **base)
    assert as_list.goals == {"reflecteren": 0.5, "casus-oplossen": 0.5}
    assert as_list == ask(goals={"reflecteren": 7, "casus-oplossen": 7}, **base)
    reflect = variant("reflectie", goals={"reflecteren": 3, "casus-oplossen": 1})
    case = variant("casus", goals={"reflecteren": 1, "casus-oplossen": 3})
    result = match([reflect, case], as_list)
    assert result.results[0].score == result.results[1].score


def test_weights_are_normalised_and_a_zero_weight_drops_the_goal() -> None:
    request = ask(
        goals={"reflecteren": 3, "casus-oplossen": 1, "innoveren": 0},
        group_size=8,
        minutes=90,
        modality="online",
    )
    assert request.goals == {"reflecteren": 0.75, "casus-oplossen": 0.25}


# Exclusions: each reason on its own, in the words a facilitator reads -----------------------


@pytest.mark.parametrize(
    ("made", "body", "reason"),
    [
        pytest.param(
            variant(group=(4, 8, 12)),
            {"group_size": 2},
            "a group of 2 is smaller than the minimum of 4",
            id="group too small",
        ),
        pytest.param(
            variant(group=(3, 6, 8)),
            {"group_size": 40},
            "a group of 40 is larger than the maximum of 8",
            id="group too large",
        ),
        pytest.param(
            variant(minutes=(60, 90)),
            {"minutes": 45},
            "45 minutes is shorter than the 60 minutes it needs at least",
            id="too few minutes",
        ),
        pytest.param(
            variant(modalities=("on-site", "hybrid")),
            {"modality": "online"},
            "does not work online; it works: on site, hybrid",
            id="modality not supported",
        ),
        pytest.param(
            variant(goals={"product-ontwikkelen": 3, "innoveren": 2}),
            {"goals": ["reflecteren", "casus-oplossen"]},
            "serves none of the chosen goals",
            id="no requested goal served",
        ),
    ],
)
def test_an_exclusion_gives_its_reason(made: Variant, body: dict[str, Any], reason: str) -> None:
    fitting = {
        "goals": ["reflecteren", "product-ontwikkelen"],
        "group_size": 8,
        "minutes": 90,
        "modality": "on-site",
    }
    assert slugs(match([made], ask(**fitting))) == ["proef"]  # only the one fault excludes it
    result = match([made], ask(**(fitting | body)))
    assert result.results == ()
    assert excluded_reasons(result) == {"proef": [reason]}


@pytest.mark.parametrize(
    ("body", "fits"),
    [
        ({"group_size": 4}, True),
        ({"group_size": 3}, False),
        ({"group_size": 12}, True),
        ({"group_size": 13}, False),
        ({"minutes": 60}, True),
        ({"minutes": 59}, False),
    ],
)
def test_the_limits_themselves_fit(body: dict[str, Any], fits: bool) -> None:
    made = variant(group=(4, 8, 12), minutes=(60, 90))
    request = {"goals": ["reflecteren"], "group_size": 8, "minutes": 90, "modality": "online"}
    result = match([made], ask(**(request | body)))
    assert (slugs(result) == ["proef"]) is fits


def test_a_variant_with_several_faults_lists_every_reason() -> None:
    made = variant(
        goals={"product-ontwikkelen": 3},
        group=(3, 6, 8),
        minutes=(60, 90),
        modalities=("on-site",),
    )
    result = match([made], ask(goals=["reflecteren"], group_size=40, minutes=30, modality="online"))
    assert excluded_reasons(result) == {
        "proef": [
            "a group of 40 is larger than the maximum of 8",
            "30 minutes is shorter than the 60 minutes it needs at least",
            "does not work online; it works: on site",
            "serves none of the chosen goals",
        ]
    }


# Soft factors: lower the score, never exclude ------------------------------------------------


def test_roles_a_variant_does_not_suit_lower_the_score_with_a_reason() -> None:
    suits_all = variant("voor-iedereen", roles=("professionals", "bewoners"))
    professionals_only = variant("alleen-professionals", roles=("professionals",))
    result = match(
        [suits_all, professionals_only],
        ask(
            goals=["reflecteren"],
            group_size=8,
            minutes=90,
            modality="online",
            roles=["professionals", "bewoners"],
        ),
    )
    assert result.excluded == ()
    assert slugs(result) == ["voor-iedereen", "alleen-professionals"]
    assert ranked(result, "alleen-professionals").score < ranked(result, "voor-iedereen").score
    assert "suits less well for: residents and clients" in texts(
        ranked(result, "alleen-professionals").reasons
    )
    assert "suits everyone present: residents and clients, professionals" in texts(
        ranked(result, "voor-iedereen").reasons
    )


def test_a_variant_that_suits_none_of_the_roles_is_still_ranked() -> None:
    result = match(
        [variant(roles=("professionals",))],
        ask(goals=["reflecteren"], group_size=8, minutes=90, modality="online", roles=["bewoners"]),
    )
    assert slugs(result) == ["proef"]
    assert 0 < result.results[0].score < 100


def _score(made: Variant, **body: Any) -> Ranked:
    request = {"goals": ["reflecteren"], "group_size": 8, "minutes": 90, "modality": "online"}
    result = match([made], ask(**(request | body)))
    assert len(result.results) == 1, excluded_reasons(result)
    return result.results[0]


def test_a_group_off_the_ideal_size_scores_a_little_lower() -> None:
    made = variant(group=(4, 8, 12))
    ideal = _score(made, group_size=8)
    at_max = _score(made, group_size=12)
    at_min = _score(made, group_size=4)
    assert ideal.score == 100
    assert 85 <= at_max.score < ideal.score
    assert 85 <= at_min.score < ideal.score
    assert "a group of 8 is the ideal size" in texts(ideal.reasons)
    assert "a group of 12 fits (4 to 12, ideally 8)" in texts(at_max.reasons)


def test_tight_time_scores_lower() -> None:
    made = variant(minutes=(60, 90))
    enough = _score(made, minutes=120)
    tight = _score(made, minutes=60)
    assert enough.score == 100
    assert 80 <= tight.score < _score(made, minutes=75).score < enough.score
    assert "120 minutes is enough (it usually takes 90)" in texts(enough.reasons)
    assert "60 minutes is tight: it usually takes 90, at least 60" in texts(tight.reasons)


def test_far_more_time_than_it_takes_scores_a_little_lower_with_a_reason() -> None:
    made = variant(minutes=(10, 15))
    fits = _score(made, minutes=30)
    spare = _score(made, minutes=60)
    much = _score(made, minutes=240)
    assert fits.score == 100
    assert 85 <= much.score < spare.score < fits.score
    assert "it takes only about 15 of your 60 minutes; combine it with another practice" in texts(
        spare.reasons
    )


def test_a_practice_in_writing_says_so() -> None:
    written = dataclasses.replace(variant(), asynchronous=True)
    reasons = texts(_score(written).reasons)
    assert "runs in writing over several days, not in one sitting" in reasons
    assert "runs in writing over several days, not in one sitting" not in texts(
        _score(variant()).reasons
    )


def test_variants_with_the_same_reason_share_it_and_keep_their_own_numbers() -> None:
    small = variant("klein", group=(10, 12, 20))
    also_small = variant("ook-klein", group=(10, 14, 30))
    other = variant("anders", group=(7, 9, 11))
    result = match(
        [small, also_small, other],
        ask(goals=["reflecteren"], group_size=3, minutes=90, modality="online"),
    )
    reasons = excluded_reasons(result)
    assert (
        reasons["klein"]
        == reasons["ook-klein"]
        == ["a group of 3 is smaller than the minimum of 10"]
    )
    assert reasons["anders"] == ["a group of 3 is smaller than the minimum of 7"]


# Evidence from earlier sessions ------------------------------------------------------------


def _evidence(sessions: int, mean: float) -> Evidence:
    return Evidence(sessions=sessions, mean=mean, low=max(0.0, mean - 0.1), high=mean + 0.1)


def test_a_few_sessions_keep_the_curated_fit_dominant() -> None:
    made = variant(goals={"reflecteren": 3})
    found = _evidence(2, 0.2)
    curated = _score(made).score
    result = match([made], ask(goals=["reflecteren"], group_size=8, minutes=90, modality="online"))
    with_evidence = match(
        [made],
        ask(goals=["reflecteren"], group_size=8, minutes=90, modality="online"),
        {("proef", "reflecteren"): found},
    ).results[0]
    assert result.results[0].score == curated == 100
    assert with_evidence.score < curated
    # Closer to the curated 100 than to the 20 the two sessions reached.
    assert abs(with_evidence.score - 100) < abs(with_evidence.score - 20)


def test_many_sessions_let_the_evidence_dominate() -> None:
    made = variant(goals={"reflecteren": 3})
    found = _evidence(200, 0.2)
    result = match(
        [made],
        ask(goals=["reflecteren"], group_size=8, minutes=90, modality="online"),
        {("proef", "reflecteren"): found},
    ).results[0]
    expected = 100 * (PRIOR_SESSIONS * 1.0 + 200 * 0.2) / (PRIOR_SESSIONS + 200)
    assert result.score == pytest.approx(expected, abs=0.05)
    assert result.score < 30  # well below the curated 100
    assert result.evidence == {"reflecteren": found}
    assert (
        "experience with Reflecting from 200 sessions: on average 1.8 of 5 "
        "(counts for 98%, the description for 2%)"
    ) in texts(result.reasons)


def test_evidence_moves_a_real_variant_out_of_the_top() -> None:
    request = ask(
        goals=["reflecteren", "casus-oplossen"], group_size=6, minutes=100, modality="online"
    )
    poor = _evidence(200, 0.2)
    evidence = {("intervisie", "reflecteren"): poor, ("intervisie", "casus-oplossen"): poor}
    assert slugs(match(VARIANTS, request), 1) == ["intervisie"]
    assert "intervisie" not in slugs(match(VARIANTS, request, evidence), 3)


def test_without_evidence_each_goal_shows_none() -> None:
    made = variant(goals={"reflecteren": 3, "casus-oplossen": 2})
    request = ask(
        goals=["reflecteren", "casus-oplossen"], group_size=8, minutes=90, modality="online"
    )
    no_evidence: tuple[EvidenceTable | None, ...] = (None, {})
    for evidence in no_evidence:
        result = match([made], request, evidence).results[0]
        assert result.evidence == {"reflecteren": None, "casus-oplossen": None}
        reasons = texts(result.reasons)
        assert not any(text.startswith("experience with") for text in reasons)
        for name in ("Reflecting", "Solving a case"):
            assert (
                f"no experience with {name} from earlier sessions yet: "
                "the description counts for 100%"
            ) in reasons


def test_evidence_for_another_variant_changes_nothing() -> None:
    made = variant(goals={"reflecteren": 3})
    request = ask(goals=["reflecteren"], group_size=8, minutes=90, modality="online")
    result = match([made], request, {("ander", "reflecteren"): _evidence(200, 0.0)})
    assert result.results[0].score == 100
    assert result.results[0].evidence == {"reflecteren": None}


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
