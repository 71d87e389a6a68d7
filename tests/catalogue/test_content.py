"""The real content: required goals, variants and regions, valid files, licences."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue.seed import Content
from catalogue.variants.schema import parse_variant
from tests.catalogue.content_helpers import (
    ALL_FILES,
    REQUIRED_GOALS,
    REQUIRED_REGIONS,
    REQUIRED_VARIANTS,
    VARIANT_FILES,
    _toml,
)

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


def test_every_script_fits_the_time_its_practice_states(content: Content) -> None:
    """A practice says "70–90 minutes": its agenda may not take 95 (issue 16)."""
    outside = {
        v.slug: (sum(p.minutes for p in v.phases), v.minutes_min, v.minutes_typical)
        for v in content.variants
        if not v.minutes_min <= sum(p.minutes for p in v.phases) <= v.minutes_typical
    }
    assert outside == {}


@pytest.mark.parametrize("path", VARIANT_FILES, ids=lambda path: path.stem)
def test_a_script_uses_the_interfaces_words(path: Path) -> None:
    """The board's groups are "thema's" and a session's result an "uitkomst", as on every page
    (tests/server/test_i18n.py): guidance shown in the cockpit says the same."""
    text = path.read_text(encoding="utf-8").lower()
    assert "cluster" not in text and "opbrengst" not in text
