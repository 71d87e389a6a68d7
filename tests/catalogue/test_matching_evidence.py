"""Matching: evidence from earlier sessions."""

from __future__ import annotations

import pytest

from catalogue.matching.rank import PRIOR_SESSIONS, Evidence, EvidenceTable, match
from tests.catalogue.matching_helpers import VARIANTS, ask, scored_alone, slugs, texts, variant

# Evidence from earlier sessions ------------------------------------------------------------


def _evidence(sessions: int, mean: float) -> Evidence:
    return Evidence(sessions=sessions, mean=mean, low=max(0.0, mean - 0.1), high=mean + 0.1)


def test_one_session_keeps_the_curated_fit_dominant() -> None:
    made = variant(goals={"reflecteren": 3})
    found = _evidence(1, 0.2)
    curated = scored_alone(made).score
    result = match([made], ask(goals=["reflecteren"], group_size=8, minutes=90, modality="online"))
    with_evidence = match(
        [made],
        ask(goals=["reflecteren"], group_size=8, minutes=90, modality="online"),
        {("proef", "reflecteren"): found},
    ).results[0]
    assert result.results[0].score == curated == 100
    assert with_evidence.score < curated
    # Closer to the curated 100 than to the 20 the session reached.
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
        "(counts for 99%, the description for 1%)"
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
