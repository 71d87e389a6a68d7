"""The model that lets the catalogue discover what works: beliefs per situation, outliers set
aside, a practice's other goals, the exploration suggestion and certainty in words (pure)."""

from __future__ import annotations

import pytest

from catalogue.evidence.summary import SessionRating, evidence_table
from catalogue.matching.belief import (
    BLENDING,
    CURATED_ONLY,
    Model,
    Situation,
    believe,
    size_band,
)
from catalogue.matching.rank import match
from catalogue.matching.reasons import reason_text
from server.i18n import translator
from tests.catalogue.matching_helpers import GOAL_NAMES, VARIANTS, ask, texts, variant

NAMES_NL = {"reflecteren": "Reflecteren", "casus-oplossen": "Casus oplossen"}


def rated(
    *means: float,
    modality: str | None = None,
    size: int | None = None,
    slug: str = "proef",
    goal: str = "reflecteren",
    regions: tuple[str, ...] = ("zwolle", "gelderse-vallei", "twente"),
) -> list[SessionRating]:
    return [
        SessionRating(slug, goal, regions[i % len(regions)], 6, mean, modality, size)
        for i, mean in enumerate(means)
    ]


# Situations -----------------------------------------------------------------------------------


def test_group_sizes_fall_in_three_bands() -> None:
    assert [size_band(n) for n in (None, 1, 8, 9, 20, 21, 400)] == [
        None,
        "small",
        "small",
        "medium",
        "medium",
        "large",
        "large",
    ]


def test_evidence_keeps_the_sessions_per_situation() -> None:
    rows = rated(4.0, 5.0, modality="online", size=6) + rated(2.0, modality="on-site", size=30)
    found = evidence_table(rows)[("proef", "reflecteren")]
    tallies = {(t.situation.modality, t.situation.band): t.sessions for t in found.situations}
    assert tallies == {("online", "small"): 2, ("on-site", "large"): 1}
    assert found.sessions == 3


def test_an_online_success_lifts_on_site_use_less_and_says_so() -> None:
    """Twelve good online sessions: online the practice rises to the top; on site it rises
    less, and its certainty says that few of the sessions were held in a situation like that."""
    made = variant(goals={"reflecteren": 1})
    rival = variant("rivaal", goals={"reflecteren": 2})
    evidence = evidence_table(rated(*[4.8, 4.6] * 6, modality="online", size=6))
    online = ask(goals=["reflecteren"], group_size=6, minutes=90, modality="online")
    on_site = ask(goals=["reflecteren"], group_size=6, minutes=90, modality="on-site")
    here = match([made, rival], online, evidence)
    there = match([made, rival], on_site, evidence)
    score = {r.variant.slug: r.score for r in here.results}
    score_there = {r.variant.slug: r.score for r in there.results}
    assert score["proef"] > score["rivaal"]
    assert score_there["proef"] < score["proef"]
    assert here.results[0].beliefs["reflecteren"].here == 12
    elsewhere = next(r for r in there.results if r.variant.slug == "proef")
    assert elsewhere.beliefs["reflecteren"].here == 0
    assert elsewhere.beliefs["reflecteren"].sessions == pytest.approx(6.0)  # 12 at half
    assert texts(elsewhere.certainty) == [
        "rated well in 12 sessions in 3 regions (on average 4.7 of 5)",
        "0 of those sessions were held in a situation like yours "
        "(on site, a small group (up to 8)): the others count for less",
    ]
    dutch = [reason_text(r, translator("nl"), NAMES_NL) for r in elsewhere.certainty]
    assert dutch[0] == "in 12 sessies in 3 regio's goed beoordeeld (gemiddeld 4,7 van 5)"


def test_sessions_of_unknown_situation_count_in_full() -> None:
    """Outcomes from before situations were kept: taken as held anywhere."""
    found = evidence_table(rated(4.0, 4.5))[("proef", "reflecteren")]
    belief = believe(1.0, found, Situation("online", "small"), Model())
    assert belief.sessions == 2 and belief.here == 2


# Outliers -------------------------------------------------------------------------------------


def test_one_outlier_after_six_consistent_sessions_moves_no_rank() -> None:
    """The real catalogue: intervisie rated well six times, then once at 1. Every ranking stays
    as it was with the model; with the old blending the one session moves intervisie down."""
    good = rated(4.5, 4.4, 4.6, 4.5, 4.3, 4.5, slug="intervisie", modality="online", size=6)
    bad = rated(1.0, slug="intervisie", modality="online", size=6)
    before, after = evidence_table(good), evidence_table(good + bad)
    assert after[("intervisie", "reflecteren")].set_aside == 1
    request = ask(goals=["reflecteren"], group_size=6, minutes=90, modality="online")

    def order(evidence: object, model: Model) -> list[str]:
        return [r.variant.slug for r in match(VARIANTS, request, evidence, model).results]  # type: ignore[arg-type]

    assert order(before, Model()) == order(after, Model())
    assert order(before, BLENDING) != order(after, BLENDING)


def test_sessions_that_agree_with_their_own_situation_are_not_outliers() -> None:
    """Six good online sessions and three poor on-site ones: on site it does not work, and that
    is a finding, not three outliers."""
    rows = rated(4.5, 4.6, 4.4, 4.5, 4.5, 4.6, modality="online", size=6) + rated(
        1.5, 1.6, 1.4, modality="on-site", size=6
    )
    found = evidence_table(rows)[("proef", "reflecteren")]
    assert found.set_aside == 0 and found.sessions == 9


# A practice's other goals ----------------------------------------------------------------------


def test_what_other_goals_show_shifts_a_goal_without_sessions() -> None:
    made = variant(goals={"reflecteren": 1, "casus-oplossen": 1})
    evidence = evidence_table(rated(5.0, 4.8, 5.0, 4.9, goal="casus-oplossen"))
    request = ask(goals=["reflecteren"], group_size=8, minutes=90, modality="online")
    plain = match([made], request).results[0].score
    lifted = match([made], request, evidence).results[0].score
    alone = match([made], request, evidence, Model(lift_sessions=0)).results[0].score
    assert alone == plain
    assert lifted > plain + 20
    said = texts(match([made], request, evidence).results[0].reasons)
    assert (
        "on its other goals this practice did better than described (4 sessions): "
        "so Reflecting is estimated higher too"
    ) in said


# Exploration ----------------------------------------------------------------------------------


def little_known_but_promising() -> tuple[object, object]:
    """Three practices for reflecting: two well known and good, one the description rates low
    but whose two sessions went very well."""
    known = variant("bekend", goals={"reflecteren": 3})
    second = variant("tweede", goals={"reflecteren": 2})
    new = variant("nieuw", goals={"reflecteren": 1})
    evidence = evidence_table(
        rated(4.2, 4.4, 4.3, 4.2, 4.4, 4.3, 4.2, 4.4, slug="bekend")
        + rated(3.2, 3.3, 3.1, 3.2, 3.3, 3.1, 3.2, 3.3, slug="tweede")
        + rated(4.9, 5.0, slug="nieuw")
    )
    return (known, second, new), evidence


def test_one_result_below_the_first_is_marked_to_explore_with_why() -> None:
    variants, evidence = little_known_but_promising()
    request = ask(goals=["reflecteren"], group_size=8, minutes=90, modality="online")
    result = match(variants, request, evidence)  # type: ignore[arg-type]
    assert result.results[0].variant.slug == "bekend"
    assert not result.results[0].explore
    assert [r.variant.slug for r in result.results if r.explore] == ["nieuw"]
    assert result.suggestion is not None and result.suggestion.variant.slug == "nieuw"
    why = result.suggestion.explore_reason
    assert why is not None
    english = reason_text(why, str, GOAL_NAMES)
    assert english.startswith("worth trying: the catalogue knows less about it than about number 1")
    assert "it may fit better (up to" in english
    dutch = reason_text(why, translator("nl"), NAMES_NL)
    assert dutch.startswith("het proberen waard")
    # The ranking is the ranking: the suggestion keeps its place by score.
    scores = [r.score for r in result.results]
    assert scores == sorted(scores, reverse=True)


def test_nothing_is_suggested_when_the_catalogue_is_sure() -> None:
    variants, evidence = little_known_but_promising()
    request = ask(goals=["reflecteren"], group_size=8, minutes=90, modality="online")
    sure = dict(evidence)  # type: ignore[call-overload]
    sure.update(evidence_table(rated(*[2.0, 2.2] * 15, slug="nieuw")))
    result = match(variants, request, sure)  # type: ignore[arg-type]
    assert result.suggestion is None


def test_nothing_is_suggested_before_any_session() -> None:
    """With no sessions anywhere every practice is as unknown as the first: nothing to learn
    more from one than from another, so no suggestion."""
    for goals in (["reflecteren"], ["kennis-delen", "netwerk-versterken"], ["innoveren"]):
        request = ask(goals=goals, group_size=8, minutes=120, modality="online")
        assert match(VARIANTS, request).suggestion is None


def test_the_baselines_never_explore() -> None:
    variants, evidence = little_known_but_promising()
    request = ask(goals=["reflecteren"], group_size=8, minutes=90, modality="online")
    for model in (BLENDING, CURATED_ONLY, Model(explore=False)):
        assert match(variants, request, evidence, model).suggestion is None  # type: ignore[arg-type]


def test_at_most_one_suggestion_on_the_real_catalogue() -> None:
    """Every request of a varied mix: at most one marked, never the first."""
    evidence = evidence_table(
        [
            SessionRating(v.slug, goal, "zwolle", 5, 3.0 + (i % 5) / 2, "online", 8)
            for i, v in enumerate(VARIANTS)
            for goal in list(v.goals)[:2]
        ]
    )
    for goals in (["reflecteren"], ["kennis-delen", "netwerk-versterken"], ["innoveren"]):
        for modality in ("online", "on-site"):
            request = ask(goals=goals, group_size=8, minutes=120, modality=modality)
            result = match(VARIANTS, request, evidence)
            marked = [i for i, r in enumerate(result.results) if r.explore]
            assert len(marked) <= 1 and 0 not in marked


# Certainty in words ---------------------------------------------------------------------------


def test_every_result_says_how_sure_the_catalogue_is() -> None:
    request = ask(goals=["reflecteren"], group_size=8, minutes=90, modality="online")
    variants, evidence = little_known_but_promising()
    result = match(variants, request, evidence)  # type: ignore[arg-type]
    said = {r.variant.slug: texts(r.certainty) for r in result.results}
    assert said["nieuw"] == [
        "little experience with this yet (2 sessions): its place rests mostly on the description"
    ]
    assert said["bekend"] == ["rated well in 8 sessions in 3 regions (on average 4.3 of 5)"]
    assert said["tweede"] == ["rated reasonably in 8 sessions in 3 regions (on average 3.2 of 5)"]
    bare = match([variant()], request).results[0]
    assert texts(bare.certainty) == [
        "no experience with this for these goals yet: its place comes from the description alone"
    ]
    dutch = reason_text(result.suggestion.certainty[0], translator("nl"), NAMES_NL)  # type: ignore[union-attr]
    assert dutch.startswith("hier is nog weinig ervaring mee (2 sessies)")
