"""Variant content: typed goals and variants, validated from plain data.

`parse_variant` takes the dict a TOML file (or an edit form) gives and returns a `Variant`, or
raises `ContentError` listing every problem with the field it concerns, what was wrong and what
is allowed (catalogue/schema.py has the shared reader).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from catalogue.schema import (
    LICENCE,
    MAX_SHORT_TEXT,
    ContentError,
    Described,
    Reader,
    check_licence,
    parse_named,
)
from catalogue.vocabulary import FACILITATION, MAX_WEIGHT, MODALITIES, ROLES, TOOLS
from server.i18n import N_

MAX_PHASE_MINUTES = 600
# A phase's texts; a session's agenda (sessions/forms.py) takes a script's phases as they are.
MAX_PHASE_NAME = MAX_SHORT_TEXT
MAX_PHASE_PURPOSE = 2000
MAX_PHASE_TEXT = 4000  # what the facilitator does, and what the participants do

MAX_GROUP = 1000

MAX_DURATION = 60 * 24 * 14


@dataclass(frozen=True)
class Goal(Described):
    """A goal a learning practice serves (goals.toml)."""


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
    r = Reader(data)
    r.only(VARIANT_FIELDS)
    check_licence(r)
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
    if (
        phases
        and minutes_known
        and minutes_min is not None
        and minutes_typical is not None
        and minutes_min <= minutes_typical  # else the duration's own problem says it
    ):
        total = sum(p.minutes for p in phases)
        # The script fits the time the practice states ("70–90 minutes"): a facilitator who
        # starts it must not find out during the session that it runs over.
        if not minutes_min <= total <= minutes_typical:
            r.problem(
                "phases",
                N_("the phases take %(total)s minutes; they must fit %(min)s to %(max)s minutes"),
                total=total,
                min=minutes_min,
                max=minutes_typical,
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


def _parse_goal_weights(r: Reader, goal_slugs: Sequence[str] | None) -> dict[str, int]:
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


def _parse_phases(r: Reader, value: Any) -> tuple[tuple[Phase, ...], bool]:
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
                name=p.text("name", MAX_PHASE_NAME),
                purpose=p.text("purpose", MAX_PHASE_PURPOSE),
                minutes=minutes or 0,
                tool=tool,
                facilitator=p.text("facilitator", MAX_PHASE_TEXT),
                participants=p.text("participants", MAX_PHASE_TEXT),
            )
        )
    return tuple(phases), minutes_known


def parse_goals(data: Mapping[str, Any], source: str) -> tuple[Goal, ...]:
    empty = N_("must be a non-empty list of [[goals]] tables")
    return tuple(Goal(*fields) for fields in parse_named(data, source, "goals", 120, empty))
