"""Curriculum modules: an educator's module document, checked, and who may read or edit what.

Pure. A module's document holds outcome public ids and variant slugs with the educator's own
texts; outcome content is read at its sharing level when the module is shown or exported
(catalogue/modules/export.py), never copied in. docs/modules.md explains the rules.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from catalogue.library.access import may_read
from catalogue.modules.models import ModuleRow
from catalogue.outcomes.models import OutcomeRow
from catalogue.schema import Problem
from catalogue.variants.schema import Variant
from server.i18n import N_
from server.models import Role, User

MAX_TITLE = 200
MAX_AUDIENCE = 200
MAX_LINE = 500
MAX_LINES = 20
MAX_NOTE = 2000
MAX_CASES = 10
MAX_EXERCISES = 10
MAX_PHASES = 20
MAX_PHASE_TEXT = 500
CASE_SLOTS = 5
EXERCISE_SLOTS = 3


def may_read_outcome(user: User | None, row: OutcomeRow, memberships: Collection[str]) -> bool:
    """Whether `user` may see this outcome (to choose it as a case): its creator and
    coordinators always; otherwise the library's rule (catalogue.library.access.may_read)."""
    if user is not None and (user.has_role(Role.COORDINATOR) or row.created_by == user.id):
        return True
    return may_read(user, row, memberships)


def may_edit(user: User | None, module: ModuleRow) -> bool:
    return user is not None and (user.has_role(Role.COORDINATOR) or module.owner_id == user.id)


@dataclass(frozen=True)
class Choices:
    """What a module may refer to: outcomes the educator may see, variants by slug."""

    outcomes: Mapping[str, str]  # public id -> title
    variants: Mapping[str, Variant]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def script_text(phases: Sequence[Mapping[str, Any]]) -> str:
    """A script as the form shows it: one phase per line, "name | minutes | purpose"."""
    return "\n".join(
        f"{p.get('name', '')} | {p.get('minutes', '')} | {p.get('purpose', '')}" for p in phases
    )


def variant_script(variant: Variant) -> list[dict[str, Any]]:
    return [{"name": p.name, "minutes": p.minutes, "purpose": p.purpose} for p in variant.phases]


def document_from_form(form: Mapping[str, Any], choices: Choices) -> dict[str, Any]:
    """The document a submitted form describes (unchecked; see check_document). An exercise
    whose script is left empty gets its variant's script, to adapt on the next edit."""
    cases = []
    for i in range(1, CASE_SLOTS + 1):
        outcome = str(form.get(f"case-{i}-outcome", "")).strip()
        note = str(form.get(f"case-{i}-note", "")).strip()
        if outcome or note:
            cases.append({"outcome": outcome, "note": note})
    exercises = []
    for i in range(1, EXERCISE_SLOTS + 1):
        slug = str(form.get(f"exercise-{i}-variant", "")).strip()
        script = str(form.get(f"exercise-{i}-script", ""))
        if not slug and not script.strip():
            continue
        variant = choices.variants.get(slug)
        if not script.strip() and variant is not None:
            phases: list[dict[str, Any]] = variant_script(variant)
        else:
            phases = [_phase(line) for line in lines(script)]
        exercises.append({"variant": slug, "phases": phases})
    return {
        "title": str(form.get("title", "")).strip(),
        "audience": str(form.get("audience", "")).strip(),
        "objectives": lines(str(form.get("objectives", ""))),
        "cases": cases,
        "exercises": exercises,
        "reflection": lines(str(form.get("reflection", ""))),
    }


def _phase(line: str) -> dict[str, Any]:
    parts = [part.strip() for part in line.split("|")]
    parts += [""] * (3 - len(parts))
    name, minutes, purpose = parts[0], parts[1], " | ".join(parts[2:]).strip(" |")
    return {
        "name": name,
        "minutes": int(minutes) if _whole(minutes) else minutes,
        "purpose": purpose,
    }


def _whole(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 4


def check_document(document: Mapping[str, Any], choices: Choices) -> list[Problem]:
    """What is wrong with a module document (each problem names its form field)."""
    problems: list[Problem] = []
    title = document.get("title", "")
    if not title:
        problems.append(Problem("title", N_("Give the module a title.")))
    elif len(title) > MAX_TITLE:
        problems.append(
            Problem("title", N_("A title can be at most %(max)s characters."), {"max": MAX_TITLE})
        )
    if len(document.get("audience", "")) > MAX_AUDIENCE:
        problems.append(
            Problem(
                "audience",
                N_("This text can be at most %(max)s characters."),
                {"max": MAX_AUDIENCE},
            )
        )
    for field in ("objectives", "reflection"):
        items = document.get(field, [])
        if len(items) > MAX_LINES:
            problems.append(Problem(field, N_("At most %(max)s lines."), {"max": MAX_LINES}))
        elif any(len(item) > MAX_LINE for item in items):
            problems.append(
                Problem(field, N_("A line can be at most %(max)s characters."), {"max": MAX_LINE})
            )
    seen: set[str] = set()
    for i, case in enumerate(document.get("cases", []), start=1):
        outcome = case.get("outcome", "")
        if not outcome:
            problems.append(Problem(f"case-{i}-outcome", N_("Choose an outcome for this case.")))
        elif outcome not in choices.outcomes:
            problems.append(
                Problem(f"case-{i}-outcome", N_("Choose one of the outcomes in the list."))
            )
        elif outcome in seen:
            problems.append(Problem(f"case-{i}-outcome", N_("This outcome is already a case.")))
        seen.add(outcome)
        if len(case.get("note", "")) > MAX_NOTE:
            problems.append(
                Problem(
                    f"case-{i}-note",
                    N_("This text can be at most %(max)s characters."),
                    {"max": MAX_NOTE},
                )
            )
    for i, exercise in enumerate(document.get("exercises", []), start=1):
        if exercise.get("variant", "") not in choices.variants:
            problems.append(
                Problem(f"exercise-{i}-variant", N_("Choose one of the practices in the list."))
            )
        phases = exercise.get("phases", [])
        if len(phases) > MAX_PHASES:
            problems.append(
                Problem(f"exercise-{i}-script", N_("At most %(max)s lines."), {"max": MAX_PHASES})
            )
        for phase in phases:
            minutes = phase.get("minutes")
            if not phase.get("name") or not isinstance(minutes, int) or not 1 <= minutes <= 600:
                problems.append(
                    Problem(
                        f"exercise-{i}-script",
                        N_(
                            "Write each step as: name | minutes | purpose, for example "
                            "'Intro | 10 | Everyone knows the case'. Minutes: 1 to 600."
                        ),
                    )
                )
                break
            if len(str(phase.get("name"))) + len(str(phase.get("purpose", ""))) > MAX_PHASE_TEXT:
                problems.append(
                    Problem(
                        f"exercise-{i}-script",
                        N_("A line can be at most %(max)s characters."),
                        {"max": MAX_PHASE_TEXT},
                    )
                )
                break
    return problems


def slugify(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60].strip("-")
    return slug or "module"
