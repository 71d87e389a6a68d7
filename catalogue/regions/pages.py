"""Region pages: the Werkplaatsen, their themes and their knowledge agenda; coordinators keep
them up to date (a theme with the national themes it belongs to) and mark open knowledge
questions addressed."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from catalogue.outcomes.models import KnowledgeQuestion
from catalogue.regions import actions, agenda, queries
from catalogue.regions.actions import MAX_DESCRIPTION
from catalogue.regions.models import RegionRow, ThemeRow
from catalogue.schema import ContentError, problem_list
from server.auth import current_user, require_role
from server.errors import PageError
from server.forms import form_fields
from server.i18n import N_
from server.models import Role
from server.templating import render, translator_for

MAX_ID = 2**31 - 1
# What the error summary calls a field of the region page's forms (each links to its field).
_LABELS = {
    "name": N_("Name"),
    "description": N_("Description"),
    "national": N_("National themes"),
}


def _is_coordinator(request: Request) -> bool:
    user = current_user(request)
    return user is not None and user.has_role(Role.COORDINATOR)


async def regions_page(request: Request) -> Response:
    async with request.app.state.db() as db:
        return await _regions(request, await queries.load_regions(db))


async def _regions(
    request: Request,
    regions: list[RegionRow],
    problems: list[dict[str, str]] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "catalogue/regions.html",
        {
            "regions": regions,
            "may_edit": _is_coordinator(request),
            "problems": problems or [],
            "form": form or {},
        },
        status_code=status_code,
    )


async def region_create(request: Request) -> Response:
    require_role(request, Role.COORDINATOR)
    fields = await form_fields(request, "name", "description", max_length=MAX_DESCRIPTION)
    async with request.app.state.db() as db:
        try:
            region = await actions.create_region(db, **fields)
        except ContentError as error:
            await db.rollback()
            problems = problem_list(error.problems, translator_for(request))
            return await _regions(request, await queries.load_regions(db), problems, fields, 422)
    return RedirectResponse(f"/regios/{region.slug}", status_code=303)


async def region_page(request: Request) -> Response:
    async with request.app.state.db() as db:
        region = await _region(db, request)
        return await _region_page(request, db, region)


async def _region_page(
    request: Request,
    db: Any,
    region: RegionRow,
    problems: list[dict[str, str]] | None = None,
    form_id: str = "",
    form: dict[str, str] | None = None,
    chosen: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    """The region page; after a refused form, `form_id` names it ("region", "new-theme",
    "theme-<slug>"), shown open with what was typed (`form`) and ticked (`chosen`)."""
    coordinator = _is_coordinator(request)
    context: dict[str, Any] = {
        "region": region,
        "may_edit": coordinator,
        "national_themes": await queries.load_national_themes(db) if coordinator else [],
        "agenda": await agenda.load_agenda(db, region.slug, current_user(request)),
        "problems": problems or [],
        "problem_fields": {p["field"] for p in problems or []},
        "failed_form": form_id,
        "form": form or {},
        "chosen": chosen or [],
    }
    return render(request, "catalogue/region.html", context, status_code=status_code)


def _field_prefix(form_id: str) -> str:
    """The start of the ids of a form's fields on the region page (see region.html)."""
    return f"t-{form_id.removeprefix('theme-')}" if form_id.startswith("theme-") else form_id


async def _region(db: Any, request: Request) -> RegionRow:
    region = await queries.load_region(db, request.path_params["slug"])
    if region is None:
        raise PageError(404)
    return region


def _theme(region: RegionRow, request: Request) -> ThemeRow:
    theme = next((t for t in region.themes if t.slug == request.path_params["theme"]), None)
    if theme is None:
        raise PageError(404)
    return theme


async def region_update(request: Request) -> Response:
    require_role(request, Role.COORDINATOR)
    fields = await form_fields(request, "name", "description", max_length=MAX_DESCRIPTION)
    return await _change(
        request,
        "region",
        fields,
        lambda db, region: actions.update_region(db, region, **fields),
    )


async def _ticked(request: Request) -> list[str]:
    """The national themes ticked on a theme form: each checkbox sends its slug as `national`."""
    form = await request.form(max_files=0, max_fields=100)
    values = form.getlist("national")
    if not all(isinstance(value, str) for value in values):
        raise PageError(
            422,
            "invalid_field",
            N_("The field '%(field)s' must be text of at most %(max)s characters."),
            field="national",
            max=MAX_DESCRIPTION,
        )
    return [str(value) for value in values]


async def theme_add(request: Request) -> Response:
    require_role(request, Role.COORDINATOR)
    fields = await form_fields(request, "name", "description", max_length=MAX_DESCRIPTION)
    national = await _ticked(request)
    return await _change(
        request,
        "new-theme",
        fields,
        lambda db, region: actions.add_theme(db, region, **fields, national=national),
        national,
    )


async def theme_update(request: Request) -> Response:
    require_role(request, Role.COORDINATOR)
    fields = await form_fields(request, "name", "description", max_length=MAX_DESCRIPTION)
    national = await _ticked(request)

    async def change(db: Any, region: RegionRow) -> None:
        await actions.update_theme(db, region, _theme(region, request), **fields, national=national)

    return await _change(request, f"theme-{request.path_params['theme']}", fields, change, national)


async def theme_remove(request: Request) -> Response:
    require_role(request, Role.COORDINATOR)

    async def change(db: Any, region: RegionRow) -> None:
        await actions.remove_theme(db, region, _theme(region, request))

    return await _change(request, "", {}, change)


async def _change(
    request: Request,
    form_id: str,
    fields: dict[str, str],
    change: Any,
    chosen: list[str] | None = None,
) -> Response:
    """Apply a change to a region; on a refusal show the page again with what was typed and
    ticked, each problem at its field and in the summary, linked to it."""
    async with request.app.state.db() as db:
        region = await _region(db, request)
        try:
            await change(db, region)
        except ContentError as error:
            await db.rollback()
            region = await _region(db, request)
            translate = translator_for(request)
            problems = problem_list(error.problems, translate)
            for problem in problems:
                if problem["field"] in _LABELS:
                    problem["label"] = translate(_LABELS[problem["field"]])
                    problem["target"] = f"{_field_prefix(form_id)}-{problem['field']}"
            return await _region_page(
                request, db, region, problems, form_id, fields, chosen, status_code=422
            )
    return RedirectResponse(f"/regios/{region.slug}", status_code=303)


async def _question(db: Any, request: Request) -> KnowledgeQuestion:
    number = request.path_params["question"]
    question = None
    if number <= MAX_ID:  # beyond the column's range: no such question (and no database error)
        question = await agenda.load_question(db, request.path_params["slug"], number)
    if question is None:
        raise PageError(404)
    return question


async def question_addressed(request: Request) -> Response:
    """A coordinator marks an open knowledge question as taken up."""
    user = require_role(request, Role.COORDINATOR)
    async with request.app.state.db() as db:
        await actions.mark_addressed(db, await _question(db, request), user)
    return RedirectResponse(f"/regios/{request.path_params['slug']}#kennisvragen", status_code=303)


async def question_reopen(request: Request) -> Response:
    """A coordinator puts a question back on the open agenda."""
    require_role(request, Role.COORDINATOR)
    async with request.app.state.db() as db:
        await actions.reopen(db, await _question(db, request))
    return RedirectResponse(f"/regios/{request.path_params['slug']}#kennisvragen", status_code=303)


async def english_alias(request: Request) -> Response:
    """/regions/… (the English path) leads to the Dutch one."""
    slug = request.path_params.get("slug")
    return RedirectResponse(f"/regios/{slug}" if slug else "/regios", status_code=301)


routes: list[BaseRoute] = [
    Route("/regions", english_alias),
    Route("/regions/{slug}", english_alias),
    Route("/regios", regions_page, methods=["GET"], name="regions"),
    Route("/regios", region_create, methods=["POST"]),
    Route("/regios/{slug}", region_page, methods=["GET"], name="region"),
    Route("/regios/{slug}", region_update, methods=["POST"]),
    Route("/regios/{slug}/themas", theme_add, methods=["POST"]),
    Route("/regios/{slug}/themas/{theme}", theme_update, methods=["POST"]),
    Route("/regios/{slug}/themas/{theme}/verwijderen", theme_remove, methods=["POST"]),
    Route(
        "/regios/{slug}/kennisvragen/{question:int}/opgepakt",
        question_addressed,
        methods=["POST"],
    ),
    Route(
        "/regios/{slug}/kennisvragen/{question:int}/heropenen",
        question_reopen,
        methods=["POST"],
    ),
]
