"""The actions of a group session's outcome as rows (text, owner, date), pure: read from the
form, checked, and turned into what is saved (sessions/groups/review.py `ActionRow`).

A row without text is ignored (the form offers a few empty ones). The owner is "" for the group
or the member id of someone who took part in this session. A date is written 2027-01-31 (what a
date field sends) or 31-1-2027 (what a person types where there is no date field)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping

from catalogue.schema import Problem
from server.i18n import N_
from sessions.groups.review import MAX_ACTION_TEXT, MAX_ACTIONS, ActionRow

BLANK_ROWS = 3  # empty rows offered below the filled ones, and added by "more rows"
MAX_FORM_ROWS = MAX_ACTIONS + BLANK_ROWS
_DUTCH_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")


def blank() -> dict[str, str]:
    return {"text": "", "owner": "", "due": ""}


def padded(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows with text, then empty rows to fill in."""
    filled = [row for row in rows if any(row.values())]
    return filled + [blank() for _ in range(BLANK_ROWS)]


def from_form(form: Mapping[str, object]) -> list[dict[str, str]]:
    """The rows as typed, `action-<n>-text`, `-owner`, `-due`, in the order of n."""

    def text(name: str) -> str:
        value = form.get(name, "")
        return " ".join(value.split()) if isinstance(value, str) else ""

    numbers = sorted(
        {
            int(key.split("-")[1])
            for key in form
            if key.startswith("action-") and key.count("-") == 2 and key.split("-")[1].isdigit()
        }
    )
    return [
        {part: text(f"action-{n}-{part}") for part in ("text", "owner", "due")}
        for n in numbers[:MAX_FORM_ROWS]
    ]


def parse_date(value: str) -> dt.date | None:
    """2027-01-31 or 31-1-2027; None when it is neither (or no such day)."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    match = _DUTCH_DATE.fullmatch(value)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def checked(
    rows: list[dict[str, str]], owners: Collection[str]
) -> tuple[list[ActionRow], list[Problem]]:
    """The rows with text, as saved, and every problem with them (field `action-<n>-<part>`,
    n counting from 1 as shown). `owners` are the member ids that may own an action."""
    result: list[ActionRow] = []
    problems: list[Problem] = []
    for number, row in enumerate(rows, start=1):
        if not row["text"]:
            continue
        field = f"action-{number}"
        if len(row["text"]) > MAX_ACTION_TEXT:
            problems.append(
                Problem(
                    f"{field}-text",
                    N_("Action %(n)s: at most %(max)s characters."),
                    {"n": number, "max": MAX_ACTION_TEXT},
                )
            )
        owner = row["owner"] or None
        if owner is not None and owner not in owners:
            problems.append(
                Problem(
                    f"{field}-owner",
                    N_(
                        "Action %(n)s: choose the group or someone who took part in this session "
                        "as its owner."
                    ),
                    {"n": number},
                )
            )
        due = parse_date(row["due"]) if row["due"] else None
        if row["due"] and due is None:
            problems.append(
                Problem(
                    f"{field}-due",
                    N_(
                        "Action %(n)s: write the date as day-month-year, for example 31-1-2027, "
                        "or leave it empty."
                    ),
                    {"n": number},
                )
            )
        result.append(ActionRow(row["text"], owner, due))
    if len(result) > MAX_ACTIONS:
        problems.insert(0, Problem("actions", N_("At most %(max)s actions."), {"max": MAX_ACTIONS}))
    return result, problems


def summary(rows: list[ActionRow]) -> str:
    """The outcome's free-text actions: the texts only, one per line (no owners' names: the
    free text is what the sharing gate, the library and the exports read)."""
    return "\n".join(row.text for row in rows)
