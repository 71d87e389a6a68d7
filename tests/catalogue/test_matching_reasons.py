"""Matching: exclusions with their reasons, and soft factors that lower the score."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from catalogue.matching.rank import match
from catalogue.variants.schema import Variant
from tests.catalogue.matching_helpers import (
    ask,
    excluded_reasons,
    ranked,
    scored_alone,
    slugs,
    texts,
    variant,
)

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


def test_a_group_off_the_ideal_size_scores_a_little_lower() -> None:
    made = variant(group=(4, 8, 12))
    ideal = scored_alone(made, group_size=8)
    at_max = scored_alone(made, group_size=12)
    at_min = scored_alone(made, group_size=4)
    assert ideal.score == 100
    assert 85 <= at_max.score < ideal.score
    assert 85 <= at_min.score < ideal.score
    assert "a group of 8 is the ideal size" in texts(ideal.reasons)
    assert "a group of 12 fits (4 to 12, ideally 8)" in texts(at_max.reasons)


def test_tight_time_scores_lower() -> None:
    made = variant(minutes=(60, 90))
    enough = scored_alone(made, minutes=120)
    tight = scored_alone(made, minutes=60)
    assert enough.score == 100
    assert 80 <= tight.score < scored_alone(made, minutes=75).score < enough.score
    assert "120 minutes is enough (it usually takes 90)" in texts(enough.reasons)
    assert "60 minutes is tight: it usually takes 90, at least 60" in texts(tight.reasons)


def test_far_more_time_than_it_takes_scores_a_little_lower_with_a_reason() -> None:
    made = variant(minutes=(10, 15))
    fits = scored_alone(made, minutes=30)
    spare = scored_alone(made, minutes=60)
    much = scored_alone(made, minutes=240)
    assert fits.score == 100
    assert 85 <= much.score < spare.score < fits.score
    assert "it takes only about 15 of your 60 minutes; combine it with another practice" in texts(
        spare.reasons
    )


def test_a_practice_in_writing_says_so() -> None:
    written = dataclasses.replace(variant(), asynchronous=True)
    reasons = texts(scored_alone(written).reasons)
    assert "runs in writing over several days, not in one sitting" in reasons
    assert "runs in writing over several days, not in one sitting" not in texts(
        scored_alone(variant()).reasons
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
