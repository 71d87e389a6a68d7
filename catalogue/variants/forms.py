"""Browser forms to and from the plain data the validators take (one validator for all inputs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.datastructures import FormData, QueryParams

from catalogue.schema import Problem
from catalogue.variants.schema import Variant
from catalogue.vocabulary import MODALITIES, ROLES
from server.i18n import N_, Translator

# Empty phase rows offered below the existing ones, so a phase can be added without scripts.
SPARE_PHASES = 2
MAX_PHASES = 40
GOAL_IMPORTANCE = (0, 1, 2)


def _number(text: str | None) -> Any:
    """A whole number when the text is one; otherwise the text, for the validator to name."""
    if text is None or text.strip() == "":
        return None
    try:
        return int(text.strip())
    except ValueError:
        return text.strip()


def match_data(params: QueryParams | FormData, goal_slugs: list[str]) -> dict[str, Any]:
    """The match form (goal.<slug> = importance, sizes, modality, roles) as a match request."""
    goals: dict[str, Any] = {}
    for slug in goal_slugs:
        value = params.get(f"goal.{slug}")
        if isinstance(value, str) and value.strip():
            goals[slug] = _number(value)
    return {
        "goals": {slug: w for slug, w in goals.items() if w != 0} or None,
        "group_size": _number(_text(params.get("group_size"))),
        "minutes": _number(_text(params.get("minutes"))),
        "modality": _text(params.get("modality")) or None,
        "roles": [r for r in params.getlist("roles") if isinstance(r, str)],
    }


# The match form's fields as a person sees them: the label an error names and the element it
# links to. The choices get a plain message: the API's lists the slugs, which the form hides.
_MATCH_FIELDS = {
    "goals": (N_("What do you want to reach?"), N_("Choose at least one goal.")),
    "group_size": (N_("Number of participants"), None),
    "minutes": (N_("Minutes available"), None),
    "modality": (N_("How do you meet?"), N_("Choose how you meet.")),
    "roles": (N_("Who takes part?"), N_("Choose only roles from the list.")),
}


def match_form_problems(
    problems: Sequence[Problem],
    translate: Translator,
    goal_slugs: Sequence[str],
    goal_names: Mapping[str, str],
) -> list[dict[str, str]]:
    """The match request's problems as {field, label, target, message} for the form's summary."""
    first_target = {
        "goals": f"goal-{goal_slugs[0]}" if goal_slugs else "",
        "group_size": "group_size",
        "minutes": "minutes",
        "modality": f"modality-{next(iter(MODALITIES))}",
        "roles": f"role-{next(iter(ROLES))}",
    }
    shown = []
    for problem in problems:
        field, _, goal = problem.field.partition(".")
        label, plain = _MATCH_FIELDS.get(field, (problem.field, None))
        message = translate(plain) if plain else translate(problem.message) % problem.params
        target = first_target.get(field, "")
        if field == "goals" and goal in goal_names:  # a weight that is not one of the choices
            label, message, target = (
                goal_names[goal],
                translate(problem.message) % problem.params,
                f"goal-{goal}",
            )
        else:
            label = translate(label)
        shown.append({"field": problem.field, "label": label, "target": target, "message": message})
    return shown


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def edit_data(form: FormData) -> dict[str, Any]:
    """The edit form as a content document, for `parse_variant` to validate."""

    def text(name: str) -> str:
        value = form.get(name, "")
        return value if isinstance(value, str) else ""

    phases = []
    for index in range(1, MAX_PHASES + 1):
        prefix = f"phase-{index}-"
        fields = ("name", "purpose", "minutes", "tool", "facilitator", "participants")
        if not any(f"{prefix}{name}" in form for name in fields):
            continue
        if form.get(f"{prefix}remove") == "on":
            continue
        values = {name: text(prefix + name) for name in fields}
        if not any(value.strip() for key, value in values.items() if key != "tool"):
            continue  # an untouched spare row
        phases.append({**values, "minutes": _number(values["minutes"])})
    return {
        "licence": "CC BY-SA 4.0",
        "title": text("title"),
        "title_en": text("title_en"),
        "summary": text("summary"),
        "summary_en": text("summary_en"),
        "description": text("description"),
        "facilitation": text("facilitation"),
        "preparation": text("preparation"),
        "distance": text("distance"),
        "modalities": [m for m in form.getlist("modalities") if isinstance(m, str)],
        "roles": [r for r in form.getlist("roles") if isinstance(r, str)],
        "effective_elements": [
            line.strip() for line in text("effective_elements").splitlines() if line.strip()
        ],
        "asynchronous": form.get("asynchronous") == "on",
        "goals": {
            key.removeprefix("goal."): _number(_text(value))
            for key, value in form.multi_items()
            if key.startswith("goal.")
        },
        "group_size": {
            "min": _number(text("group_min")),
            "ideal": _number(text("group_ideal")),
            "max": _number(text("group_max")),
        },
        "duration": {
            "min": _number(text("minutes_min")),
            "typical": _number(text("minutes_typical")),
        },
        "phases": phases,
    }


def edit_values(variant: Variant) -> dict[str, Any]:
    """The form's field values for a variant, so the edit form starts from what is saved."""
    values: dict[str, Any] = {
        "title": variant.title,
        "title_en": variant.title_en,
        "summary": variant.summary,
        "summary_en": variant.summary_en,
        "description": variant.description,
        "facilitation": variant.facilitation,
        "preparation": variant.preparation,
        "distance": variant.distance,
        "modalities": list(variant.modalities),
        "roles": list(variant.roles),
        "effective_elements": "\n".join(variant.effective_elements),
        "asynchronous": variant.asynchronous,
        "goals": dict(variant.goals),
        "group_min": variant.group_min,
        "group_ideal": variant.group_ideal,
        "group_max": variant.group_max,
        "minutes_min": variant.minutes_min,
        "minutes_typical": variant.minutes_typical,
        "phases": [vars(phase) for phase in variant.phases],
    }
    return values


def resubmitted_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """The form's field values from a refused submission, so nothing typed is lost."""
    size = data.get("group_size") or {}
    duration = data.get("duration") or {}
    return {
        **{
            k: data.get(k, "")
            for k in (
                "title",
                "title_en",
                "summary",
                "summary_en",
                "description",
                "facilitation",
                "preparation",
                "distance",
            )
        },
        "modalities": data.get("modalities", []),
        "roles": data.get("roles", []),
        "effective_elements": "\n".join(data.get("effective_elements", [])),
        "asynchronous": data.get("asynchronous", False),
        "goals": data.get("goals", {}),
        "group_min": size.get("min", ""),
        "group_ideal": size.get("ideal", ""),
        "group_max": size.get("max", ""),
        "minutes_min": duration.get("min", ""),
        "minutes_typical": duration.get("typical", ""),
        "phases": data.get("phases", []),
    }
