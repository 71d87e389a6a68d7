"""Shared versions of an outcome: consent decides what a level keeps; no display name beyond
the group, pseudonyms in order of first appearance, aggregates kept."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.outcomes.gate import gate_document
from catalogue.outcomes.models import CONSENT_LEVELS, SHARING_LEVELS
from catalogue.outcomes.sharing import (
    LevelSummary,
    allowed_levels,
    consent_allows,
    level_summary,
    pseudonym,
    shared_version,
)


def _shared(outcome: dict[str, Any], level: str, names: dict[str, str] | None = None) -> Any:
    """The outcome at `level` as every page shows it: beyond the group, through the gate."""
    if level == "group":
        return shared_version(outcome, level, names)
    return shared_version(gate_document(outcome, names or {}), level)


NAMES = {
    "u1": "Fenna de Vries",
    "pz": "Zoë Vermeulen-Baptiste",
    "pk": "Kees van der Lubbe",
    "pf": "Fatima Oulad-Bensaïd",
    "pj": "Joost Wiegersma",
}
CONSENTS = {"pz": "open", "pk": "national", "pf": "region", "pj": "no"}


def _outcome(**changes: Any) -> dict[str, Any]:
    outcome: dict[str, Any] = {
        "title": "Intervisie team Noord",
        "variant": "intervisie",
        "region": "zwolle",
        "theme": None,
        "goals": ["reflecteren"],
        "held_on": "2026-12-01",
        "summary": "We spraken over grenzen.",
        "insights": "Grenzen helpen.",
        "actions": "Volgende keer casus twee.",
        "products": [{"title": "Gids", "text": "Een gids", "url": "https://example.org/gids"}],
        "questions": ["Hoe houden we grenzen vast?"],
        "captured": {
            "clusters": [
                {
                    "title": "Grenzen",
                    "group": None,
                    "votes": 2,
                    "notes": [
                        {"text": "za-note", "by": "pk", "votes": 1, "anonymous": False},
                        {"text": "za-first", "by": "pz", "votes": 3, "anonymous": False},
                    ],
                },
                {
                    "title": "Alleen van Joost",
                    "group": None,
                    "votes": 0,
                    "notes": [{"text": "jo-note", "by": "pj", "votes": 0, "anonymous": False}],
                },
            ],
            "unclustered": [
                {"text": "fa-note", "by": "pf", "votes": 0, "anonymous": False, "group": None},
                {"text": "za-anon", "by": "pz", "votes": 0, "anonymous": True, "group": None},
                {"text": "jo-anon", "by": "pj", "votes": 0, "anonymous": True, "group": None},
                {"text": "nobody-note", "by": None, "votes": 0, "anonymous": True, "group": None},
                {"text": "fe-note", "by": "u1", "votes": 0, "anonymous": False, "group": None},
            ],
            "round": {"order": ["pj", "pz", "pk", "pf"], "passed": ["pz"]},
            "chart": {
                "x_low": "individueel",
                "x_high": "collectief",
                "y_low": "formeel",
                "y_high": "informeel",
                "now": {"x": {"mean": 0.3, "sd": 0.1}, "y": {"mean": 0.4, "sd": 0.2}, "n": 3},
                "desired": {"x": {"mean": 0.7, "sd": 0.1}, "y": {"mean": 0.6, "sd": 0.0}, "n": 2},
                "markers": [
                    {"kind": "now", "x": 0.2, "y": 0.3},
                    {"kind": "now", "x": 0.4, "y": 0.5, "by": "pj"},
                    {"kind": "desired", "x": 0.7, "y": 0.6, "by": "pz"},
                ],
            },
            "attendance": {"room": 2, "remote": 3, "total": 5},
            "chat": [{"text": "chat of Zoë Vermeulen-Baptiste", "by": "pz"}],
            "takeaways": [
                {"text": "za-takeaway", "by": "pz"},
                {"text": "jo-takeaway", "by": "pj"},
            ],
        },
        "consents": dict(CONSENTS),
        "ratings": {"reflecteren": {"raters": 4, "mean": 3.5}},
    }
    outcome.update(changes)
    return outcome


def _texts(version: dict[str, Any]) -> list[str]:
    notes = [n for c in version["clusters"] for n in c["notes"]] + version["unclustered"]
    return [n["text"] for n in notes] + version["takeaways"]


def _authors(version: dict[str, Any]) -> dict[str, str | None]:
    notes = [n for c in version["clusters"] for n in c["notes"]] + version["unclustered"]
    return {n["text"]: n["author"] for n in notes}


# Consent and levels --------------------------------------------------------------------------


@pytest.mark.parametrize("consent", [*CONSENT_LEVELS, "nonsense", None])
@pytest.mark.parametrize("level", SHARING_LEVELS)
def test_consent_allows_every_level_up_to_it(consent: str | None, level: str) -> None:
    rank = {"no": 0, "region": 1, "national": 2, "open": 3}.get(consent or "", 0)
    expected = level == "group" or rank >= SHARING_LEVELS.index(level)
    assert consent_allows(consent, level) is expected


@pytest.mark.parametrize(
    ("consents", "levels"),
    [
        ({}, ["group"]),
        ({"a": "no", "b": "no"}, ["group"]),
        ({"a": "region", "b": "no"}, ["group", "region"]),
        ({"a": "national"}, ["group", "region", "national"]),
        ({"a": "no", "b": "open"}, list(SHARING_LEVELS)),
        ({"a": "bogus"}, ["group"]),
    ],
)
def test_allowed_levels_go_as_far_as_someone_consented(
    consents: dict[str, str], levels: list[str]
) -> None:
    assert allowed_levels(consents) == levels


@pytest.mark.parametrize(
    ("index", "label"),
    [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ"), (702, "AAA")],
)
def test_pseudonyms_are_letters_like_spreadsheet_columns(index: int, label: str) -> None:
    assert pseudonym(index) == f"Deelnemer {label}"


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown sharing level 'world'; known: group, region"):
        shared_version(_outcome(), "world")


# The group version ---------------------------------------------------------------------------


def test_the_group_version_keeps_everything_and_names_the_authors() -> None:
    version = shared_version(_outcome(), "group", NAMES)
    assert version["left_out"] == 0
    assert version["kept"] == 8 + 4 + 2 + 2  # notes, round, markers of known owners, takeaways
    authors = _authors(version)
    assert authors["za-first"] == "Zoë Vermeulen-Baptiste"
    assert authors["fe-note"] == "Fenna de Vries"
    # Anonymous notes are never attributed, not even to the group.
    assert authors["za-anon"] is None and authors["nobody-note"] is None
    assert [t["who"] for t in version["round"]][:2] == ["Joost Wiegersma", "Zoë Vermeulen-Baptiste"]
    assert [t["passed"] for t in version["round"]] == [False, True, False, False]
    assert version["takeaways"] == ["za-takeaway", "jo-takeaway"]  # never attributed
    assert len(version["chart"]["markers"]) == 3
    assert [c["title"] for c in version["clusters"]] == ["Grenzen", "Alleen van Joost"]


def test_the_group_version_without_names_uses_pseudonyms() -> None:
    version = shared_version(_outcome(), "group")
    authors = _authors(version)
    assert authors["za-note"] == "Deelnemer A"  # pk appears first
    assert authors["za-first"] == "Deelnemer B"
    assert authors["jo-note"] == "Deelnemer C"


# Wider levels --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "kept_notes", "left_out"),
    [
        (
            "region",
            ["za-note", "za-first", "fa-note", "za-anon"],
            # jo-note, jo-anon, nobody-note, fe-note; pj's turn; pj's marker;
            # the marker of an unknown owner goes without counting; jo-takeaway
            4 + 1 + 1 + 1,
        ),
        ("national", ["za-note", "za-first", "za-anon"], 5 + 2 + 1 + 1),
        ("open", ["za-first", "za-anon"], 6 + 3 + 1 + 1),
    ],
)
def test_a_wider_level_keeps_only_what_its_authors_consented_to(
    level: str, kept_notes: list[str], left_out: int
) -> None:
    version = _shared(_outcome(), level, NAMES)
    notes = [t for t in _texts(version) if t.endswith(("note", "first", "anon"))]
    assert notes == kept_notes
    assert version["left_out"] == left_out
    assert version["takeaways"] == ["za-takeaway"]
    # Aggregates stay: attendance, goal ratings, the chart's means and spreads.
    assert version["attendance"] == {"room": 2, "remote": 3, "total": 5}
    assert version["ratings"] == {"reflecteren": {"raters": 4, "mean": 3.5}}
    assert version["chart"]["now"] == {
        "x": {"mean": 0.3, "sd": 0.1},
        "y": {"mean": 0.4, "sd": 0.2},
        "n": 3,
    }
    assert version["chart"]["markers"] == [{"kind": "desired", "x": 0.7, "y": 0.6}]
    dumped = json.dumps(version, ensure_ascii=False)
    for name in NAMES.values():
        assert name not in dumped
    assert "Joost" not in dumped  # the title of a cluster of only his notes is left out too


def test_pseudonyms_follow_first_appearance_among_what_is_kept() -> None:
    region = _shared(_outcome(), "region", NAMES)
    assert _authors(region) == {
        "za-note": "Deelnemer A",
        "za-first": "Deelnemer B",
        "fa-note": "Deelnemer C",
        "za-anon": None,  # anonymous: not even a pseudonym
    }
    assert [t["who"] for t in region["round"]] == ["Deelnemer B", "Deelnemer A", "Deelnemer C"]
    # At "open" only Zoë is left: she is Deelnemer A, no gap betrays who was left out.
    open_ = _shared(_outcome(), "open", NAMES)
    assert _authors(open_)["za-first"] == "Deelnemer A"
    assert open_["round"] == [{"who": "Deelnemer A", "passed": True}]
    # The same input gives the same pseudonyms.
    assert _shared(_outcome(), "region", NAMES) == region


def test_names_typed_into_texts_are_replaced_beyond_the_group() -> None:
    outcome = _outcome(
        summary="Zoë Vermeulen-Baptiste bracht de casus in; ZOË VERMEULEN-BAPTISTE dankte Kees.",
        insights="Van der Lubbe en de buurt: Kees' idee.",
        products=[
            {"title": "Gids van Fatima", "text": "", "url": "https://example.org/Fatima-gids"},
            {"title": "Werkblad", "text": "kort", "url": "https://example.org/werkblad"},
        ],
        questions=["Wat vindt Joost Wiegersma ervan?"],
    )
    outcome["captured"]["clusters"][0]["title"] = "Grenzen volgens Zoë"
    outcome["captured"]["clusters"][0]["notes"][1]["text"] = "za-first, met dank aan Fatima"
    version = _shared(outcome, "open", NAMES)
    # Zoë, the only one whose contributions "open" keeps, is Deelnemer A; the others named
    # get the next letters, in the order the shared version names them.
    assert version["clusters"][0]["notes"][0]["text"] == "za-first, met dank aan Deelnemer C"
    assert version["clusters"][0]["title"] == "Grenzen volgens Deelnemer A"
    assert version["summary"] == "Deelnemer A bracht de casus in; Deelnemer A dankte Deelnemer B."
    # Parts of names go in any case; where deduce sees a person around a participant's name
    # ("Van der Lubbe"), the whole person goes.
    assert version["insights"] == "[persoon] en de buurt: Deelnemer B' idee."
    assert version["products"][0] == {"title": "Gids van Deelnemer C", "text": "", "url": None}
    assert version["products"][1]["url"] == "https://example.org/werkblad"
    assert version["questions"] == ["Wat vindt Deelnemer D ervan?"]
    # The group reads what was written.
    group = shared_version(outcome, "group", NAMES)
    assert group["summary"] == outcome["summary"]


def test_fields_not_known_to_the_shared_version_are_never_copied() -> None:
    outcome = _outcome(secret="Zoë Vermeulen-Baptiste")
    note = outcome["captured"]["unclustered"][0]
    note["name"] = "Fatima Oulad-Bensaïd"
    outcome["captured"]["round"]["names"] = ["Kees van der Lubbe"]
    for level in SHARING_LEVELS:
        dumped = json.dumps(_shared(outcome, level), ensure_ascii=False)
        assert "chat of" not in dumped
        for name in NAMES.values():
            assert name not in dumped


def test_a_missing_or_unknown_consent_counts_as_no() -> None:
    outcome = _outcome(consents={"pz": "everywhere", "pk": "region"})
    version = _shared(outcome, "region", NAMES)
    assert [t for t in _texts(version) if t.endswith(("note", "first"))] == ["za-note"]


def test_odd_capture_data_gives_an_empty_version_rather_than_an_error() -> None:
    odd: dict[str, Any] = {
        "captured": {
            "clusters": "no",
            "unclustered": [1, None, {"text": "x", "by": 3}],
            "round": [],
            "chart": {"now": {"n": 2, "x": {"mean": "a"}}, "markers": [{"kind": "now"}]},
            "attendance": None,
        },
        "consents": ["pz"],
        "ratings": {"a": [2, 4.0], "b": "x", "c": {"raters": 0, "mean": 3}},
        "products": None,
    }
    version = _shared(odd, "open")
    assert version["clusters"] == [] and version["round"] == []
    assert version["unclustered"] == [] and version["left_out"] == 1
    assert version["chart"] is not None and version["chart"]["now"] is None
    assert version["attendance"] == {"room": 0, "remote": 0, "total": 0}
    assert version["ratings"] == {"a": {"raters": 2, "mean": 4.0}}
    group = shared_version(odd, "group")
    assert group["unclustered"] == [{"text": "x", "votes": 0, "author": None}]
    assert group["chart"]["markers"] == [{"kind": "now", "x": 0.5, "y": 0.5}]


def test_the_level_summary_counts_what_each_level_keeps() -> None:
    assert level_summary(_outcome()) == [
        LevelSummary("group", 16, 0, True),
        LevelSummary("region", 9, 7, True),
        LevelSummary("national", 7, 9, True),
        LevelSummary("open", 5, 11, True),
    ]
    narrow = level_summary(_outcome(consents={"pf": "region"}))
    assert [s.allowed for s in narrow] == [True, True, False, False]


# The guarantee, for any data -----------------------------------------------------------------

_PARTICIPANTS = [f"p{i}" for i in range(6)]
# Distinctive names ("Zq…") so that a name is found in a dump only where it was put.
_names = st.lists(
    st.text("abcdefghijklmnop", min_size=3, max_size=8).map(lambda s: "Zq" + s.capitalize()),
    min_size=len(_PARTICIPANTS),
    max_size=len(_PARTICIPANTS),
    unique=True,
)
_author = st.sampled_from([*_PARTICIPANTS, None])
_note = st.fixed_dictionaries(
    {"by": _author, "anonymous": st.booleans(), "votes": st.integers(0, 5)}
)


@st.composite
def _data(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, str], dict[str, str | None]]:
    names = dict(zip(_PARTICIPANTS, draw(_names), strict=True))
    consents = {
        p: draw(st.sampled_from(CONSENT_LEVELS))
        for p in draw(st.lists(st.sampled_from(_PARTICIPANTS), unique=True))
    }
    owner: dict[str, str | None] = {}  # text -> author

    def text(author: str | None) -> str:
        label = f"c{len(owner)}"
        owner[label] = author
        if draw(st.booleans()):  # someone typed a name into it
            return f"{label} {draw(st.sampled_from(list(names.values())))} zei het"
        return label

    def notes() -> list[dict[str, Any]]:
        drawn = draw(st.lists(_note, max_size=5))
        return [{**n, "text": text(n["by"])} for n in drawn]

    clusters = [
        {
            "title": f"{draw(st.sampled_from(list(names.values())))} cluster",
            "votes": 1,
            "notes": notes(),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    order = draw(st.lists(st.sampled_from(_PARTICIPANTS), unique=True))
    markers = [
        {"kind": "now", "x": 0.5, "y": 0.5, **({"by": by} if by != "-" else {})}
        for by in draw(st.lists(st.sampled_from([*_PARTICIPANTS, None, "-"]), max_size=4))
    ]
    captured = {
        "clusters": clusters,
        "unclustered": notes(),
        "round": {"order": order, "passed": order[:1]},
        "chart": {"x_low": "a", "x_high": "b", "y_low": "c", "y_high": "d", "markers": markers},
        "attendance": {"room": 1, "remote": 1, "total": 2},
        "takeaways": [
            {"text": text(t["by"]), "by": t["by"]} for t in draw(st.lists(_note, max_size=4))
        ],
    }
    summary = " ".join(draw(st.lists(st.sampled_from(list(names.values())), max_size=3)))
    outcome = {"title": "t", "summary": summary, "captured": captured, "consents": consents}
    return outcome, names, owner


@settings(max_examples=300, deadline=None)
@given(_data(), st.sampled_from(SHARING_LEVELS[1:]))
def test_no_name_and_no_contribution_without_consent_beyond_the_group(
    data: tuple[dict[str, Any], dict[str, str], dict[str, str | None]], level: str
) -> None:
    outcome, names, owner = data
    consents = outcome["consents"]
    for given_names in (names, None):
        version = _shared(outcome, level, given_names)
        dumped = json.dumps(version, ensure_ascii=False)
        if given_names is not None:
            for name in names.values():
                assert name not in dumped
        kept = {t.split()[0] for t in _texts(version)}
        for label in kept:
            author = owner[label]
            assert author is not None and consent_allows(consents.get(author), level)
        expected = {
            label
            for label, author in owner.items()
            if author is not None and consent_allows(consents.get(author), level)
        }
        assert kept == expected  # and nothing that may be kept is lost
        order = outcome["captured"]["round"]["order"]
        allowed_turns = [p for p in order if consent_allows(consents.get(p), level)]
        assert len(version["round"]) == len(allowed_turns)
        markers = outcome["captured"]["chart"]["markers"]
        counted = [m for m in markers if "by" in m]
        kept_markers = [m for m in counted if consent_allows(consents.get(m["by"] or ""), level)]
        assert len(version["chart"]["markers"]) == len(kept_markers)
        assert version["kept"] + version["left_out"] == len(owner) + len(order) + len(counted)
        # Attributed authors get pseudonyms A, B, … with no gaps, anonymous ones none.
        labels = [n["author"] for c in version["clusters"] for n in c["notes"]]
        labels += [n["author"] for n in version["unclustered"]]
        labels += [t["who"] for t in version["round"]]
        seen = list(dict.fromkeys(label for label in labels if label is not None))
        assert seen == [pseudonym(i) for i in range(len(seen))]
