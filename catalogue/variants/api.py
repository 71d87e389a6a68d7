"""The catalogue's JSON API: goals, variants and matching (regions: catalogue/regions/api.py)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from catalogue.evidence.summary import LITTLE, for_variant
from catalogue.matching.belief import Belief
from catalogue.matching.rank import Evidence, match
from catalogue.matching.reasons import reason_text
from catalogue.matching.request import MatchRequest, validate_request
from catalogue.schema import problem_list
from catalogue.variants import queries
from catalogue.variants.pages import evidence_for, load, sentences, situations
from catalogue.variants.schema import Goal
from catalogue.variants.search import filter_variants, parse_filters
from server.badinput import refuse_bad_json
from server.errors import ApiError
from server.i18n import N_
from server.templating import language_of, translator_for

MAX_BODY = 64 * 1024


def goal_json(goal: Goal) -> dict[str, str]:
    return {
        "slug": goal.slug,
        "name": goal.name,
        "name_en": goal.name_en,
        "description": goal.description,
        "description_en": goal.description_en,
    }


def variant_summary(current: queries.CurrentVariant) -> dict[str, Any]:
    variant = current.variant
    return {
        "slug": variant.slug,
        "title": variant.title,
        "title_en": variant.title_en,
        "summary": variant.summary,
        "summary_en": variant.summary_en,
        "goals": dict(variant.goals),
        "group_size": {
            "min": variant.group_min,
            "ideal": variant.group_ideal,
            "max": variant.group_max,
        },
        "duration": {"min": variant.minutes_min, "typical": variant.minutes_typical},
        "modalities": list(variant.modalities),
        "roles": list(variant.roles),
        "facilitation": variant.facilitation,
        "asynchronous": variant.asynchronous,
        "version": current.version,
    }


def evidence_json(found: Evidence | None, per_situation: bool = False) -> dict[str, Any]:
    """Evidence as the API gives it: attainment on 0..1 and the rating on 1..5 alike; with
    `per_situation`, also the kept sessions per situation and how many were set aside."""
    if found is None:
        empty: dict[str, Any] = {
            "sessions": 0,
            "regions": 0,
            "level": LITTLE,
            "mean": None,
            "interval": None,
            "rating": None,
            "rating_interval": None,
        }
        if per_situation:
            empty |= {"situations": [], "set_aside": 0}
        return empty
    interval = None
    rating_interval = None
    if found.low is not None and found.high is not None:
        interval = [round(found.low, 3), round(found.high, 3)]
    if found.rating_low is not None and found.rating_high is not None:
        rating_interval = [round(found.rating_low, 2), round(found.rating_high, 2)]
    shown: dict[str, Any] = {
        "sessions": found.sessions,
        "regions": found.regions,
        "level": found.level,
        "mean": round(found.mean, 3),
        "interval": interval,
        "rating": round(found.rating, 2),
        "rating_interval": rating_interval,
    }
    if per_situation:
        shown["situations"] = [
            {
                "modality": place["modality"],
                "group_size_band": place["group_size_band"],
                "sessions": place["sessions"],
                "mean": round(place["mean"], 3),
                "rating": round(place["rating"], 2),
            }
            for place in situations(found)
        ]
        shown["set_aside"] = found.set_aside
    return shown


def weights_json(belief: Belief | None) -> dict[str, float]:
    """How much the curated description and the evidence counted in a goal's fit (sum 1), for
    the request's situation."""
    share = belief.share if belief is not None else 0.0
    return {"description": round(1 - share, 3), "evidence": round(share, 3)}


async def goals(request: Request) -> Response:
    catalogue = await load(request)
    return JSONResponse({"goals": [goal_json(goal) for goal in catalogue.goals]})


async def variants(request: Request) -> Response:
    catalogue = await load(request)
    _ = translator_for(request)
    filters, problems = parse_filters(request.query_params, catalogue.goal_slugs)
    if problems:
        raise ApiError(
            422,
            "invalid_query",
            _(N_("Some query parameters are not valid; see errors.")),
            problem_list(problems, _),
        )
    found = filter_variants([cv.variant for cv in catalogue.variants], filters)
    shown = {variant.slug for variant in found}
    return JSONResponse(
        {"variants": [variant_summary(cv) for cv in catalogue.variants if cv.variant.slug in shown]}
    )


async def variant(request: Request) -> Response:
    catalogue = await load(request)
    slug = request.path_params["slug"]
    current = catalogue.by_slug.get(slug)
    if current is None:
        raise ApiError(404, "unknown_variant", f"there is no variant {slug[:80]!r}")
    found = for_variant(await evidence_for(request, slug), slug)
    return JSONResponse(
        {
            **current.variant.document(),
            "version": current.version,
            "saved_at": current.saved_at.isoformat(),
            "saved_by": current.author_name,
            "evidence": {
                goal: evidence_json(found.get(goal), per_situation=True)
                for goal in catalogue.goal_slugs
            },
        }
    )


async def read_json(request: Request) -> Any:
    """The request body as JSON, or a clear 400/413/415."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise ApiError(
            415,
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json",
        )
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise ApiError(413, "too_large", f"the body is larger than {MAX_BODY} bytes")
    refuse_bad_json(body)  # before json.loads recurses into it
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ApiError(400, "malformed_json", f"the body is not valid JSON: {error}") from None


async def match_variants(request: Request) -> Response:
    data = await read_json(request)
    catalogue = await load(request)
    _ = translator_for(request)
    checked = validate_request(data, catalogue.goal_slugs)
    if not isinstance(checked, MatchRequest):
        raise ApiError(
            422,
            "invalid_request",
            _(N_("The match request is not valid; see errors.")),
            problem_list(checked, _),
        )
    result = match([cv.variant for cv in catalogue.variants], checked, await evidence_for(request))
    names = catalogue.goal_names(language_of(request))
    return JSONResponse(
        {
            "results": [
                {
                    "slug": r.variant.slug,
                    "title": r.variant.title,
                    "score": r.score,
                    "goals": dict(r.goals),
                    "reasons": [reason_text(reason, _, names) for reason in r.reasons],
                    "evidence": {
                        goal: evidence_json(r.evidence.get(goal)) for goal in checked.goals
                    },
                    "weights": {goal: weights_json(r.beliefs.get(goal)) for goal in checked.goals},
                    "certainty": sentences(r.certainty, _, names),
                    "uncertainty": round(r.doubt, 1),
                    "explore": r.explore,
                    "explore_reason": None
                    if r.explore_reason is None
                    else sentences((r.explore_reason,), _, names),
                }
                for r in result.results
            ],
            "excluded": [
                {
                    "slug": e.variant.slug,
                    "title": e.variant.title,
                    "reasons": [reason_text(reason, _, names) for reason in e.reasons],
                }
                for e in result.excluded
            ],
        }
    )


routes: list[BaseRoute] = [
    Route("/api/goals", goals),
    Route("/api/variants", variants),
    Route("/api/variants/{slug}", variant),
    Route("/api/match", match_variants, methods=["POST"]),
]
