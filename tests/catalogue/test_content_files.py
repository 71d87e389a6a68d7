"""Bad files: load_content on a copy of the content directory names every broken file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catalogue.schema import LICENCE, ContentErrors
from catalogue.seed import CONTENT_DIR, load_content
from tests.catalogue.content_helpers import SOURCE, VARIANT_FILES

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


@pytest.mark.parametrize(
    "themes", ['"wijkteams"', '["wijkteams"]', '{ slug = "wijkteams" }'], ids=str
)
def test_a_region_s_themes_of_the_wrong_kind_are_refused(content_copy: Path, themes: str) -> None:
    # Not silently read as "no themes": a wrong type is named, as for every other field.
    path = content_copy / "regions.toml"
    extra = (
        '\n[[regions]]\nslug = "utrecht"\nname = "Werkplaats Utrecht"\n'
        f'description = "Een regio."\nthemes = {themes}\n'
    )
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    [error] = _load_errors(content_copy).errors
    assert error.source == "regions.toml"
    assert [p.english() for p in error.problems] == [
        "regions[4].themes: must be a list of [[regions.themes]] tables"
    ]


def test_missing_regions_are_reported_once(content_copy: Path) -> None:
    (content_copy / "regions.toml").write_text(f'licence = "{LICENCE}"\n', encoding="utf-8")
    [error] = _load_errors(content_copy).errors
    assert [p.english() for p in error.problems] == ["regions: missing; this field is required"]
