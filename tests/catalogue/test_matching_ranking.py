"""Matching: ranking on the real catalogue, and goal weights."""

from __future__ import annotations

import pytest

from catalogue.matching.rank import match
from tests.catalogue.matching_helpers import VARIANTS, ask, excluded_reasons, slugs, variant

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
