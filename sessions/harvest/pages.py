"""The harvest page: a participant rates the session's goals, writes a takeaway and says whether
what they contributed may be shared outside the group (`/s/{public_id}/oogst`).

The participant is known the way the workspace knows them: by the browser's participant cookie
for this session, or by a logged-in account that is in the session. The page works without
scripts and keeps working after the session ended, so consent can be changed or withdrawn later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from catalogue.schema import Problem, problem_list
from catalogue.variants.queries import load_goals
from server.auth import current_user
from server.errors import PageError
from server.i18n import N_
from server.templating import language_of, render, translator_for
from sessions import actions
from sessions import queries as session_queries
from sessions.engine import SessionEngine
from sessions.harvest import answers, queries
from sessions.harvest.actions import save_response
from sessions.models import LiveSession
from sessions.state import State
from sessions.tokens import participant_cookie, read_token
from sessions.tools.base import FACILITATORS

RATING_PREFIX = "rating-"

# The consent question's choices, narrowest first (outcome_models.CONSENT_LEVELS), in B1.
CONSENT_CHOICES = (
    ("no", N_("No"), N_("Only this group sees it.")),
    (
        "region",
        N_("Within the region (Werkplaats)"),
        N_("Other professionals of this Werkplaats may see it and learn from it."),
    ),
    (
        "national",
        N_("Nationally"),
        N_("Professionals of all Werkplaatsen in the country may see it and learn from it."),
    ),
    (
        "open",
        N_("Openly, under CC BY 4.0"),
        N_(
            "Everyone may see it and reuse it, for example in education. The licence CC BY 4.0"
            " says how: always with a mention of the source."
        ),
    ),
)


@dataclass(frozen=True)
class _Who:
    """Who opens the page: their participant id, and the audit log's name for them."""

    participant: str | None
    actor: str
    actor_id: int | None


def _who(request: Request, row: LiveSession, state: State) -> _Who:
    token = request.cookies.get(participant_cookie(row.public_id))
    if token:
        secret = request.app.state.settings.secret_key
        participant = read_token(secret, row.public_id, token)
        if participant is not None and participant in state.people:
            return _Who(participant, "participant", None)
    user = current_user(request)
    if user is not None:
        own = actions.facilitator_id(user.id)
        if own in state.people:
            return _Who(own, f"account:{user.id}", user.id)
    return _Who(None, "participant", None)


@dataclass(frozen=True)
class _Opened:
    """The harvest of a session, opened by a participant who may answer it."""

    row: LiveSession
    state: State
    who: _Who
    participant: str
    names: dict[str, str]  # goal slug -> its name in the page's language
    base: dict[str, Any]  # the page's context


async def _opened(request: Request) -> _Opened | Response:
    """The harvest in the path for this visitor, or the refusal page (nothing read or stored)."""
    db = request.app.state.db
    row = await session_queries.find_by_public_id(db, request.path_params["public_id"])
    if row is None:
        raise PageError(404)
    engine: SessionEngine = request.app.state.session_engine
    state = await engine.state(row.id)
    who = _who(request, row, state)
    refused = answers.refusal(state, who.participant)
    async with db() as session:
        goals = await load_goals(session)
    english = language_of(request) == "en"
    names = {g.slug: (g.name_en if english else g.name) for g in goals}
    base = {
        "public_id": row.public_id,
        "title": state.title or row.title,
        "ended": state.ended,
        "consent_choices": CONSENT_CHOICES,
        "max_takeaway": answers.MAX_TAKEAWAY,
    }
    if refused is not None:  # nothing is read, nothing stored, nothing of the session shown
        # (not its title: it may hold a name, and the visitor may be anyone)
        context = {"refused": refused.message, "title": "", "public_id": "", "ended": False}
        return _page(request, context, status_code=refused.status)
    assert who.participant is not None
    return _Opened(row, state, who, who.participant, names, base)


async def harvest_page(request: Request) -> Response:
    opened = await _opened(request)
    if isinstance(opened, Response):
        return opened
    async with request.app.state.db() as session:
        earlier = await queries.response_of(session, opened.row.id, opened.participant)
    values: dict[str, Any] = {
        "ratings": {goal: str(value) for goal, value in (earlier.ratings or {}).items()}
        if earlier is not None
        else {},
        "takeaway": earlier.takeaway if earlier is not None else "",
        "consent": earlier.consent if earlier is not None else "",
    }
    form = _form(opened.state, opened.names, values)
    return _page(request, {**opened.base, **form, "earlier": earlier is not None})


async def harvest_submit(request: Request) -> Response:
    opened = await _opened(request)
    if isinstance(opened, Response):
        return opened
    db, row, state, who = request.app.state.db, opened.row, opened.state, opened.who
    names, base = opened.names, opened.base
    form = await request.form(max_files=0, max_fields=100)
    ratings = {
        key.removeprefix(RATING_PREFIX): value
        for key, value in form.multi_items()
        if key.startswith(RATING_PREFIX)
    }
    takeaway, consent = form.get("takeaway", ""), form.get("consent", "")
    answer, problems = answers.check(state.goals, ratings, takeaway, consent, names)
    typed = {
        "ratings": {k: v for k, v in ratings.items() if isinstance(v, str)},
        "takeaway": takeaway if isinstance(takeaway, str) else "",
        "consent": consent if isinstance(consent, str) else "",
    }
    if answer is None:
        return _page(
            request,
            {**base, **_form(state, names, typed, problems), "earlier": False},
            status_code=422,
        )
    async with db() as session:
        await save_response(
            session, row, opened.participant, answer, actor=who.actor, actor_id=who.actor_id
        )
    saved = {
        "ratings": {goal: str(value) for goal, value in answer.ratings.items()},
        "takeaway": answer.takeaway,
        "consent": answer.consent,
    }
    return _page(request, {**base, **_form(state, names, saved), "saved": True, "earlier": True})


async def harvest_progress(request: Request) -> Response:
    """How many participants have answered the harvest, for the session's facilitators and
    co-facilitators (the cockpit polls it during the harvest phase); no names."""
    db = request.app.state.db
    row = await session_queries.find_by_public_id(db, request.path_params["public_id"])
    if row is None:
        return JSONResponse({"code": "not_found", "message": "no such session"}, status_code=404)
    state = await request.app.state.session_engine.state(row.id)
    who = _who(request, row, state)
    person = state.people.get(who.participant) if who.participant is not None else None
    if person is None or person.removed or person.role not in FACILITATORS:
        return JSONResponse(
            {"code": "forbidden", "message": "only this session's facilitators see the count"},
            status_code=403,
        )
    async with db() as session:
        responders = [response.participant for response in await queries.responses(session, row.id)]
    counted = answers.progress(state, responders)
    response = JSONResponse({"answered": counted.answered, "expected": counted.expected})
    response.headers["Cache-Control"] = "no-store"
    return response


def _form(
    state: State,
    names: dict[str, str],
    values: dict[str, Any],
    problems: list[Problem] | None = None,
) -> dict[str, Any]:
    return {
        "goals": [
            {
                "slug": goal,
                "name": names.get(goal, goal),
                "value": values["ratings"].get(goal, ""),
            }
            for goal in state.goals
        ],
        "takeaway": values["takeaway"],
        "consent": values["consent"],
        "problems": problems or [],
    }


def _page(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    shown = problem_list(context.get("problems", []), translator_for(request))
    response = render(
        request,
        "sessions/harvest.html",
        {
            "refused": None,
            "saved": False,
            "earlier": False,
            "goals": [],
            "takeaway": "",
            "consent": "",
            **context,
            "problems": shown,
            "problem_fields": {p["field"] for p in shown},
        },
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"  # personal answers
    return response


routes: list[BaseRoute] = [
    # Reading and writing are separate routes, so a HEAD reaches only the GET handler.
    Route("/s/{public_id}/oogst", harvest_page, methods=["GET"], name="harvest"),
    Route("/s/{public_id}/oogst", harvest_submit, methods=["POST"]),
    Route("/s/{public_id}/oogst/voortgang", harvest_progress, methods=["GET"]),
]
