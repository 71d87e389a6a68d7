"""Catalogue pages: the catalogue, a variant, "Welke werkvorm past?", editing, regions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from catalogue.evidence.queries import load_evidence
from catalogue.evidence.summary import (
    IN_USE_REGIONS,
    IN_USE_SESSIONS,
    LEVEL_LABELS,
    RATED_WELL_LOW,
    RATED_WELL_SESSIONS,
    for_variant,
    format_rating,
)
from catalogue.matching.belief import Situation, SituationTally, on_scale
from catalogue.matching.certainty import BAND_LABELS
from catalogue.matching.rank import Evidence, EvidenceTable, Ranked, match
from catalogue.matching.reasons import Reason, Translate, reason_text
from catalogue.matching.request import MatchRequest, validate_request
from catalogue.schema import ContentError, problem_list
from catalogue.variants import actions, queries
from catalogue.variants.forms import (
    GOAL_IMPORTANCE,
    SPARE_PHASES,
    edit_data,
    edit_values,
    match_data,
    match_form_problems,
    resubmitted_values,
)
from catalogue.variants.queries import Catalogue, CatalogueCache
from catalogue.variants.schema import Goal, Variant, parse_variant
from catalogue.variants.search import filter_variants, parse_filters
from catalogue.vocabulary import FACILITATION, MODALITIES, ROLES, TOOLS, WEIGHT_LABELS
from server.auth import current_user, require_role
from server.errors import PageError
from server.i18n import N_
from server.models import Role
from server.templating import language_of, render, translator_for

NAV = [
    {"href": "/catalogus", "label": N_("Catalogue")},
    {"href": "/welke-werkvorm", "label": N_("Which practice fits?")},
    {"href": "/regios", "label": N_("Regions")},
    {"href": "/bibliotheek", "label": N_("Library")},
    {"href": "/modules", "label": N_("Modules"), "roles": ("educator", "coordinator")},
]
HOME_LINKS = [
    {
        "href": "/welke-werkvorm",
        "label": N_("Which practice fits?"),
        "text": N_("Give your goals, group and time; see which learning practices fit, and why."),
    },
    {
        "href": "/catalogus",
        "label": N_("Catalogue"),
        "text": N_("All learning practices, with their steps, group sizes and times."),
    },
    {
        "href": "/regios",
        "label": N_("Regions"),
        "text": N_("The Werkplaatsen and the themes on their regional agenda."),
    },
]
VOCABULARY = {
    "modality_labels": MODALITIES,
    "role_slugs_labels": ROLES,
    "facilitation_labels": FACILITATION,
    "tool_labels": TOOLS,
    "weight_labels": WEIGHT_LABELS,
}


async def load(request: Request) -> Catalogue:
    """The catalogue as it is now (parsed variants reused until a new version is saved)."""
    cache: CatalogueCache | None = getattr(request.app.state, "catalogue_cache", None)
    if cache is None:
        cache = request.app.state.catalogue_cache = CatalogueCache()
    async with request.app.state.db() as db:
        return await queries.load_catalogue(db, cache)


EVIDENCE_RULES = {
    "in_use_sessions": IN_USE_SESSIONS,
    "in_use_regions": IN_USE_REGIONS,
    "rated_well_sessions": RATED_WELL_SESSIONS,
    "rated_well_low": RATED_WELL_LOW,
}
# The match page shows the suggestion to try after this many of the ranked results.
SUGGESTION_AFTER = 3
# Situations in the order the practice page lists them: by way of meeting, then group size;
# unknown last.
_MODALITY_ORDER = {slug: index for index, slug in enumerate(MODALITIES)}
_BAND_ORDER = {band: index for index, band in enumerate(BAND_LABELS)}


async def evidence_for(request: Request, variant: str | None = None) -> EvidenceTable:
    """What earlier sessions say, per (variant, goal); only `variant`'s when given."""
    async with request.app.state.db() as db:
        return await load_evidence(db, variant)


def _page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    language = language_of(request)
    return render(
        request,
        name,
        {
            **VOCABULARY,
            "level_labels": LEVEL_LABELS,
            "band_labels": BAND_LABELS,
            "evidence_rules": EVIDENCE_RULES,
            "rating": lambda value: format_rating(value, language),
            **context,
        },
        status_code=status_code,
    )


def _evidence_rows(
    variant: Variant, goals: Sequence[Goal], found: dict[str, Evidence]
) -> list[dict[str, Any]]:
    """Per goal the variant serves or has evidence for: the goal, its evidence (or None) and
    its kept sessions per situation."""
    return [
        {
            "goal": goal,
            "evidence": found.get(goal.slug),
            "situations": situations(found.get(goal.slug)),
        }
        for goal in goals
        if variant.goals.get(goal.slug, 0) > 0 or goal.slug in found
    ]


def situations(found: Evidence | None) -> list[dict[str, Any]]:
    """The kept sessions per situation (way of meeting x group size band), in a fixed order:
    each with its modality and band (None: not known), sessions, and mean on 0..1 and 1..5.
    Evidence without situations is one situation, not known."""
    if found is None:
        return []
    tallies = found.situations or (
        SituationTally(Situation(None, None), found.sessions, found.mean * found.sessions),
    )
    ordered = sorted(tallies, key=_situation_order)
    return [
        {
            "modality": tally.situation.modality,
            "group_size_band": tally.situation.band,
            "sessions": tally.sessions,
            "mean": tally.mean,
            "rating": on_scale(tally.mean),
        }
        for tally in ordered
    ]


def _situation_order(tally: SituationTally) -> tuple[int, int]:
    modality, band = tally.situation.modality, tally.situation.band
    return (
        _MODALITY_ORDER.get(modality or "", len(_MODALITY_ORDER)),
        _BAND_ORDER.get(band or "", len(_BAND_ORDER)),
    )


def sentences(
    reasons: Sequence[Reason], translate: Translate, goal_names: Mapping[str, str]
) -> str:
    """Reasons written as sentences: each begins with a capital and ends with a full stop."""
    written = []
    for reason in reasons:
        text = reason_text(reason, translate, goal_names)
        written.append(text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))
    return " ".join(written)


async def catalogue_page(request: Request) -> Response:
    catalogue = await load(request)
    filters, problems = parse_filters(request.query_params, catalogue.goal_slugs)
    shown = filter_variants([cv.variant for cv in catalogue.variants], filters)
    return _page(
        request,
        "catalogue/list.html",
        {
            "catalogue": catalogue,
            "goal_names": catalogue.goal_names(language_of(request)),
            "variants": shown,
            "filters": filters,
            "problems": problem_list(problems, translator_for(request)),
        },
        status_code=422 if problems else 200,
    )


async def variant_page(request: Request) -> Response:
    catalogue = await load(request)
    current = catalogue.by_slug.get(request.path_params["slug"])
    if current is None:
        raise PageError(404)
    found = for_variant(await evidence_for(request, current.variant.slug), current.variant.slug)
    return _page(
        request,
        "catalogue/variant.html",
        {
            "current": current,
            "variant": current.variant,
            "goals": catalogue.goals,
            "goal_names": catalogue.goal_names(language_of(request)),
            "may_edit": _may_edit(request),
            "old_version": None,
            "evidence_rows": _evidence_rows(current.variant, catalogue.goals, found),
        },
    )


def _may_edit(request: Request) -> bool:
    user = current_user(request)
    return user is not None and user.has_role(Role.COORDINATOR)


async def match_page(request: Request) -> Response:
    catalogue = await load(request)
    language = language_of(request)
    _ = translator_for(request)
    goal_names = catalogue.goal_names(language)
    params = request.query_params
    asked = "group_size" in params
    context: dict[str, Any] = {
        "catalogue": catalogue,
        "goal_names": goal_names,
        "importance": GOAL_IMPORTANCE,
        "form": params,
        "asked": asked,
        "problems": [],
        "result": None,
    }
    if not asked:
        return _page(request, "catalogue/match.html", context)
    checked = validate_request(match_data(params, catalogue.goal_slugs), catalogue.goal_slugs)
    if not isinstance(checked, MatchRequest):
        context["problems"] = match_form_problems(checked, _, catalogue.goal_slugs, goal_names)
        return _page(request, "catalogue/match.html", context, status_code=422)
    result = match([cv.variant for cv in catalogue.variants], checked, await evidence_for(request))

    def texts(reasons: Any) -> list[str]:
        return [reason_text(reason, _, goal_names) for reason in reasons]

    def item(place: int, r: Ranked) -> dict[str, Any]:
        return {
            "place": place,
            "ranked": r,
            "reasons": texts(r.reasons),
            "certainty": sentences(r.certainty, _, goal_names),
            "explore_reason": sentences(
                () if r.explore_reason is None else (r.explore_reason,), _, goal_names
            ),
        }

    items = [item(place, r) for place, r in enumerate(result.results, 1)]
    context["result"] = {
        "results": items,
        # The suggestion to try is shown apart, after the first few results, so it never
        # reads as number 1; in the list it only carries a badge.
        "suggestion": next((i for i in items if i["ranked"].explore), None),
        "suggestion_after": SUGGESTION_AFTER,
        "excluded": [{"excluded": e, "reasons": texts(e.reasons)} for e in result.excluded],
    }
    context["request_goals"] = checked.goals
    return _page(request, "catalogue/match.html", context)


async def edit_page(request: Request) -> Response:
    require_role(request, Role.COORDINATOR)
    catalogue = await load(request)
    current = catalogue.by_slug.get(request.path_params["slug"])
    if current is None:
        raise PageError(404)
    return _edit_form(request, catalogue, current, edit_values(current.variant), current.version)


def _edit_form(
    request: Request,
    catalogue: Catalogue,
    current: queries.CurrentVariant,
    values: dict[str, Any],
    base_version: int,
    problems: list[dict[str, str]] | None = None,
    conflict: queries.CurrentVariant | None = None,
    note: str = "",
    status_code: int = 200,
) -> Response:
    return _page(
        request,
        "catalogue/edit.html",
        {
            "current": current,
            "values": values,
            "goals": catalogue.goals,
            "goal_names": catalogue.goal_names(language_of(request)),
            "spare_phases": SPARE_PHASES,
            "base_version": base_version,
            "problems": problems or [],
            "problem_fields": {p["field"] for p in problems or []},
            "conflict": conflict,
            "note": note,
        },
        status_code=status_code,
    )


async def edit_save(request: Request) -> Response:
    user = require_role(request, Role.COORDINATOR)
    slug = request.path_params["slug"]
    catalogue = await load(request)
    current = catalogue.by_slug.get(slug)
    if current is None:
        raise PageError(404)
    form = await request.form(max_files=0, max_fields=2000)
    data = edit_data(form)
    note = str(form.get("note", ""))
    raw_base = str(form.get("base_version", ""))
    base_version = int(raw_base) if raw_base.isdigit() else -1
    try:
        async with request.app.state.db() as db:
            number = await actions.save_edit(db, slug, data, user, note, base_version)
    except ContentError as error:
        return _edit_form(
            request,
            catalogue,
            current,
            resubmitted_values(data),
            base_version,
            problems=problem_list(error.problems, translator_for(request)),
            note=note,
            status_code=422,
        )
    except actions.EditConflict:
        fresh = (await load(request)).by_slug[slug]
        return _edit_form(
            request,
            catalogue,
            fresh,
            resubmitted_values(data),
            base_version,
            conflict=fresh,
            note=note,
            status_code=409,
        )
    target = f"/catalogus/{slug}"
    if number is not None:
        target += f"?opgeslagen={number}"
    return RedirectResponse(target, status_code=303)


async def history_page(request: Request) -> Response:
    slug = request.path_params["slug"]
    catalogue = await load(request)
    current = catalogue.by_slug.get(slug)
    async with request.app.state.db() as db:
        versions = await queries.variant_versions(db, slug)
    if current is None or not versions:
        raise PageError(404)
    return _page(request, "catalogue/history.html", {"current": current, "versions": versions})


async def version_page(request: Request) -> Response:
    slug = request.path_params["slug"]
    number = request.path_params["number"]
    catalogue = await load(request)
    current = catalogue.by_slug.get(slug)
    async with request.app.state.db() as db:
        versions = await queries.variant_versions(db, slug)
    version = next((v for v in versions if v.number == number), None)
    if current is None or version is None:
        raise PageError(404)

    variant = parse_variant(version.document, catalogue.goal_slugs, f"version {version.id}")
    found = for_variant(await evidence_for(request, slug), slug)
    return _page(
        request,
        "catalogue/variant.html",
        {
            "current": current,
            "variant": variant,
            "goals": catalogue.goals,
            "goal_names": catalogue.goal_names(language_of(request)),
            "may_edit": False,
            "old_version": version,
            "evidence_rows": _evidence_rows(variant, catalogue.goals, found),
        },
    )


routes: list[BaseRoute] = [
    Route("/catalogus", catalogue_page, name="catalogue"),
    Route("/catalogus/{slug}", variant_page, name="variant"),
    Route("/catalogus/{slug}/bewerken", edit_page, methods=["GET"], name="variant_edit"),
    Route("/catalogus/{slug}/bewerken", edit_save, methods=["POST"]),
    Route("/catalogus/{slug}/versies", history_page, name="variant_history"),
    Route("/catalogus/{slug}/versies/{number:int}", version_page, name="variant_version"),
    Route("/welke-werkvorm", match_page, name="match"),
]
