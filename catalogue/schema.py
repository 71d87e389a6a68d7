"""Content validation shared by the catalogue's sub-domains: problems, the reader, files.

Validation is pure: a parser takes the dict a TOML file (or an edit form) gives and returns a
typed value, or raises `ContentError` listing every problem with the field it concerns, what
was wrong and what is allowed. `Reader` reads typed fields and collects those problems.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.i18n import N_, Translator

LICENCE = "CC BY-SA 4.0"

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

MAX_TEXT = 20_000

MAX_SHORT_TEXT = 300
# A list of texts (a practice's effective elements): how many, and how long each.
MAX_LIST = 40
MAX_LIST_TEXT = 1000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with content: where, and an English message id with parameters."""

    field: str
    message: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)

    def english(self) -> str:
        return f"{self.field}: {self.message % self.params}"


@dataclass(frozen=True)
class Described:
    """A named, described thing in Dutch and English (goals, national themes): what
    `parse_named` reads."""

    slug: str
    name: str
    name_en: str
    description: str
    description_en: str


class ContentError(ValueError):
    def __init__(self, source: str, problems: Sequence[Problem]):
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  {p.english()}" for p in self.problems)
        super().__init__(f"{source}:\n{lines}")


class ContentErrors(ValueError):
    """Every content file that is wrong; the catalogue is not loaded at all."""

    def __init__(self, errors: Sequence[ContentError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def problem_list(problems: Sequence[Problem], translate: Translator) -> list[dict[str, str]]:
    """Problems as {field, message} in the reader's language (pages and API alike)."""
    return [{"field": p.field, "message": translate(p.message) % p.params} for p in problems]


class Reader:
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
            if key in self.data:  # an emptied form field: as missing (it was a server error)
                self.problem(key, N_("missing; this field is required"))
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

    def texts(
        self, key: str, at_least: int, most: int = MAX_LIST, limit: int = MAX_LIST_TEXT
    ) -> tuple[str, ...]:
        value = self.present(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(key, N_("must be a list of non-empty texts"))
            return ()
        if len(value) < at_least:
            self.problem(key, N_("needs at least %(count)s value(s)"), count=at_least)
        if len(value) > most:
            self.problem(
                key, N_("has %(count)s values: at most %(most)s"), count=len(value), most=most
            )
        texts = tuple(" ".join(v.split()) for v in value)
        for number, text in enumerate(texts, 1):
            if len(text) > limit:
                self.problem(
                    key,
                    N_("item %(number)s is too long: at most %(max)s characters"),
                    number=number,
                    max=limit,
                )
        return texts

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

    def sub(self, data: Mapping[str, Any], key: str) -> Reader:
        reader = Reader(data, self.path(key) + ".")
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


def parse_named(
    data: Mapping[str, Any], source: str, key: str, name_limit: int, empty: str
) -> list[tuple[str, str, str, str, str]]:
    """A list of [[key]] tables of slug, name, name_en, description and description_en."""
    r = Reader(data)
    r.only(("licence", key))
    check_licence(r)
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
        no_duplicates(r, key, [row[0] for row in rows])
    if r.problems:
        raise ContentError(source, r.problems)
    return rows


def check_licence(r: Reader) -> None:
    licence = r.text("licence", 40)
    if licence and licence != LICENCE:
        r.problem("licence", N_("must be '%(licence)s'"), licence=LICENCE)


def no_duplicates(r: Reader, key: str, slugs: Sequence[str]) -> None:
    seen: set[str] = set()
    for slug in slugs:
        if slug in seen:
            r.problem(key, N_("the slug '%(value)s' is used twice"), value=slug)
        seen.add(slug)


def read_toml(path: Path, root: Path) -> dict[str, Any]:
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


def slugify(text: str) -> str:
    """A slug from a name: 'Sociale basis & wijk' -> 'sociale-basis-wijk'."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:80]
