"""Region content: typed regions with their themes and the national themes, validated from
plain data (catalogue/schema.py has the shared reader)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from catalogue.schema import (
    ContentError,
    Described,
    Reader,
    check_licence,
    no_duplicates,
    parse_named,
)
from server.i18n import N_


@dataclass(frozen=True)
class NationalTheme(Described):
    """A landelijk thema: the shared vocabulary that the regions' own themes map to."""


@dataclass(frozen=True)
class Theme:
    slug: str
    name: str
    description: str
    national_themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Region:
    slug: str
    name: str
    description: str
    themes: tuple[Theme, ...]


def parse_national_themes(data: Mapping[str, Any], source: str) -> tuple[NationalTheme, ...]:
    """The landelijke thema's (national-themes.toml), or ContentError with every problem."""
    empty = N_("must be a non-empty list of [[themes]] tables")
    rows = parse_named(data, source, "themes", 200, empty)
    return tuple(NationalTheme(*fields) for fields in rows)


def parse_regions(
    data: Mapping[str, Any], source: str, national_slugs: Sequence[str] | None = None
) -> tuple[Region, ...]:
    """The regions and their themes, or ContentError with every problem.

    `national_slugs`: the landelijke thema's a theme may name in `national_themes`; None means
    they are unknown (their own file is broken), so the names are not checked.
    """
    r = Reader(data)
    r.only(("licence", "regions"))
    check_licence(r)
    items = r.present("regions")
    regions: list[Region] = []
    if items is not None and not isinstance(items, list):
        r.problem("regions", N_("must be a list of [[regions]] tables"))
    elif items is not None:
        for index, item in enumerate(items, start=1):
            g = r.sub(item if isinstance(item, dict) else {}, f"regions[{index}]")
            g.only(("slug", "name", "description", "themes"))
            themes = []
            raw_themes = item.get("themes", []) if isinstance(item, dict) else []
            if not isinstance(raw_themes, list) or not all(isinstance(t, dict) for t in raw_themes):
                # Named, not read as "no themes": a wrong type never goes unnoticed.
                g.problem("themes", N_("must be a list of [[regions.themes]] tables"))
                raw_themes = []
            for t_index, raw in enumerate(raw_themes, 1):
                t = g.sub(raw, f"themes[{t_index}]")
                t.only(("slug", "name", "description", "national_themes"))
                slug, name, description = t.slug("slug"), t.text("name", 200), t.text("description")
                national: tuple[str, ...] = ()
                if national_slugs is not None:  # else its own file's problems are reported
                    national = t.choices("national_themes", list(national_slugs))
                themes.append(Theme(slug, name, description, national))
            no_duplicates(g, "themes", [t.slug for t in themes])
            regions.append(
                Region(g.slug("slug"), g.text("name", 200), g.text("description"), tuple(themes))
            )
        no_duplicates(r, "regions", [reg.slug for reg in regions])
    if r.problems:
        raise ContentError(source, r.problems)
    return tuple(regions)
