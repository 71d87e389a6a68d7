"""A harvest answer, pure: checking it (`check`), who may give one (`refusal`), and what the
outcome keeps of the answers (`rating_means`, `consents`; catalogue/outcomes/actions.py stores
them).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from catalogue.outcomes.models import CONSENT_LEVELS
from catalogue.schema import Problem
from server.i18n import N_
from sessions.models import HarvestResponse
from sessions.state import State

RATING_MIN = 1
RATING_MAX = 5
MAX_TAKEAWAY = 2000
NO_CONSENT = "no"  # also what no answer at all counts as
_DIGITS = {str(n) for n in range(RATING_MIN, RATING_MAX + 1)}


@dataclass(frozen=True)
class Answer:
    """A checked harvest answer: ratings only for the session's goals, 1..5."""

    ratings: dict[str, int] = field(default_factory=dict)
    takeaway: str = ""
    consent: str = NO_CONSENT


@dataclass(frozen=True)
class Refusal:
    """Why someone may not answer the harvest of a session (`code` is stable, `message` an
    English msgid, `status` the HTTP status a page answers with)."""

    code: str
    status: int
    message: str


NOT_IN_SESSION = Refusal(
    "not_in_session",
    403,
    N_(
        "We do not know who you are in this session. Open this page with the link from the"
        " session, on the device you took part with."
    ),
)
NEVER_RAN = Refusal(
    "never_ran",
    409,
    N_(
        "This session has not started, so there is nothing to harvest yet. The harvest opens"
        " once the facilitator has started the session."
    ),
)
OBSERVER = Refusal(
    "observer",
    403,
    N_("You took part as an observer. Observers do not fill in the harvest."),
)
REMOVED = Refusal(
    "removed",
    403,
    N_("You were removed from this session, so you cannot fill in its harvest."),
)


def refusal(state: State, participant: str | None) -> Refusal | None:
    """Why `participant` may not answer this session's harvest, or None when they may.

    A session that never ran (no phase was ever started) has no harvest; observers and removed
    participants give none. An ended session still takes answers: consent may change later.
    """
    person = state.people.get(participant) if participant is not None else None
    if person is None:
        return NOT_IN_SESSION
    if person.removed:
        return REMOVED
    if state.phase is None:
        return NEVER_RAN
    if person.role == "observer":
        return OBSERVER
    return None


@dataclass(frozen=True)
class Progress:
    """How many of the session's participants have answered the harvest (no names)."""

    answered: int
    expected: int


def progress(state: State, responders: Iterable[str]) -> Progress:
    """Who is expected to answer (participants not removed; facilitators and observers are not
    counted) and how many of them have."""
    expected = {
        pid
        for pid, person in state.people.items()
        if not person.removed and person.role == "participant"
    }
    return Progress(len(expected & set(responders)), len(expected))


def check(
    goals: Sequence[str],
    ratings: Mapping[str, object],
    takeaway: object,
    consent: object,
    names: Mapping[str, str] | None = None,
) -> tuple[Answer | None, list[Problem]]:
    """A checked answer, or None and what is wrong (fields: "rating-{goal}", "ratings",
    "takeaway", "consent"). An empty rating ("" or None) means: not rated.

    `ratings` maps goal slugs to what was sent (text from a form, or numbers); `names` gives
    the goals' display names for the messages.
    """
    names = names or {}
    problems: list[Problem] = []
    checked: dict[str, int] = {}
    for goal, raw in ratings.items():
        if goal not in goals:
            allowed = ", ".join(names.get(g, g) for g in goals)
            problems.append(
                Problem(
                    "ratings",
                    N_(
                        "“%(goal)s” is not a goal of this session. You can only rate its goals:"
                        " %(allowed)s."
                    )
                    if goals
                    else N_("“%(goal)s” is not a goal of this session; it has no goals to rate."),
                    {"goal": str(goal)[:80], "allowed": allowed},
                )
            )
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue  # not rated ("I don't know")
        value = _rating(raw)
        if value is None:
            problems.append(
                Problem(
                    f"rating-{goal}",
                    N_(
                        "Choose a whole number from 1 (not at all) to 5 (completely) for"
                        " “%(goal)s”."
                    ),
                    {"goal": names.get(goal, goal)},
                )
            )
            continue
        checked[goal] = value
    text = takeaway if isinstance(takeaway, str) else ""
    if takeaway is not None and not isinstance(takeaway, str):
        problems.append(Problem("takeaway", N_("Your takeaway must be text."), {}))
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > MAX_TAKEAWAY:
        problems.append(
            Problem(
                "takeaway",
                N_(
                    "Your takeaway is %(length)s characters long; at most %(max)s characters"
                    " are allowed. Make it shorter."
                ),
                {"length": len(text), "max": MAX_TAKEAWAY},
            )
        )
    if consent is None or consent == "":
        problems.append(
            Problem(
                "consent",
                N_(
                    "Choose whether what you contributed may be shared outside this group: no,"
                    " within the region, nationally or openly."
                ),
                {},
            )
        )
    elif consent not in CONSENT_LEVELS:
        problems.append(
            Problem(
                "consent",
                N_(
                    "“%(consent)s” is not one of the choices. Choose no, within the region,"
                    " nationally or openly."
                ),
                {"consent": str(consent)[:40]},
            )
        )
    if problems:
        return None, problems
    return Answer(ratings=checked, takeaway=text, consent=str(consent)), []


def _rating(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and raw.strip() in _DIGITS:
        value = int(raw.strip())
    else:
        return None
    return value if RATING_MIN <= value <= RATING_MAX else None


# What the outcome keeps -----------------------------------------------------------------------


def rating_means(
    responses: Iterable[HarvestResponse], goals: Sequence[str]
) -> dict[str, tuple[int, float]]:
    """Per session goal that anyone rated: (how many rated it, their mean rating).

    Goals nobody rated are left out; ratings for other goals or out of range are ignored.
    """
    given: dict[str, list[int]] = {goal: [] for goal in goals}
    for response in responses:
        for goal, value in (response.ratings or {}).items():
            if goal in given and _rating(value) is not None:
                given[goal].append(int(value))
    return {
        goal: (len(values), round(math.fsum(values) / len(values), 4))
        for goal, values in given.items()
        if values
    }


def consents(responses: Iterable[HarvestResponse]) -> dict[str, str]:
    """Participant id -> consent level. Whoever did not answer is not in it: that is "no"."""
    return {
        response.participant: response.consent
        for response in responses
        if response.consent in CONSENT_LEVELS
    }


def narrowed(frozen: Mapping[str, str], current: Mapping[str, str]) -> dict[str, str]:
    """The consents frozen in an outcome, narrowed by the participants' consents now: a
    consent withdrawn after the outcome was composed takes effect at once (widening one waits
    until the facilitator composes again)."""
    order = {level: i for i, level in enumerate(CONSENT_LEVELS)}
    return {
        participant: min(
            consent, current.get(participant, NO_CONSENT), key=lambda c: order.get(c, 0)
        )
        for participant, consent in frozen.items()
    }
