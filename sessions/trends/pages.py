"""The trend pages: a group's trends (its members and facilitators) and a region's (whoever may
read its shared outcomes, and only where at least five people contributed)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from catalogue.library import access
from catalogue.outcomes.models import OutcomeRow
from catalogue.regions import queries as region_queries
from catalogue.variants.pages import load
from server.auth import current_user
from server.errors import PageError
from server.formatting import DISPLAY_ZONE, format_date
from server.i18n import Translator
from server.models import Role
from server.templating import language_of, render, translator_for
from sessions.groups.access import require_inside
from sessions.trends import queries
from sessions.trends.aggregate import (
    MIN_INSIDE,
    MIN_PEOPLE,
    Point,
    Seen,
    counts_for,
    level_of,
    person_of,
    points,
    quarter,
)
from sessions.trends.models import TrendObservation
from sessions.trends.observe import POSITION_KINDS, goal_measure, goal_of
from sessions.trends.views import ChartView, Column, Series, trend_chart


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _goals(outcomes: Iterable[OutcomeRow]) -> list[str]:
    """Every goal of the outcomes, in the order they first appear."""
    return list(dict.fromkeys(goal for outcome in outcomes for goal in outcome.goals or ()))


def _kind_title(kind: str, _: Translator) -> str:
    return _("Positioning chart: now") if kind == "now" else _("Positioning chart: desired")


def _axis_series(kind: str, axes: dict[str, str] | None, _: Translator) -> list[Series]:
    """The two coordinates of a chart position as two lines; named by the chart's axis labels
    when one group's sessions share them, else generically."""
    if axes:
        across = _("Across: from %(low)s (0) to %(high)s (100)") % {
            "low": axes.get("x_low", ""),
            "high": axes.get("x_high", ""),
        }
        up = _("Up: from %(low)s (0) to %(high)s (100)") % {
            "low": axes.get("y_low", ""),
            "high": axes.get("y_high", ""),
        }
    else:
        across, up = _("Horizontal axis (0 to 100)"), _("Vertical axis (0 to 100)")
    return [Series(across, kind, "x"), Series(up, kind, "y")]


def _position_charts(
    prefix: str,
    columns: Sequence[Column],
    found: dict[str, dict[str, Point]],
    axes: dict[str, str] | None,
    _: Translator,
    language: str,
    own: bool = False,
    missing: str = "–",
) -> list[ChartView]:
    return [
        trend_chart(
            f"{prefix}-{kind}",
            _kind_title(kind, _),
            columns,
            _axis_series(kind, axes, _),
            found,
            _,
            language,
            positions=True,
            own=own,
            missing=missing,
        )
        for kind in POSITION_KINDS
        if found.get(kind)
    ]


# A group ---------------------------------------------------------------------------------------


def _last_axes(outcomes: Sequence[OutcomeRow]) -> dict[str, str] | None:
    """The chart's axis labels of the group's latest session that had them."""
    for outcome in reversed(outcomes):
        chart = (outcome.captured or {}).get("chart")
        if isinstance(chart, dict) and chart.get("x_low"):
            return {k: str(chart.get(k, "")) for k in ("x_low", "x_high", "y_low", "y_high")}
    return None


async def group_trends(request: Request) -> Response:
    viewer = await require_inside(request)
    group = viewer.group
    _ = translator_for(request)
    language = language_of(request)
    async with request.app.state.db() as db:
        outcomes = await queries.group_outcomes(db, group.id)
        rows = await queries.observations(db, [o.id for o in outcomes])
    goal_names = (await load(request)).goal_names(language)
    columns = []
    for number, outcome in enumerate(outcomes, start=1):
        session = _("Session %(n)s") % {"n": number}
        day = format_date(outcome.held_on, language)
        columns.append(Column(str(outcome.id), (session, day), f"{session} ({day})"))
    # A member sees a session's figure only when enough people gave it that nobody's answer can
    # be worked out from their own; the facilitator, who runs the harvest, sees every one.
    found = points(_seen_in_sessions(rows), 1 if viewer.facilitator else MIN_INSIDE)
    charts = []
    goals = [goal for goal in _goals(outcomes) if found.get(goal_measure(goal))]
    if goals:
        series = [Series(goal_names.get(g, g), goal_measure(g)) for g in goals]
        charts.append(
            trend_chart("goals", _("Goals: how well reached"), columns, series, found, _, language)
        )
    axes = _last_axes(outcomes)
    charts += _position_charts("chart", columns, found, axes, _, language)
    own: list[ChartView] = []
    if viewer.member_id is not None:
        # Only the member's own rows: a path is theirs (nobody else's is ever read here).
        mine = [r for r in rows if r.member_id == viewer.member_id and goal_of(r.measure) is None]
        own = _position_charts(
            "own", columns, points(_seen_in_sessions(mine)), axes, _, language, own=True
        )
    context: dict[str, Any] = {
        "group": group,
        "sessions": len(outcomes),
        "charts": charts,
        "own": own,
        "member": viewer.member_id is not None,
        "minimum_inside": None if viewer.facilitator else MIN_INSIDE,
    }
    return _no_store(render(request, "trends/group.html", context))


def _seen_in_sessions(rows: Iterable[TrendObservation]) -> list[Seen]:
    return [
        Seen(
            str(r.outcome_id),
            person_of(r.member_id, r.outcome_id, r.participant),
            r.measure,
            r.x,
            r.y,
        )
        for r in rows
    ]


# A region --------------------------------------------------------------------------------------


def _quarter_label(key: str, _: Translator) -> str:
    year, q = key.split("-Q")
    return _("Q%(quarter)s %(year)s") % {"quarter": q, "year": year}


async def region_trends(request: Request) -> Response:
    user = current_user(request)
    slug = request.path_params["slug"]
    _ = translator_for(request)
    language = language_of(request)
    async with request.app.state.db() as db:
        region = await region_queries.load_region(db, slug)
        if region is None:
            raise PageError(404)
        memberships = await access.memberships_of(db, user)
        outcomes = [
            o
            for o in await queries.region_outcomes(db, slug)
            if access.may_read(user, o, memberships)
        ]
        consents = await queries.consents_now(db, outcomes)
        rows = await queries.observations(db, [o.id for o in outcomes])
    reader = user is not None and (user.has_role(Role.COORDINATOR) or slug in memberships)
    level = level_of(user is not None, reader)
    by_id = {o.id: o for o in outcomes}
    # Theme -> what may be counted for this viewer: the outcome shared at their level or wider,
    # the participant's consent (narrowed later: at once) reaching it too.
    seen: dict[str | None, list[Seen]] = {}
    for r in rows:
        outcome = by_id[r.outcome_id]
        if not counts_for(level, outcome.sharing, consents[outcome.id].get(r.participant, "no")):
            continue
        column = quarter(outcome.held_on.astimezone(DISPLAY_ZONE).date())
        person = person_of(r.member_id, r.outcome_id, r.participant)
        seen.setdefault(outcome.theme_slug, []).append(Seen(column, person, r.measure, r.x, r.y))
    goal_names = (await load(request)).goal_names(language)
    theme_names = {theme.slug: theme.name for theme in region.themes}
    order = {theme.slug: theme.position for theme in region.themes}
    themes: list[dict[str, Any]] = []
    for theme in sorted(seen, key=lambda t: (t is None, order.get(t or "", 0), t or "")):
        found = points(seen[theme], MIN_PEOPLE)
        keys = sorted({column for measures in found.values() for column in measures})
        columns = [Column(k, (_quarter_label(k, _),), _quarter_label(k, _)) for k in keys]
        charts = []
        goals = sorted(
            (g for m in found if (g := goal_of(m)) is not None),
            key=lambda g: goal_names.get(g, g),
        )
        few = _("too few people")
        if goals:
            series = [Series(goal_names.get(g, g), goal_measure(g)) for g in goals]
            charts.append(
                trend_chart(
                    f"t{len(themes)}-goals",
                    _("Goals: how well reached"),
                    columns,
                    series,
                    found,
                    _,
                    language,
                    missing=few,
                )
            )
        charts += _position_charts(
            f"t{len(themes)}", columns, found, None, _, language, missing=few
        )
        name = theme_names.get(theme or "", theme) if theme else _("Without a theme")
        themes.append({"name": name, "charts": charts})
    context = {
        "region": region,
        "themes": themes,
        "shown": any(t["charts"] for t in themes),
        "minimum": MIN_PEOPLE,
        "level": level,
    }
    return _no_store(render(request, "trends/region.html", context))


routes: list[BaseRoute] = [
    Route("/groepen/{group_id}/trends", group_trends, methods=["GET"], name="group_trends"),
    Route("/regios/{slug}/trends", region_trends, methods=["GET"], name="region_trends"),
]
