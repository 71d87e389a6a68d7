"""Catalogue content: typed goals, variants and regions, validated from plain data.

Validation is pure: `parse_variant` takes the dict a TOML file (or an edit form) gives and
returns a `Variant`, or raises `ContentError` listing every problem with the field it concerns,
what was wrong and what is allowed. `load_content` reads the files and never returns a partial
catalogue: one problem anywhere and nothing is returned.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from catalogue.vocabulary import FACILITATION, MAX_WEIGHT, MODALITIES, ROLES, TOOLS
from server.i18n import N_

T = TypeVar("T")
CONTENT_DIR = Path(__file__).parent / "content"
LICENCE = "CC BY-SA 4.0"
NATIONAL_THEMES_FILE = "national-themes.toml"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TEXT = 20_000
MAX_SHORT_TEXT = 300
MAX_PHASE_MINUTES = 600
MAX_GROUP = 1000
MAX_DURATION = 60 * 24 * 14
# The phases may run over the typical duration by this fraction, never under the minimum.
PHASE_SLACK = 0.25


@dataclass(frozen=True)
class Problem:
    """One thing wrong with content: where, and an English message id with parameters."""

    field: str
    message: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)

    def english(self) -> str:
        return f"{self.field}: {self.message % self.params}"


class ContentError(ValueError):
    def __init__(self, source: str, problems: Sequence[Problem]):
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  {p.english()}" for p in self.problems)
        super().__init__(f"{source}:\n{lines}")


@dataclass(frozen=True)
class Goal:
    slug: str
    name: str
    name_en: str
    description: str
    description_en: str


@dataclass(frozen=True)
class Phase:
    name: str
    purpose: str
    minutes: int
    tool: str
    facilitator: str
    participants: str


@dataclass(frozen=True)
class Variant:
    slug: str
    title: str
    title_en: str
    summary: str
    summary_en: str
    description: str
    facilitation: str
    preparation: str
    distance: str
    modalities: tuple[str, ...]
    roles: tuple[str, ...]
    effective_elements: tuple[str, ...]
    goals: Mapping[str, int]
    group_min: int
    group_ideal: int
    group_max: int
    minutes_min: int
    minutes_typical: int
    phases: tuple[Phase, ...]
    asynchronous: bool = False

    @property
    def script_minutes(self) -> int:
        return sum(phase.minutes for phase in self.phases)

    def document(self) -> dict[str, Any]:
        """The variant in the shape of its content file (what versions store)."""
        return {
            "licence": LICENCE,
            "slug": self.slug,
            "title": self.title,
            "title_en": self.title_en,
            "summary": self.summary,
            "summary_en": self.summary_en,
            "description": self.description,
            "facilitation": self.facilitation,
            "preparation": self.preparation,
            "distance": self.distance,
            "modalities": list(self.modalities),
            "roles": list(self.roles),
            "effective_elements": list(self.effective_elements),
            "asynchronous": self.asynchronous,
            "goals": dict(self.goals),
            "group_size": {"min": self.group_min, "ideal": self.group_ideal, "max": self.group_max},
            "duration": {"min": self.minutes_min, "typical": self.minutes_typical},
            "phases": [asdict(phase) for phase in self.phases],
        }


@dataclass(frozen=True)
class NationalTheme:
    """A landelijk thema: the shared vocabulary that the regions' own themes map to."""

    slug: str
    name: str
    name_en: str
    description: str
    description_en: str


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


@dataclass(frozen=True)
class Content:
    goals: tuple[Goal, ...]
    variants: tuple[Variant, ...]
    regions: tuple[Region, ...]
    national_themes: tuple[NationalTheme, ...] = ()


class _Reader:
    """Reads typed fields from a mapping, collecting every problem instead of stopping."""

    def __init__(self, data: Mapping[str, Any], prefix: str = ""):
        self.data = data
        self.prefix = prefix
        self.problems: list[Problem] = []

    def path(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def problem(self, key: str, message: str, **params: object) -> None:
        self.problems.append(Problem(self.path(key), message, params))

    def only(self, allowed: Sequence[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.problem(
                    key,
                    N_("unknown field; allowed fields: %(allowed)s"),
                    allowed=", ".join(allowed),
                )

    def present(self, key: str) -> Any:
        if key not in self.data:
            self.problem(key, N_("missing; this field is required"))
            return None
        return self.data[key]

    def text(self, key: str, limit: int = MAX_TEXT) -> str:
        value = self.present(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problem(key, N_("must be text, not %(kind)s"), kind=_kind(value))
            return ""
        value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        if not value:
            self.problem(key, N_("is empty; write something here"))
        elif len(value) > limit:
            self.problem(key, N_("is too long: at most %(max)s characters"), max=limit)
        return value

    def slug(self, key: str) -> str:
        value = self.text(key, 80)
        if value and not SLUG.match(value):
            self.problem(
                key,
                N_("'%(value)s' is not a slug: use lowercase letters, digits and hyphens"),
                value=value,
            )
        return value

    def integer(self, key: str, low: int, high: int) -> int | None:
        value = self.present(key)
        if value is None:
            return None
        return self.check_integer(key, value, low, high)

    def check_integer(self, key: str, value: Any, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(
                key,
                N_("must be a whole number from %(low)s to %(high)s, not %(value)s"),
                low=low,
                high=high,
                value=_show(value),
            )
            return None
        if not low <= value <= high:
            self.problem(
                key,
                N_("%(value)s is out of range; allowed: %(low)s to %(high)s"),
                value=value,
                low=low,
                high=high,
            )
            return None
        return value

    def choices(self, key: str, allowed: Sequence[str], at_least: int = 1) -> tuple[str, ...]:
        value = self.present(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, N_("must be a list of texts"))
            return ()
        for item in value:
            if item not in allowed:
                self.problem(
                    key,
                    N_("unknown value '%(value)s'; allowed: %(allowed)s"),
                    value=item,
                    allowed=", ".join(allowed),
                )
        if len(set(value)) != len(value):
            self.problem(key, N_("lists a value twice"))
        if len(value) < at_least:
            self.problem(key, N_("needs at least %(count)s value(s)"), count=at_least)
        # One order (the vocabulary's), so the same choice is always the same document.
        return tuple(item for item in allowed if item in value)

    def texts(self, key: str, at_least: int) -> tuple[str, ...]:
        value = self.present(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(key, N_("must be a list of non-empty texts"))
            return ()
        if len(value) < at_least:
            self.problem(key, N_("needs at least %(count)s value(s)"), count=at_least)
        return tuple(" ".join(v.split()) for v in value)

    def table(self, key: str) -> Mapping[str, Any]:
        value = self.present(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(
                key, N_("must be a table of named values, not %(kind)s"), kind=_kind(value)
            )
            return {}
        return value

    def sub(self, data: Mapping[str, Any], key: str) -> _Reader:
        reader = _Reader(data, self.path(key) + ".")
        reader.problems = self.problems  # one list: every problem is reported once
        return reader


def _kind(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


VARIANT_FIELDS = (
    "licence",
    "slug",
    "title",
    "title_en",
    "summary",
    "summary_en",
    "description",
    "facilitation",
    "preparation",
    "distance",
    "modalities",
    "roles",
    "effective_elements",
    "asynchronous",
    "goals",
    "group_size",
    "duration",
    "phases",
)
PHASE_FIELDS = ("name", "purpose", "minutes", "tool", "facilitator", "participants")


def parse_variant(
    data: Mapping[str, Any],
    goal_slugs: Sequence[str] | None,
    source: str,
    expected_slug: str | None = None,
) -> Variant:
    """A valid Variant from content-file data, or ContentError with every problem in it.

    `goal_slugs` None means the goals are unknown (their own file is broken): the goal names
    are then not checked, so one broken goals file is not blamed on every variant.
    `expected_slug` is the slug the file name gives, if any.
    """
    r = _Reader(data)
    r.only(VARIANT_FIELDS)
    _check_licence(r)
    slug = r.slug("slug")
    if slug and expected_slug is not None and slug != expected_slug:
        r.problem(
            "slug",
            N_("'%(value)s' differs from the file name '%(name)s'"),
            value=slug,
            name=expected_slug,
        )
    title = r.text("title", MAX_SHORT_TEXT)
    title_en = r.text("title_en", MAX_SHORT_TEXT)
    summary = r.text("summary", 1000)
    summary_en = r.text("summary_en", 1000)
    description = r.text("description")
    facilitation = r.text("facilitation", 40)
    if facilitation and facilitation not in FACILITATION:
        r.problem(
            "facilitation",
            N_("unknown value '%(value)s'; allowed: %(allowed)s"),
            value=facilitation,
            allowed=", ".join(FACILITATION),
        )
    preparation = r.text("preparation")
    distance = r.text("distance")
    modalities = r.choices("modalities", list(MODALITIES))
    roles = r.choices("roles", list(ROLES))
    elements = r.texts("effective_elements", at_least=2)
    asynchronous = data.get("asynchronous", False)
    if not isinstance(asynchronous, bool):
        r.problem("asynchronous", N_("must be true or false"))
        asynchronous = False

    goals = _parse_goal_weights(r, goal_slugs)

    size = r.sub(r.table("group_size"), "group_size")
    size.only(("min", "ideal", "max"))
    group_min = size.integer("min", 1, MAX_GROUP)
    group_ideal = size.integer("ideal", 1, MAX_GROUP)
    group_max = size.integer("max", 1, MAX_GROUP)
    if (
        group_min is not None
        and group_ideal is not None
        and group_max is not None
        and not group_min <= group_ideal <= group_max
    ):
        r.problem(
            "group_size",
            N_("needs min <= ideal <= max; it is %(min)s, %(ideal)s, %(max)s"),
            min=group_min,
            ideal=group_ideal,
            max=group_max,
        )

    duration = r.sub(r.table("duration"), "duration")
    duration.only(("min", "typical"))
    minutes_min = duration.integer("min", 1, MAX_DURATION)
    minutes_typical = duration.integer("typical", 1, MAX_DURATION)
    if minutes_min is not None and minutes_typical is not None and minutes_min > minutes_typical:
        r.problem(
            "duration",
            N_("min (%(min)s) is more than typical (%(typical)s)"),
            min=minutes_min,
            typical=minutes_typical,
        )

    phases, minutes_known = _parse_phases(r, data.get("phases"))
    if phases and minutes_known and minutes_min is not None and minutes_typical is not None:
        total = sum(p.minutes for p in phases)
        ceiling = int(minutes_typical * (1 + PHASE_SLACK))
        if not minutes_min <= total <= ceiling:
            r.problem(
                "phases",
                N_("the phases take %(total)s minutes; they must fit %(min)s to %(max)s minutes"),
                total=total,
                min=minutes_min,
                max=ceiling,
            )
    if phases and phases[-1].tool != "harvest":
        r.problem("phases", N_("the last phase must use the tool 'harvest'"))

    if r.problems:
        raise ContentError(source, r.problems)
    assert group_min and group_ideal and group_max and minutes_min and minutes_typical
    return Variant(
        slug=slug,
        title=title,
        title_en=title_en,
        summary=summary,
        summary_en=summary_en,
        description=description,
        facilitation=facilitation,
        preparation=preparation,
        distance=distance,
        modalities=modalities,
        roles=roles,
        effective_elements=elements,
        goals=goals,
        group_min=group_min,
        group_ideal=group_ideal,
        group_max=group_max,
        minutes_min=minutes_min,
        minutes_typical=minutes_typical,
        phases=phases,
        asynchronous=asynchronous,
    )


def _parse_goal_weights(r: _Reader, goal_slugs: Sequence[str] | None) -> dict[str, int]:
    table = r.table("goals")
    if "goals" not in r.data or not isinstance(r.data["goals"], dict):
        return {}
    reader = r.sub(table, "goals")
    if goal_slugs is None:  # the goals file is broken and reported on its own
        return {}
    reader.only(goal_slugs)
    goals: dict[str, int] = {}
    for goal in goal_slugs:
        if goal not in table:
            reader.problem(goal, N_("missing; give every goal a weight from 0 to 3"))
            continue
        weight = reader.check_integer(goal, table[goal], 0, MAX_WEIGHT)
        if weight is not None:
            goals[goal] = weight
    if len(goals) == len(goal_slugs) and max(goals.values(), default=0) < 2:
        r.problem("goals", N_("no goal has weight 2 or 3; a variant must serve some goal well"))
    return goals


def _parse_phases(r: _Reader, value: Any) -> tuple[tuple[Phase, ...], bool]:
    """The phases, and whether all their minutes could be read."""
    if value is None:
        r.problem("phases", N_("missing; this field is required"))
        return (), False
    if not isinstance(value, list) or not all(isinstance(p, dict) for p in value):
        r.problem("phases", N_("must be a list of phases ([[phases]] tables)"))
        return (), False
    if len(value) < 2:
        r.problem("phases", N_("needs at least %(count)s value(s)"), count=2)
    phases = []
    minutes_known = True
    for index, item in enumerate(value, start=1):
        p = r.sub(item, f"phases[{index}]")
        p.only(PHASE_FIELDS)
        tool = p.text("tool", 40)
        if tool and tool not in TOOLS:
            p.problem(
                "tool",
                N_("unknown value '%(value)s'; allowed: %(allowed)s"),
                value=tool,
                allowed=", ".join(TOOLS),
            )
        minutes = p.integer("minutes", 1, MAX_PHASE_MINUTES)
        minutes_known = minutes_known and minutes is not None
        phases.append(
            Phase(
                name=p.text("name", MAX_SHORT_TEXT),
                purpose=p.text("purpose", 2000),
                minutes=minutes or 0,
                tool=tool,
                facilitator=p.text("facilitator", 4000),
                participants=p.text("participants", 4000),
            )
        )
    return tuple(phases), minutes_known


def parse_goals(data: Mapping[str, Any], source: str) -> tuple[Goal, ...]:
    empty = N_("must be a non-empty list of [[goals]] tables")
    return tuple(Goal(*fields) for fields in _parse_named(data, source, "goals", 120, empty))


def parse_national_themes(data: Mapping[str, Any], source: str) -> tuple[NationalTheme, ...]:
    """The landelijke thema's (national-themes.toml), or ContentError with every problem."""
    empty = N_("must be a non-empty list of [[themes]] tables")
    rows = _parse_named(data, source, "themes", 200, empty)
    return tuple(NationalTheme(*fields) for fields in rows)


def _parse_named(
    data: Mapping[str, Any], source: str, key: str, name_limit: int, empty: str
) -> list[tuple[str, str, str, str, str]]:
    """A list of [[key]] tables of slug, name, name_en, description and description_en."""
    r = _Reader(data)
    r.only(("licence", key))
    _check_licence(r)
    items = r.present(key)
    rows: list[tuple[str, str, str, str, str]] = []
    if not isinstance(items, list) or not items:
        r.problem(key, empty)
    else:
        for index, item in enumerate(items, start=1):
            g = r.sub(item if isinstance(item, dict) else {}, f"{key}[{index}]")
            g.only(("slug", "name", "name_en", "description", "description_en"))
            rows.append(
                (
                    g.slug("slug"),
                    g.text("name", name_limit),
                    g.text("name_en", name_limit),
                    g.text("description", 1000),
                    g.text("description_en", 1000),
                )
            )
        _no_duplicates(r, key, [row[0] for row in rows])
    if r.problems:
        raise ContentError(source, r.problems)
    return rows


def parse_regions(
    data: Mapping[str, Any], source: str, national_slugs: Sequence[str] | None = None
) -> tuple[Region, ...]:
    """The regions and their themes, or ContentError with every problem.

    `national_slugs`: the landelijke thema's a theme may name in `national_themes`; None means
    they are unknown (their own file is broken), so the names are not checked.
    """
    r = _Reader(data)
    r.only(("licence", "regions"))
    _check_licence(r)
    items = r.present("regions")
    regions: list[Region] = []
    if not isinstance(items, list):
        r.problem("regions", N_("must be a list of [[regions]] tables"))
    else:
        for index, item in enumerate(items, start=1):
            g = r.sub(item if isinstance(item, dict) else {}, f"regions[{index}]")
            g.only(("slug", "name", "description", "themes"))
            themes = []
            raw_themes = item.get("themes", []) if isinstance(item, dict) else []
            for t_index, raw in enumerate(raw_themes if isinstance(raw_themes, list) else [], 1):
                t = g.sub(raw if isinstance(raw, dict) else {}, f"themes[{t_index}]")
                t.only(("slug", "name", "description", "national_themes"))
                slug, name, description = t.slug("slug"), t.text("name", 200), t.text("description")
                national: tuple[str, ...] = ()
                if national_slugs is not None:  # else its own file's problems are reported
                    national = t.choices("national_themes", list(national_slugs))
                themes.append(Theme(slug, name, description, national))
            _no_duplicates(g, "themes", [t.slug for t in themes])
            regions.append(
                Region(g.slug("slug"), g.text("name", 200), g.text("description"), tuple(themes))
            )
        _no_duplicates(r, "regions", [reg.slug for reg in regions])
    if r.problems:
        raise ContentError(source, r.problems)
    return tuple(regions)


def _check_licence(r: _Reader) -> None:
    licence = r.text("licence", 40)
    if licence and licence != LICENCE:
        r.problem("licence", N_("must be '%(licence)s'"), licence=LICENCE)


def _no_duplicates(r: _Reader, key: str, slugs: Sequence[str]) -> None:
    seen: set[str] = set()
    for slug in slugs:
        if slug in seen:
            r.problem(key, N_("the slug '%(value)s' is used twice"), value=slug)
        seen.add(slug)


def _read_toml(path: Path, root: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except OSError as error:
        raise ContentError(
            str(path),
            [
                Problem(
                    "(file)",
                    N_("cannot be read: %(error)s"),
                    {"error": error.strerror or str(error)},
                )
            ],
        ) from None
    except UnicodeDecodeError:
        raise ContentError(
            str(path.relative_to(root)), [Problem("(file)", N_("is not UTF-8 text"))]
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ContentError(
            str(path.relative_to(root)),
            [Problem("(file)", N_("is not valid TOML: %(error)s"), {"error": str(error)})],
        ) from None


def load_content(root: Path = CONTENT_DIR) -> Content:
    """Every goal, variant, region and national theme in the content directory, or
    ContentErrors for all faults."""
    errors: list[ContentError] = []

    def attempt(parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except ContentError as error:
            errors.append(error)
            return None

    goals = attempt(lambda: parse_goals(_read_toml(root / "goals.toml", root), "goals.toml"))
    # With a broken goals file the variants' goal names cannot be checked; that file's own
    # problems are reported instead of blaming every variant for them.
    goal_slugs = [g.slug for g in goals] if goals is not None else None
    national = attempt(
        lambda: parse_national_themes(
            _read_toml(root / NATIONAL_THEMES_FILE, root), NATIONAL_THEMES_FILE
        )
    )
    national_slugs = [t.slug for t in national] if national is not None else None
    regions = attempt(
        lambda: parse_regions(
            _read_toml(root / "regions.toml", root), "regions.toml", national_slugs
        )
    )
    variants: list[Variant] = []
    for path in sorted((root / "variants").glob("*.toml")):
        source = str(path.relative_to(root))
        variant = attempt(
            lambda path=path, source=source: parse_variant(  # type: ignore[misc]
                _read_toml(path, root), goal_slugs, source, expected_slug=path.stem
            )
        )
        if variant is not None:
            variants.append(variant)
    if errors:
        raise ContentErrors(errors)
    assert goals is not None and regions is not None and national is not None
    return Content(goals, tuple(variants), regions, national)


class ContentErrors(ValueError):
    """Every content file that is wrong; the catalogue is not loaded at all."""

    def __init__(self, errors: Sequence[ContentError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def slugify(text: str) -> str:
    """A slug from a name: 'Sociale basis & wijk' -> 'sociale-basis-wijk'."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:80]
