"""The start form: its fields, the agenda editor's operations without scripts, and its checks.

Pure: no I/O. The page reads a submitted form into a `StartForm`, applies the agenda button
that was pressed (`op`), and checks the result into a `SetupRequest` for `sessions.setup`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import msgspec
from starlette.datastructures import FormData

from catalogue.schema import Problem
from catalogue.variants import schema
from catalogue.variants.schema import Variant
from catalogue.vocabulary import MODALITIES, TOOLS
from server.i18n import N_
from sessions import events as ev
from sessions import planning
from sessions.commands import video_url_problem
from sessions.setup import DEFAULT_AGENDA, SetupRequest, agenda_of

MAX_PHASES = 40
MAX_MINUTES = 600
MAX_TITLE = 120
# A phase takes what a catalogue script may hold (docs/catalogue-format.md), so a practice a
# coordinator wrote at length starts as it is.
MAX_PHASE_NAME = schema.MAX_PHASE_NAME
MAX_PURPOSE = schema.MAX_PHASE_PURPOSE
MAX_INSTRUCTIONS = schema.MAX_PHASE_TEXT
MAX_GOALS = 10
MAX_CAPACITY = 1000
BREAKOUT_SIZES = (2, 50)
ROOM_MODALITIES = ("hybrid", "on-site")


@dataclass
class PhaseFields:
    """One phase of the agenda editor, as typed (minutes stay text until checked)."""

    name: str = ""
    minutes: str = ""
    tool: str = "board"
    purpose: str = ""
    instructions: str = ""
    closes: planning.ClosingFields = field(default_factory=planning.ClosingFields)


@dataclass
class StartForm:
    """The start form's values, as typed, so a form shown again keeps everything."""

    title: str = ""
    variant: str = ""
    goals: list[str] = field(default_factory=list)
    region: str = ""
    theme: str = ""  # "region/theme": a theme belongs to one region
    modality: str = "online"
    capacity: str = ""
    breakout_size: str = "4"
    anonymous_notes: bool = False
    asynchronous: bool = False
    video_url: str = ""
    group: str = ""  # the public id of the group (traject) it is a session of, if any
    plan: planning.PlanFields = field(default_factory=planning.PlanFields)
    phases: list[PhaseFields] = field(default_factory=list)


def strongest_goals(variant: Variant) -> list[str]:
    """The goals a practice serves most strongly (its highest curated weight): what a session
    started from its page begins with ticked, so its harvest asks the group to rate them."""
    best = max(variant.goals.values(), default=0)
    return [goal for goal, weight in variant.goals.items() if weight == best and weight > 0]


def initial(
    variant: Variant | None,
    goals: Sequence[str],
    title: str = "",
    agenda: Sequence[ev.AgendaPhase] | None = None,
) -> StartForm:
    """A new form: the agenda given, else the variant's script (or the default agenda), and
    these goals."""
    if agenda is None:
        agenda = agenda_of(variant) if variant is not None else DEFAULT_AGENDA
    return StartForm(
        title=title,
        variant=variant.slug if variant is not None else "",
        goals=list(dict.fromkeys(goals)),
        asynchronous=variant.asynchronous if variant is not None else False,
        phases=[
            PhaseFields(
                p.name,
                str(p.minutes),
                p.tool,
                p.purpose,
                p.instructions,
                planning.closing_fields(p.until),
            )
            for p in agenda
        ],
    )


def from_submitted(form: FormData) -> StartForm:
    """The form as the browser sent it; phases in the order of their numbers."""

    def text(name: str) -> str:
        value = form.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    numbers = sorted(
        {
            int(key.split("-")[1])
            for key in form
            if key.startswith("phase-") and key.count("-") >= 2 and key.split("-")[1].isdigit()
        }
    )
    phases = [
        PhaseFields(
            text(f"phase-{n}-name"),
            text(f"phase-{n}-minutes"),
            text(f"phase-{n}-tool") or "board",
            text(f"phase-{n}-purpose"),
            text(f"phase-{n}-instructions"),
            planning.ClosingFields(
                text(f"phase-{n}-closes_date")[:40], text(f"phase-{n}-closes_time")[:40]
            ),
        )
        for n in numbers[: MAX_PHASES + 1]  # one over, so that "too many" can be said
    ]
    return StartForm(
        title=text("title"),
        variant=text("variant"),
        goals=list(dict.fromkeys(g for g in form.getlist("goals") if isinstance(g, str))),
        region=text("region"),
        theme=text("theme"),
        modality=text("modality") or "online",
        capacity=text("capacity"),
        breakout_size=text("breakout_size"),
        anonymous_notes=form.get("anonymous_notes") == "on",
        asynchronous=form.get("asynchronous") == "on",
        video_url=text("video_url"),
        group=text("group")[:24],
        plan=plan_submitted(form),
        phases=phases,
    )


def plan_submitted(form: FormData) -> planning.PlanFields:
    """The planned date and times as the browser sent them (the start form, the plan form)."""

    def text(name: str) -> str:
        value = form.get(name, "")
        return value.strip()[:40] if isinstance(value, str) else ""

    return planning.PlanFields(
        text("planned_date"), text("planned_start"), text("planned_end_date"), text("planned_end")
    )


def apply_op(start: StartForm, op: str) -> int | None:
    """Apply an agenda button (`up-3`, `down-3`, `remove-3`, `add`); the phase to look at next.

    Numbers count from 1, as the form shows them. Unknown or impossible operations do nothing.
    """
    phases = start.phases
    if op == "add":
        if len(phases) >= MAX_PHASES:
            return None
        phases.append(PhaseFields(minutes="10"))
        return len(phases)
    action, _, number = op.partition("-")
    if not number.isdigit() or not 1 <= int(number) <= len(phases):
        return None
    index = int(number) - 1
    if action == "up" and index > 0:
        phases[index - 1], phases[index] = phases[index], phases[index - 1]
        return index
    if action == "down" and index < len(phases) - 1:
        phases[index], phases[index + 1] = phases[index + 1], phases[index]
        return index + 2
    if action == "remove" and len(phases) > 1:
        del phases[index]
        return min(index + 1, len(phases))
    return int(number)


def check(start: StartForm) -> tuple[SetupRequest | None, list[Problem]]:
    """The request this form asks for, or the problems (each naming its field)."""
    problems: list[Problem] = []

    def problem(where: str, message: str, **params: object) -> None:
        problems.append(Problem(where, message, params))

    title = " ".join(start.title.split())
    if not title:
        problem("title", N_("Give the session a title."))
    elif len(title) > MAX_TITLE:
        problem("title", N_("The title can be at most %(max)s characters."), max=MAX_TITLE)
    if start.modality not in MODALITIES:
        problem("modality", N_("Choose online, hybrid or on site."))
    capacity = _whole(start.capacity)
    if start.capacity and start.modality not in ROOM_MODALITIES:
        problem("capacity", N_("Only a hybrid or on-site session has places in a room."))
    elif start.capacity and (capacity is None or not 1 <= capacity <= MAX_CAPACITY):
        problem(
            "capacity",
            N_("Places in the room: a whole number from 1 to %(max)s."),
            max=MAX_CAPACITY,
        )
    low, high = BREAKOUT_SIZES
    breakout_size = _whole(start.breakout_size)
    if breakout_size is None or not low <= breakout_size <= high:
        problem(
            "breakout_size",
            N_("Group size: a whole number from %(min)s to %(max)s."),
            min=low,
            max=high,
        )
    if len(start.goals) > MAX_GOALS:
        problem("goals", N_("Choose at most %(max)s goals."), max=MAX_GOALS)
    region, theme = start.region or None, None
    if start.theme:
        theme_region, _, theme = start.theme.partition("/")
        if region is None:
            region = theme_region
        elif theme_region != region:
            problem(
                "theme",
                N_("This theme belongs to another region. Choose its region or another theme."),
            )
    if start.video_url and (
        not start.video_url.lower().startswith("https://") or video_url_problem(start.video_url)
    ):
        problem(
            "video_url",
            N_(
                "Paste the whole address of the video call, starting with https:// "
                "(for example https://meet.jit.si/our-meeting)."
            ),
        )
    plan = planning.check(start.plan, problem)
    phases = _check_phases(start.phases, problem)
    closes = planning.check_closing(
        [phase.closes for phase in start.phases[:MAX_PHASES]],
        start.asynchronous,
        plan.start if plan is not None else dt.datetime.now(dt.UTC),
        problem,
    )
    phases = tuple(
        msgspec.structs.replace(phase, until=until) if until is not None else phase
        for phase, until in zip(phases, closes, strict=False)
    )
    if problems:
        return None, problems
    asked = SetupRequest(
        title=title,
        modality=cast(ev.Modality, start.modality),
        variant=start.variant or None,
        goals=tuple(start.goals),
        capacity=capacity if start.capacity else None,
        breakout_size=cast(int, breakout_size),
        anonymous_notes=start.anonymous_notes,
        asynchronous=start.asynchronous,
        region=region,
        theme=theme or None,
        phases=phases,
        video_url=start.video_url or None,
        planned_start=plan.start if plan is not None else None,
        planned_end=plan.end if plan is not None else None,
    )
    return asked, []


def _check_phases(phases: list[PhaseFields], problem: Any) -> tuple[ev.AgendaPhase, ...]:
    if not phases:
        problem("phases", N_("The agenda needs at least one phase."))
    if len(phases) > MAX_PHASES:
        problem("phases", N_("The agenda can have at most %(max)s phases."), max=MAX_PHASES)
    checked = []
    for number, phase in enumerate(phases[:MAX_PHASES], start=1):
        where = f"phase-{number}"
        name = " ".join(phase.name.split())
        if not name:
            problem(f"{where}-name", N_("Give this phase a name."))
        elif len(name) > MAX_PHASE_NAME:
            problem(
                f"{where}-name", N_("A name can be at most %(max)s characters."), max=MAX_PHASE_NAME
            )
        minutes = _whole(phase.minutes)
        if minutes is None or not 1 <= minutes <= MAX_MINUTES:
            problem(
                f"{where}-minutes",
                N_("Minutes: a whole number from 1 to %(max)s."),
                max=MAX_MINUTES,
            )
        if phase.tool not in TOOLS:
            problem(f"{where}-tool", N_("Choose one of the tools."))
        if len(phase.purpose) > MAX_PURPOSE:
            problem(
                f"{where}-purpose",
                N_("The purpose can be at most %(max)s characters."),
                max=MAX_PURPOSE,
            )
        if len(phase.instructions) > MAX_INSTRUCTIONS:
            problem(
                f"{where}-instructions",
                N_("The instructions can be at most %(max)s characters."),
                max=MAX_INSTRUCTIONS,
            )
        checked.append(
            ev.AgendaPhase(
                name,
                minutes or 0,
                cast(ev.Tool, phase.tool),
                phase.purpose,
                phase.instructions,
            )
        )
    if phases and phases[-1].tool != "harvest" and len(phases) <= MAX_PHASES:
        problem(
            f"phase-{len(phases)}-tool",
            N_(
                "The last phase must be a harvest, so that the group ends with what it takes "
                "along. Choose the tool 'harvest' here, or add a harvest phase."
            ),
        )
    return tuple(checked)


def _whole(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None
