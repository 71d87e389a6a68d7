"""`werkplaats seed` loads the catalogue: all or nothing, idempotent, never over an edit."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalogue.regions.models import NationalThemeRow, RegionRow, ThemeRow, theme_national_themes
from catalogue.schema import ContentErrors
from catalogue.seed import CONTENT_DIR, Content, load_content, seed
from catalogue.variants.actions import save_edit
from catalogue.variants.models import GoalRow, VariantRow, VariantVersion
from tests.helpers import make_user
from tests.server.test_cli import run


async def _count(db: async_sessionmaker[AsyncSession], model: type) -> int:
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_seed_loads_goals_variants_and_regions(
    db: async_sessionmaker[AsyncSession], content: Content, seeded: list[str]
) -> None:
    assert await _count(db, GoalRow) == len(content.goals) == 10
    assert await _count(db, VariantRow) == len(content.variants) >= 30
    assert await _count(db, VariantVersion) == len(content.variants)
    assert await _count(db, RegionRow) == 3
    assert await _count(db, ThemeRow) == sum(len(r.themes) for r in content.regions)
    assert "variant intervisie: added" in seeded


async def test_seeding_again_changes_nothing_and_duplicates_nothing(
    db: async_sessionmaker[AsyncSession], content: Content, seeded: list[str]
) -> None:
    async with db() as session:
        again = await seed(session, content)
    assert all(line.endswith(": unchanged") for line in again if line.startswith("variant "))
    assert await _count(db, VariantVersion) == len(content.variants)
    assert await _count(db, ThemeRow) == sum(len(r.themes) for r in content.regions)
    assert await _count(db, GoalRow) == 10
    assert await _count(db, NationalThemeRow) == len(content.national_themes)
    assert await _count(db, theme_national_themes) == _links(content)
    assert "national themes: 0 added, 0 updated, 6 in the content" in again


def _links(content: Content) -> int:
    return sum(len(t.national_themes) for r in content.regions for t in r.themes)


async def _national_of(db: async_sessionmaker[AsyncSession]) -> dict[tuple[str, str], list[str]]:
    async with db() as session:
        regions = await session.scalars(select(RegionRow))
        return {
            (region.slug, theme.slug): [n.slug for n in theme.national]
            for region in regions
            for theme in region.themes
        }


async def test_seed_loads_the_national_themes_and_what_each_regional_theme_belongs_to(
    db: async_sessionmaker[AsyncSession], content: Content, seeded: list[str]
) -> None:
    assert await _count(db, NationalThemeRow) == len(content.national_themes) == 6
    national = await _national_of(db)
    assert national[("gelderse-vallei", "eenzaamheid")] == ["eenzaamheid-en-sociale-basis"]
    assert national[("zwolle", "sociale-basis-versterken")] == [
        "eenzaamheid-en-sociale-basis",
        "samenwerken-met-bewoners",
    ]
    assert all(national.values())
    # A national theme brings together the themes of more than one region.
    regions_of: dict[str, set[str]] = {}
    for (region, _theme), slugs in national.items():
        for slug in slugs:
            regions_of.setdefault(slug, set()).add(region)
    assert len(regions_of["eenzaamheid-en-sociale-basis"]) >= 2
    assert len(regions_of["onderwijs-en-praktijk"]) >= 2


async def test_seeding_links_the_themes_of_a_database_from_before_national_themes(
    db: async_sessionmaker[AsyncSession], content: Content, seeded: list[str]
) -> None:
    async with db() as session:
        await session.execute(theme_national_themes.delete())
        await session.commit()
    async with db() as session:
        report = await seed(session, content)
    assert (
        "region zwolle: theme sociale-basis-versterken now belongs to"
        " eenzaamheid-en-sociale-basis, samenwerken-met-bewoners"
    ) in report
    assert await _count(db, theme_national_themes) == _links(content)
    async with db() as session:
        again = await seed(session, content)
    assert not any("now belongs to" in line for line in again)


async def test_a_changed_content_file_becomes_a_new_version(
    db: async_sessionmaker[AsyncSession], content: Content, seeded: list[str]
) -> None:
    changed = [
        dataclasses.replace(v, title="Intervisie (nieuw)") if v.slug == "intervisie" else v
        for v in content.variants
    ]
    async with db() as session:
        report = await seed(session, dataclasses.replace(content, variants=tuple(changed)))
    assert "variant intervisie: updated to version 2" in report
    assert await _count(db, VariantVersion) == len(content.variants) + 1


async def test_seeding_keeps_a_coordinators_edit_and_says_so(
    db: async_sessionmaker[AsyncSession], content: Content, seeded: list[str]
) -> None:
    carla = await make_user(db, email="carla@example.org", roles=["coordinator"], name="Carla")
    intervisie = next(v for v in content.variants if v.slug == "intervisie")
    document = {**intervisie.document(), "title": "Intervisie volgens ons team"}
    async with db() as session:
        assert await save_edit(session, "intervisie", document, carla, "eigen titel", 1) == 2
    async with db() as session:
        unchanged_file = await seed(session, content)
    assert any(
        line.startswith("variant intervisie: kept the edit (version 2 by Carla")
        for line in unchanged_file
    )
    changed = [
        dataclasses.replace(v, summary="Nieuwe samenvatting.") if v.slug == "intervisie" else v
        for v in content.variants
    ]
    async with db() as session:
        changed_file = await seed(session, dataclasses.replace(content, variants=tuple(changed)))
    [line] = [line for line in changed_file if line.startswith("variant intervisie:")]
    assert "KEPT the edit" in line and "content file changed" in line
    async with db() as session:
        newest = await session.scalar(
            select(VariantVersion).order_by(VariantVersion.id.desc()).limit(1)
        )
    assert newest is not None and newest.document["title"] == "Intervisie volgens ons team"


def test_a_broken_file_loads_nothing(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    broken = root / "variants" / "fishbowl.toml"
    broken.write_text(broken.read_text().replace('tool = "harvest"', 'tool = "oogst"'))
    with pytest.raises(ContentErrors) as caught:
        load_content(root)
    message = str(caught.value)
    assert "variants/fishbowl.toml" in message
    assert "unknown value 'oogst'; allowed: board, vote, round" in message


def test_the_seed_command_reports_a_broken_catalogue_and_loads_nothing(
    database_url: str, tmp_path: Path
) -> None:
    env = {"WERKPLAATS_DATABASE_URL": database_url, "WERKPLAATS_DATA_DIR": str(tmp_path)}
    assert run("migrate", env=env).returncode == 0
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    (root / "variants" / "zzz-nieuw.toml").write_text('slug = "zzz-nieuw"\n')
    broken = run("seed", "--content", str(root), env=env)
    assert broken.returncode == 2
    assert "nothing was loaded" in broken.stderr
    assert "variants/zzz-nieuw.toml" in broken.stderr
    assert "title: missing; this field is required" in broken.stderr
    assert "Traceback" not in broken.stderr
    missing = run("seed", "--content", str(tmp_path / "nowhere"), env=env)
    assert missing.returncode == 2 and "cannot be read" in missing.stderr
    # Nothing half-loaded: the database has no catalogue until a clean seed.
    ok = run("seed", env=env)
    assert ok.returncode == 0, ok.stderr
    assert "variant intervisie: added" in ok.stdout
