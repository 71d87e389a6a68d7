"""Evidence from goal ratings: sessions, mean, interval and level; and how matching blends it."""

from __future__ import annotations

import dataclasses
import math
import statistics

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from catalogue.evidence.summary import (
    IN_USE,
    LITTLE,
    MIN_SPREAD,
    RATED_WELL,
    SessionRating,
    attainment,
    evidence_table,
    for_variant,
    format_rating,
    level,
    summarize,
    t95,
)
from catalogue.matching.belief import (
    BLENDING,
    LEAST_SPREAD,
    PRIOR_SESSIONS,
    TYPICAL_SPREAD,
    Evidence,
    Model,
)
from catalogue.matching.rank import match
from catalogue.matching.reasons import reason_text
from catalogue.matching.request import MatchRequest, validate_request
from server.i18n import translator
from tests.catalogue.matching_helpers import GOAL_NAMES, GOAL_SLUGS, variant


def sessions(
    *means: float, regions: tuple[str | None, ...] = ("zwolle",), raters: int = 6
) -> list[SessionRating]:
    """One rating of "reflecteren" for "intervisie" per mean, the regions taken in turn."""
    return [
        SessionRating("intervisie", "reflecteren", regions[i % len(regions)], raters, mean)
        for i, mean in enumerate(means)
    ]


def one(ratings: list[SessionRating]) -> Evidence:
    table = evidence_table(ratings)
    assert list(table) == [("intervisie", "reflecteren")]
    return table[("intervisie", "reflecteren")]


def on_scale(found: Evidence) -> tuple[float, float | None, float | None]:
    return found.rating, found.rating_low, found.rating_high


# One session, a few, many --------------------------------------------------------------------


def test_one_session_gives_its_mean_and_honestly_no_interval() -> None:
    found = one(sessions(2.0))
    assert found.sessions == 1 and found.regions == 1
    assert found.mean == pytest.approx(0.25)  # 2 on 1..5 is a quarter of the way
    assert found.rating == pytest.approx(2.0)
    assert (found.low, found.high) == (None, None)
    assert (found.rating_low, found.rating_high) == (None, None)
    assert found.level == LITTLE


def test_the_interval_is_a_90_percent_t_interval_of_the_session_means() -> None:
    means = (4.0, 5.0, 3.0, 4.0)
    found = one(sessions(*means))
    margin = 2.353 * statistics.stdev(means) / math.sqrt(4)  # t(0.95, 3 degrees of freedom)
    assert on_scale(found) == pytest.approx((4.0, 4.0 - margin, 4.0 + margin))
    assert found.mean == pytest.approx(0.75)
    assert found.low == pytest.approx(attainment(4.0 - margin))


def test_sessions_that_agree_exactly_still_get_an_interval() -> None:
    """Two sessions both at 5 do not prove 5: the spread is taken as at least MIN_SPREAD."""
    found = one(sessions(5.0, 5.0))
    margin = 6.314 * MIN_SPREAD / math.sqrt(2)
    assert on_scale(found) == pytest.approx((5.0, 5.0 - margin, 5.0))  # clipped at the top


def test_the_interval_stays_on_the_scale() -> None:
    found = one(sessions(1.0, 1.5, 1.0))
    assert found.rating_low == 1.0 and found.low == 0.0
    assert found.rating_high is not None and found.rating_high < 5


def test_many_sessions_narrow_the_interval_toward_the_normal_one() -> None:
    means = [3.0 + (i % 5) * 0.5 for i in range(200)]  # 3.0 .. 5.0, evenly
    found = one(sessions(*means))
    sd = statistics.stdev(means)
    assert found.rating == pytest.approx(statistics.fmean(means))
    assert found.rating_low is not None and found.rating_high is not None
    half = (found.rating_high - found.rating_low) / 2
    assert half == pytest.approx(1.6526 * sd / math.sqrt(200), rel=1e-3)  # t(0.95, 199)
    assert half < 0.15


def test_each_session_counts_once_whatever_its_number_of_raters() -> None:
    crowded = SessionRating("intervisie", "reflecteren", "zwolle", 40, 5.0)
    small = SessionRating("intervisie", "reflecteren", "zwolle", 2, 1.0)
    found = one([crowded, small])
    assert found.sessions == 2
    assert found.rating == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("raters", "mean"),
    [(0, 3.0), (-1, 3.0), (5, 0.0), (5, 5.5), (5, math.nan), (5, math.inf)],
)
def test_a_rating_nobody_gave_or_off_the_scale_is_no_evidence(raters: int, mean: float) -> None:
    bad = SessionRating("intervisie", "reflecteren", "zwolle", raters, mean)
    assert evidence_table([bad]) == {}
    assert one([bad, *sessions(4.0)]).sessions == 1


def test_evidence_is_kept_per_variant_and_goal() -> None:
    table = evidence_table(
        [
            SessionRating("intervisie", "reflecteren", "zwolle", 5, 4.0),
            SessionRating("intervisie", "casus-oplossen", "zwolle", 5, 2.0),
            SessionRating("world-cafe", "reflecteren", None, 5, 3.0),
        ]
    )
    assert set(table) == {
        ("intervisie", "reflecteren"),
        ("intervisie", "casus-oplossen"),
        ("world-cafe", "reflecteren"),
    }
    assert table[("world-cafe", "reflecteren")].regions == 0  # no region: none counted
    mine = for_variant(table, "intervisie")
    assert set(mine) == {"reflecteren", "casus-oplossen"}
    assert mine["casus-oplossen"].rating == pytest.approx(2.0)


def test_summing_in_the_database_gives_the_same_evidence() -> None:
    means = (3.5, 4.25, 2.0, 5.0, 4.0)
    regions = ("zwolle", "gelderse-vallei")
    found = one(sessions(*means, regions=regions))
    assert summarize(0, 0.0, 0.0, 0) is None
    summed = summarize(len(means), sum(means), sum(m * m for m in means), 2)
    assert summed == dataclasses.replace(found, situations=())


# Levels ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("means", "regions", "expected"),
    [
        pytest.param((), (), None, id="no sessions: no evidence at all"),
        pytest.param((4.0, 4.5), ("zwolle", "gelderse-vallei"), LITTLE, id="two sessions"),
        pytest.param((4.0, 4.5, 4.0), ("zwolle",), LITTLE, id="three in one region"),
        pytest.param((4.0, 4.5, 4.0), ("zwolle", None), LITTLE, id="a session without region"),
        pytest.param(
            (2.0, 4.5, 3.0), ("zwolle", "gelderse-vallei"), IN_USE, id="three, two regions"
        ),
        pytest.param(
            (4.5, 4.5, 4.5, 4.5), ("zwolle", "gelderse-vallei"), IN_USE, id="good but only four"
        ),
        pytest.param(
            (4.5, 4.0, 5.0, 4.5, 4.5), ("zwolle", "gelderse-vallei"), RATED_WELL, id="five good"
        ),
        pytest.param((4.5, 4.5, 4.5, 4.5, 4.5), ("zwolle",), LITTLE, id="five good in one region"),
        pytest.param(
            (5.0, 2.0, 5.0, 2.5, 5.0), ("zwolle", "gelderse-vallei"), IN_USE, id="five, unsteady"
        ),
        pytest.param(
            (3.0, 3.5, 3.0, 3.5, 3.0, 3.5),
            ("zwolle", "gelderse-vallei"),
            IN_USE,
            id="six, middling",
        ),
    ],
)
def test_the_level_follows_use_regions_and_consistently_good_attainment(
    means: tuple[float, ...], regions: tuple[str | None, ...], expected: str | None
) -> None:
    table = evidence_table(sessions(*means, regions=regions or ("zwolle",)))
    found = table.get(("intervisie", "reflecteren"))
    assert (found.level if found else None) == expected


def test_substantiated_needs_the_lower_bound_at_3_5() -> None:
    assert level(5, 2, 3.5) == RATED_WELL
    assert level(5, 2, 3.49) == IN_USE
    assert level(5, 2, None) == IN_USE
    assert level(50, 1, 4.9) == LITTLE
    assert level(2, 5, 4.9) == LITTLE


# The t quantile ---------------------------------------------------------------------------------


def test_t_quantiles_match_the_tables_and_fall_toward_the_normal() -> None:
    assert t95(1) == 6.314 and t95(10) == 1.812 and t95(30) == 1.697
    assert t95(40) == pytest.approx(1.6839, abs=2e-4)
    assert t95(120) == pytest.approx(1.6577, abs=2e-4)
    values = [t95(d) for d in range(1, 500)]
    assert values == sorted(values, reverse=True)
    assert values[-1] > 1.6449
    with pytest.raises(ValueError, match="degree"):
        t95(0)


# Properties -------------------------------------------------------------------------------------

MEANS = st.floats(1.0, 5.0, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    means=st.lists(MEANS, min_size=1, max_size=60),
    regions=st.lists(st.sampled_from(["zwolle", "gelderse-vallei", None]), min_size=1),
)
def test_the_mean_lies_in_its_interval_and_everything_on_the_scale(
    means: list[float], regions: list[str | None]
) -> None:
    found = one(sessions(*means, regions=tuple(regions)))
    assert found.sessions + found.set_aside == len(means)
    # Outliers are set aside only beside five others or more, and never the greater part.
    assert found.set_aside == 0 or (len(means) > 5 and 2 * found.set_aside < len(means))
    assert 0 <= found.mean <= 1
    assert min(means) - 1e-9 <= found.rating <= max(means) + 1e-9
    if not found.set_aside:
        assert found.rating == pytest.approx(statistics.fmean(means))
    if found.sessions == 1:
        assert found.low is None and found.high is None
    else:
        assert found.low is not None and found.high is not None
        assert 0 <= found.low <= found.mean + 1e-9 <= found.high + 2e-9 <= 1 + 2e-9
    if found.level != LITTLE:
        assert found.sessions >= 3 and found.regions >= 2


# Formatting -------------------------------------------------------------------------------------


def test_ratings_are_written_with_the_readers_decimal_mark() -> None:
    assert format_rating(4.25, "nl") == "4,2"  # round half to even, as Python formats
    assert format_rating(4.26, "nl") == "4,3"
    assert format_rating(3.0, "en") == "3.0"


# Blending in matching: every result says how much each counted -------------------------------


def _request(goals: object, group_size: int = 8, minutes: int = 90) -> MatchRequest:
    request = validate_request(
        {"goals": goals, "group_size": group_size, "minutes": minutes, "modality": "online"},
        GOAL_SLUGS,
    )
    assert isinstance(request, MatchRequest)
    return request


def test_the_evidence_counts_for_its_share_and_the_reason_gives_both_weights() -> None:
    """Six sessions that agree (spread taken as its least, 0.5 rating points) against the
    description's two sessions of typical spread (0.8): precision-weighted."""
    made = variant(goals={"reflecteren": 3, "casus-oplossen": 2})
    found = one(sessions(4.0, 4.5, 4.0, 4.5, 4.0, 4.2))
    assert found.spread == pytest.approx(LEAST_SPREAD)
    request = _request(["reflecteren", "casus-oplossen"])
    result = match([made], request, {("proef", "reflecteren"): found}).results[0]
    prior, data = PRIOR_SESSIONS / TYPICAL_SPREAD**2, 6 / LEAST_SPREAD**2
    share = data / (prior + data)
    assert result.beliefs["reflecteren"].share == pytest.approx(share)
    assert round(100 * share) == 88
    fit = (prior * 1.0 + data * found.mean) / (prior + data)
    assert result.goals["reflecteren"] == pytest.approx(50 * fit, abs=0.05)
    # No sessions for casus-oplossen: the description, lifted by what reflecteren showed.
    lift = 6 * (found.mean - 1.0) / (Model().lift_sessions + 6)
    assert result.goals["casus-oplossen"] == pytest.approx(50 * (2 / 3 + lift), abs=0.05)
    dutch = [
        reason_text(r, translator("nl"), {"reflecteren": "Reflecteren"}) for r in result.reasons
    ]
    assert (
        "ervaring met Reflecteren uit 6 sessies: gemiddeld 4,2 van 5 "
        "(telt voor 88 % mee, de beschrijving voor 12 %)"
    ) in dutch
    english = [reason_text(r, str, GOAL_NAMES) for r in result.reasons]
    assert (
        "experience with Reflecting from 6 sessions: on average 4.2 of 5 "
        "(counts for 88%, the description for 12%)"
    ) in english
    assert (
        "no experience with Solving a case from earlier sessions yet: "
        "the description counts for 100%"
    ) in english


def test_one_session_is_named_as_one() -> None:
    """One session has no measured spread: it counts as one of the description's two."""
    made = variant(goals={"reflecteren": 3})
    request = _request(["reflecteren"])
    result = match([made], request, {("proef", "reflecteren"): one(sessions(1.0))}).results[0]
    dutch = [
        reason_text(r, translator("nl"), {"reflecteren": "Reflecteren"}) for r in result.reasons
    ]
    assert (
        "ervaring met Reflecteren uit 1 sessie: 1,0 van 5 "
        "(telt voor 33 % mee, de beschrijving voor 67 %)"
    ) in dutch
    assert result.score == pytest.approx(100 * 2 / 3, abs=0.05)


@settings(max_examples=300, deadline=None)
@given(
    record=st.lists(MEANS, max_size=30),
    unlucky=MEANS,
    weights=st.tuples(st.integers(1, 10), st.integers(0, 10)),
    curated=st.tuples(st.integers(1, 3), st.integers(0, 3)),
)
def test_one_more_session_moves_a_blended_score_by_at_most_its_share(
    record: list[float],
    unlucky: float,
    weights: tuple[int, int],
    curated: tuple[int, int],
) -> None:
    """The baseline the simulation compares with (BLENDING: the description worth five
    sessions, every session alike): one session has weight 1 / (5 + n + 1) in its goal's fit,
    which lies in 0..1, so the score moves by at most 100 x the goal's weight x that (before the
    soft factors, which only shrink it; plus rounding to 0.1)."""
    made = variant(goals={"reflecteren": curated[0], "casus-oplossen": curated[1]})
    request = _request({"reflecteren": weights[0], "casus-oplossen": weights[1]}, 6, 70)
    before = evidence_table(sessions(*record))
    after = evidence_table(sessions(*record, unlucky))
    key = ("intervisie", "reflecteren")
    old = match(
        [made], request, {("proef", "reflecteren"): before[key]} if record else {}, BLENDING
    )
    new = match([made], request, {("proef", "reflecteren"): after[key]}, BLENDING)
    weight = request.goals["reflecteren"]
    bound = 100 * weight / (BLENDING.prior_sessions + len(record) + 1)
    assert abs(new.results[0].score - old.results[0].score) <= bound + 0.1 + 1e-9


@settings(max_examples=300, deadline=None)
@given(
    centre=st.floats(1.0, 5.0),
    wobble=st.lists(st.floats(-0.25, 0.25), min_size=6, max_size=6),
    far=st.floats(2.0, 4.0),
    regions=st.lists(st.sampled_from(["zwolle", "gelderse-vallei", None]), min_size=1),
)
def test_one_outlier_after_six_consistent_sessions_changes_nothing(
    centre: float, wobble: list[float], far: float, regions: list[str | None]
) -> None:
    """Six sessions within half a point of each other, then one at least two points away from
    them all (on the scale): it is set aside, and the evidence matching reads is unchanged."""
    consistent = [min(5.0, max(1.0, centre + w)) for w in wobble]
    outlier = centre + far if centre + far <= 5 else centre - far
    assume(1.0 <= outlier <= 5.0)
    before = one(sessions(*consistent, regions=tuple(regions)))
    after = one(sessions(*consistent, outlier, regions=tuple(regions)))
    assert after.set_aside == 1
    assert dataclasses.replace(after, aside=()) == before
