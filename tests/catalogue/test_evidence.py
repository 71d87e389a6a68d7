"""Evidence from goal ratings: sessions, mean, interval and level; and how matching blends it."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.evidence.summary import (
    DESCRIBED,
    IN_USE,
    MIN_SPREAD,
    SUBSTANTIATED,
    SessionRating,
    attainment,
    evidence_table,
    for_variant,
    format_rating,
    level,
    summarize,
    t95,
)
from catalogue.matching.rank import PRIOR_SESSIONS, Evidence, match
from catalogue.matching.reasons import reason_text
from catalogue.matching.request import validate_request
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
    assert found.level == DESCRIBED


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
    assert summarize(len(means), sum(means), sum(m * m for m in means), 2) == found


# Levels ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("means", "regions", "expected"),
    [
        pytest.param((), (), None, id="no sessions: no evidence at all"),
        pytest.param((4.0, 4.5), ("zwolle", "gelderse-vallei"), DESCRIBED, id="two sessions"),
        pytest.param((4.0, 4.5, 4.0), ("zwolle",), DESCRIBED, id="three in one region"),
        pytest.param((4.0, 4.5, 4.0), ("zwolle", None), DESCRIBED, id="a session without region"),
        pytest.param(
            (2.0, 4.5, 3.0), ("zwolle", "gelderse-vallei"), IN_USE, id="three, two regions"
        ),
        pytest.param(
            (4.5, 4.5, 4.5, 4.5), ("zwolle", "gelderse-vallei"), IN_USE, id="good but only four"
        ),
        pytest.param(
            (4.5, 4.0, 5.0, 4.5, 4.5), ("zwolle", "gelderse-vallei"), SUBSTANTIATED, id="five good"
        ),
        pytest.param(
            (4.5, 4.5, 4.5, 4.5, 4.5), ("zwolle",), DESCRIBED, id="five good in one region"
        ),
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
    assert level(5, 2, 3.5) == SUBSTANTIATED
    assert level(5, 2, 3.49) == IN_USE
    assert level(5, 2, None) == IN_USE
    assert level(50, 1, 4.9) == DESCRIBED
    assert level(2, 5, 4.9) == DESCRIBED


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
    assert found.sessions == len(means)
    assert 0 <= found.mean <= 1
    assert found.rating == pytest.approx(statistics.fmean(means))
    if len(means) == 1:
        assert found.low is None and found.high is None
    else:
        assert found.low is not None and found.high is not None
        assert 0 <= found.low <= found.mean + 1e-9 <= found.high + 2e-9 <= 1 + 2e-9
    if found.level != DESCRIBED:
        assert found.sessions >= 3 and found.regions >= 2


# Formatting -------------------------------------------------------------------------------------


def test_ratings_are_written_with_the_readers_decimal_mark() -> None:
    assert format_rating(4.25, "nl") == "4,2"  # round half to even, as Python formats
    assert format_rating(4.26, "nl") == "4,3"
    assert format_rating(3.0, "en") == "3.0"


# Blending in matching: every result says how much each counted -------------------------------


def test_the_evidence_counts_for_its_share_and_the_reason_gives_both_weights() -> None:
    made = variant(goals={"reflecteren": 3, "casus-oplossen": 2})
    found = one(sessions(4.0, 4.5, 4.0, 4.5, 4.0, 4.2))
    request = validate_request(
        {
            "goals": ["reflecteren", "casus-oplossen"],
            "group_size": 8,
            "minutes": 90,
            "modality": "online",
        },
        GOAL_SLUGS,
    )
    assert not isinstance(request, list)
    result = match([made], request, {("proef", "reflecteren"): found}).results[0]
    assert found.share == pytest.approx(6 / 11)
    fit = (5 * 1.0 + 6 * found.mean) / 11
    assert result.goals["reflecteren"] == pytest.approx(50 * fit, abs=0.05)
    assert result.goals["casus-oplossen"] == pytest.approx(50 * 2 / 3, abs=0.05)
    dutch = [
        reason_text(r, translator("nl"), {"reflecteren": "Reflecteren"}) for r in result.reasons
    ]
    assert (
        "ervaring met Reflecteren uit 6 sessies: gemiddeld 4,2 van 5 "
        "(telt voor 55 % mee, de beschrijving voor 45 %)"
    ) in dutch
    english = [reason_text(r, str, GOAL_NAMES) for r in result.reasons]
    assert (
        "experience with Reflecting from 6 sessions: on average 4.2 of 5 "
        "(counts for 55%, the description for 45%)"
    ) in english
    assert (
        "no experience with Solving a case from earlier sessions yet: "
        "the description counts for 100%"
    ) in english


def test_one_session_is_named_as_one() -> None:
    made = variant(goals={"reflecteren": 3})
    request = validate_request(
        {"goals": ["reflecteren"], "group_size": 8, "minutes": 90, "modality": "online"},
        GOAL_SLUGS,
    )
    assert not isinstance(request, list)
    result = match([made], request, {("proef", "reflecteren"): one(sessions(1.0))}).results[0]
    dutch = [
        reason_text(r, translator("nl"), {"reflecteren": "Reflecteren"}) for r in result.reasons
    ]
    assert (
        "ervaring met Reflecteren uit 1 sessie: 1,0 van 5 "
        "(telt voor 17 % mee, de beschrijving voor 83 %)"
    ) in dutch
    assert result.score == pytest.approx(100 * 5 / 6, abs=0.05)


@settings(max_examples=300, deadline=None)
@given(
    record=st.lists(MEANS, max_size=30),
    unlucky=MEANS,
    weights=st.tuples(st.integers(1, 10), st.integers(0, 10)),
    curated=st.tuples(st.integers(1, 3), st.integers(0, 3)),
)
def test_one_more_session_moves_a_score_by_at_most_its_share(
    record: list[float],
    unlucky: float,
    weights: tuple[int, int],
    curated: tuple[int, int],
) -> None:
    """One session has weight 1 / (PRIOR_SESSIONS + n + 1) in its goal's fit, which lies in
    0..1: the score moves by at most 100 x the goal's weight x that (before the soft factors,
    which only shrink it; plus rounding to 0.1)."""
    made = variant(goals={"reflecteren": curated[0], "casus-oplossen": curated[1]})
    request = validate_request(
        {
            "goals": {"reflecteren": weights[0], "casus-oplossen": weights[1]},
            "group_size": 6,
            "minutes": 70,
            "modality": "online",
        },
        GOAL_SLUGS,
    )
    assert not isinstance(request, list)
    before = evidence_table(sessions(*record))
    after = evidence_table(sessions(*record, unlucky))
    key = ("intervisie", "reflecteren")
    old = match([made], request, {("proef", "reflecteren"): before[key]} if record else {})
    new = match([made], request, {("proef", "reflecteren"): after[key]})
    weight = request.goals["reflecteren"]
    bound = 100 * weight / (PRIOR_SESSIONS + len(record) + 1)
    assert abs(new.results[0].score - old.results[0].score) <= bound + 0.1 + 1e-9
