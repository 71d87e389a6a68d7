"""The content the content tests read: the required goals, variants and regions, the files."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from catalogue.seed import CONTENT_DIR

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


SOURCE = "variants/intervisie.toml"
