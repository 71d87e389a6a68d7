"""The catalogue content in catalogue/content/, and the validation that guards it."""

from __future__ import annotations

import copy
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from catalogue.schema import LICENCE, ContentError, ContentErrors
from catalogue.seed import CONTENT_DIR, Content, load_content
from catalogue.variants.schema import parse_variant

REQUIRED_GOALS = (
    "kennis-delen",
    "reflecteren",
    "dilemmas-bespreken",
    "casus-oplossen",
    "product-ontwikkelen",
    "praktijkvraag-onderzoeken",
    "netwerk-versterken",
    "team-positioneren",
    "ervaringskennis-benutten",
    "innoveren",
)
REQUIRED_VARIANTS = (
    "intervisie",
    "moreel-beraad",
    "casuistiekbespreking",
    "focusgroep",
    "werkgroep",
    "werkbezoek",
    "werkteam-met-bewoners",
    "kennisbijeenkomst",
    "workshop",
    "reflectief-schrijven",
    "positioneringsgesprek",
    "leernetwerk",
    "actieleren",
    "waarderend-onderzoek",
    "world-cafe",
    "fishbowl",
    "socratisch-gesprek",
    "ervaringsdeskundige-dialoog",
    "co-creatiesessie",
    "schriftelijke-intervisie",
)
REQUIRED_REGIONS = ("zuid-holland-zuid", "zwolle", "gelderse-vallei")
VARIANT_FILES = sorted((CONTENT_DIR / "variants").glob("*.toml"))
ALL_FILES = [
    CONTENT_DIR / "goals.toml",
    CONTENT_DIR / "regions.toml",
    CONTENT_DIR / "national-themes.toml",
    *VARIANT_FILES,
]


def _toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as file:
        return tomllib.load(file)


# The real content -------------------------------------------------------------------------


def test_every_required_goal_has_a_dutch_name_and_description(content: Content) -> None:
    goals = {goal.slug: goal for goal in content.goals}
    assert set(REQUIRED_GOALS) <= set(goals)
    for slug in REQUIRED_GOALS:
        goal = goals[slug]
        assert goal.name and goal.description, slug
        # Dutch first: the Dutch text is not just the English one copied.
        assert goal.name != goal.name_en, slug
        assert goal.description != goal.description_en, slug


def test_the_catalogue_has_at_least_30_variants(content: Content) -> None:
    assert len(content.variants) >= 30


@pytest.mark.parametrize("slug", REQUIRED_VARIANTS)
def test_required_variant_exists(content: Content, slug: str) -> None:
    assert slug in {variant.slug for variant in content.variants}


@pytest.mark.parametrize("path", VARIANT_FILES, ids=lambda path: path.stem)
def test_variant_file_is_valid(content: Content, path: Path) -> None:
    goal_slugs = [goal.slug for goal in content.goals]
    variant = parse_variant(_toml(path), goal_slugs, f"variants/{path.name}")
    assert variant.slug == path.stem


def test_every_script_ends_in_a_harvest(content: Content) -> None:
    assert [v.slug for v in content.variants if v.phases[-1].tool != "harvest"] == []


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda path: path.name)
def test_file_states_the_licence(path: Path) -> None:
    assert _toml(path).get("licence") == "CC BY-SA 4.0"


def test_every_goal_is_served_well_by_some_variant(content: Content) -> None:
    unserved = [
        goal.slug
        for goal in content.goals
        if not any(variant.goals[goal.slug] >= 2 for variant in content.variants)
    ]
    assert unserved == []


@pytest.mark.parametrize("slug", REQUIRED_REGIONS)
def test_region_exists_with_themes(content: Content, slug: str) -> None:
    regions = {region.slug: region for region in content.regions}
    assert slug in regions
    assert regions[slug].name and regions[slug].description
    assert len(regions[slug].themes) >= 1
    assert all(theme.name and theme.description for theme in regions[slug].themes)
    assert all(theme.national_themes for theme in regions[slug].themes)


def test_every_national_theme_has_dutch_and_english_and_some_regional_theme(
    content: Content,
) -> None:
    used = {slug for r in content.regions for t in r.themes for slug in t.national_themes}
    for theme in content.national_themes:
        assert theme.name and theme.description, theme.slug
        assert theme.name != theme.name_en and theme.description != theme.description_en
        assert theme.slug in used, theme.slug


# Bad content: one fault at a time, in the data of a real, valid file ------------------------

SOURCE = "variants/intervisie.toml"
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
        "allowed: board, vote, round, position-chart, chat, breakout, harvest",
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
        _set("phases", 4, "minutes", value=80),  # the phases take 150 of at most 100 * 1.25
        "phases",
        "the phases take 150 minutes",
        "must fit 75 to 125 minutes",
    ),
    (
        "phases shorter than the minimum duration",
        _set("duration", "min", value=95),  # the phases take 90
        "phases",
        "the phases take 90 minutes",
        "must fit 95 to 125 minutes",
    ),
    (
        "last phase not a harvest",
        _set("phases", -1, "tool", value="round"),
        "phases",
        "the last phase",
        "must use the tool 'harvest'",
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


# Bad files: load_content on a copy of the content directory ----------------------------------


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


def _edit_text(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _load_errors(root: Path) -> ContentErrors:
    with pytest.raises(ContentErrors) as caught:
        load_content(root)
    return caught.value


# (fault, file, old text, new text, field, what was wrong, what is allowed)
FILE_FAULTS = [
    (
        "slug differs from the file name",
        SOURCE,
        'slug = "intervisie"',
        'slug = "intervisie-oud"',
        "slug",
        "'intervisie-oud' differs",
        "the file name 'intervisie'",
    ),
    (
        "not valid TOML",
        SOURCE,
        'title = "Intervisie"',
        'title = "Intervisie',
        "(file)",
        "is not valid TOML",
        "line 3",
    ),
    (
        "duplicated goal slug in goals.toml",
        "goals.toml",
        'slug = "reflecteren"',
        'slug = "kennis-delen"',
        "goals",
        "the slug 'kennis-delen'",
        "is used twice",
    ),
    (
        "weight of 4, through the file",
        "variants/moreel-beraad.toml",
        "dilemmas-bespreken = 3",
        "dilemmas-bespreken = 4",
        "goals.dilemmas-bespreken",
        "4 is out of range",
        "allowed: 0 to 3",
    ),
]


@pytest.mark.parametrize(
    ("name", "old", "new", "field", "wrong", "allowed"),
    [pytest.param(*fault[1:], id=fault[0]) for fault in FILE_FAULTS],
)
def test_a_broken_file_stops_the_load_and_is_named(
    content_copy: Path, name: str, old: str, new: str, field: str, wrong: str, allowed: str
) -> None:
    _edit_text(content_copy, name, old, new)
    errors = _load_errors(content_copy)
    by_source = {error.source: error for error in errors.errors}
    assert name in by_source, str(errors)
    messages = [p.english() for p in by_source[name].problems if p.field == field]
    assert any(wrong in m and allowed in m for m in messages), str(errors)
    assert f"{name}:\n" in str(errors)


def test_the_unbroken_copy_loads(content_copy: Path) -> None:
    """The faults above are the only reason the copies fail to load."""
    assert len(load_content(content_copy).variants) == len(VARIANT_FILES)


def test_two_broken_files_are_both_reported_and_nothing_loads(content_copy: Path) -> None:
    _edit_text(content_copy, "variants/focusgroep.toml", "[group_size]\nmin = 5", "[group_size]")
    _edit_text(content_copy, "variants/world-cafe.toml", 'facilitation = "getraind"', "")
    errors = _load_errors(content_copy)
    assert [error.source for error in errors.errors] == [
        "variants/focusgroep.toml",
        "variants/world-cafe.toml",
    ]
    assert "group_size.min: missing" in str(errors)
    assert "facilitation: missing" in str(errors)


def test_a_slug_that_differs_is_reported_with_the_other_faults(content_copy: Path) -> None:
    _edit_text(content_copy, SOURCE, 'slug = "intervisie"', 'slug = "intervisie-oud"')
    _edit_text(content_copy, SOURCE, 'facilitation = "basis"', 'facilitation = "expert"')
    errors = _load_errors(content_copy)
    assert {p.field for p in errors.errors[0].problems} == {"slug", "facilitation"}


def test_a_broken_goals_file_is_not_blamed_on_every_variant(content_copy: Path) -> None:
    _edit_text(content_copy, "goals.toml", 'slug = "reflecteren"', 'slug = "kennis-delen"')
    errors = _load_errors(content_copy)
    assert [error.source for error in errors.errors] == ["goals.toml"]


def test_a_file_that_is_not_utf8_is_named(content_copy: Path) -> None:
    path = content_copy / SOURCE
    path.write_bytes(path.read_bytes().replace(b'"Intervisie"', b'"Interv\xefsie"', 1))
    errors = _load_errors(content_copy)
    assert errors.errors[0].source == SOURCE


def test_an_unknown_national_theme_names_the_file_the_field_and_the_allowed_values(
    content_copy: Path,
) -> None:
    _edit_text(
        content_copy,
        "regions.toml",
        'national_themes = ["armoede-en-bestaanszekerheid"]',
        'national_themes = ["armoede"]',
    )
    errors = _load_errors(content_copy)
    [error] = errors.errors
    assert error.source == "regions.toml"
    [problem] = error.problems
    assert problem.field == "regions[3].themes[1].national_themes"
    assert problem.english() == (
        "regions[3].themes[1].national_themes: unknown value 'armoede'; allowed:"
        " armoede-en-bestaanszekerheid, eenzaamheid-en-sociale-basis, samenwerken-met-bewoners,"
        " ervaringskennis, sociale-wijkteams, onderwijs-en-praktijk"
    )


def test_a_regional_theme_must_name_its_national_theme(content_copy: Path) -> None:
    _edit_text(content_copy, "regions.toml", 'national_themes = ["ervaringskennis"]\n', "")
    [error] = _load_errors(content_copy).errors
    assert [p.english() for p in error.problems] == [
        "regions[2].themes[3].national_themes: missing; this field is required"
    ]


def test_a_broken_national_themes_file_is_not_blamed_on_the_regions(content_copy: Path) -> None:
    _edit_text(
        content_copy,
        "national-themes.toml",
        'slug = "ervaringskennis"',
        'slug = "sociale-wijkteams"',
    )
    errors = _load_errors(content_copy)
    assert [error.source for error in errors.errors] == ["national-themes.toml"]
    assert "the slug 'sociale-wijkteams' is used twice" in str(errors)


@pytest.mark.parametrize("name", ["goals.toml", "regions.toml", "national-themes.toml"])
def test_goals_and_regions_files_need_the_licence(content_copy: Path, name: str) -> None:
    _edit_text(content_copy, name, f'licence = "{LICENCE}"', 'licence = "All rights reserved"')
    errors = _load_errors(content_copy)
    assert errors.errors[0].source == name
