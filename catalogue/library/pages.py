"""The library's pages: search the shared outcomes (`/bibliotheek`, `/library`; the JSON of
`/api/outcomes` is catalogue/library/api.py), and the form that sets an account's regions."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from catalogue.library import access, search
from catalogue.regions import queries as region_queries
from catalogue.variants.pages import load
from server.auth import current_user, require_role
from server.errors import PageError
from server.models import Role, User
from server.templating import language_of, render, translator_for

PARAMS = ("q", "doel", "werkvorm", "thema", "regio", "van", "tot", "pagina")


def search_params(request: Request) -> dict[str, str]:
    return {name: request.query_params.get(name, "") for name in PARAMS}


async def one_page(
    db: AsyncSession, query: search.Query, user: User | None, memberships: Collection[str]
) -> tuple[list[search.Hit], bool]:
    """One page of hits, and whether there is a next page."""
    hits = await search.search(db, query, user, memberships, limit=search.MAX_RESULTS + 1)
    return hits[: search.MAX_RESULTS], len(hits) > search.MAX_RESULTS


def _page_url(params: dict[str, str], page: int) -> str:
    given = {k: v for k, v in params.items() if v and k != "pagina"}
    return "/bibliotheek?" + urlencode({**given, **({"pagina": str(page)} if page > 1 else {})})


async def library_page(request: Request) -> Response:
    user = current_user(request)
    params = search_params(request)
    _ = translator_for(request)
    error: dict[str, str] | None = None
    hits: list[search.Hit] = []
    page, more = 1, False
    async with request.app.state.db() as db:
        try:
            query = await search.parse_query(db, params)
        except search.SearchError as problem:
            error = {"field": problem.field, "message": _(problem.message) % problem.params}
        else:
            memberships = await access.memberships_of(db, user)
            hits, more = await one_page(db, query, user, memberships)
            page = query.page
        regions = await region_queries.load_regions(db)
        national = await region_queries.load_national_themes(db)
    catalogue = await load(request)
    language = language_of(request)
    national_names = {t.slug: (t.name_en if language == "en" else t.name) for t in national}
    context: dict[str, Any] = {
        "params": {k: v[: search.MAX_QUERY] for k, v in params.items()},
        "hits": hits,
        "page": page,
        "next_url": _page_url(params, page + 1) if more else None,
        "previous_url": _page_url(params, page - 1) if page > 1 else None,
        "error": error,
        "goals": catalogue.goals,
        "goal_names": catalogue.goal_names(language),
        "variants": sorted(
            ((cv.variant.slug, cv.variant.title) for cv in catalogue.variants),
            key=lambda pair: pair[1].lower(),
        ),
        "variant_titles": {cv.variant.slug: cv.variant.title for cv in catalogue.variants},
        "regions": regions,
        "region_names": {region.slug: region.name for region in regions},
        # National themes first (they find the outcomes of every region), then each region's own.
        "national_themes": [(t.slug, national_names[t.slug]) for t in national],
        "national_names": national_names,
        "theme_names": {(r.slug, t.slug): t.name for r in regions for t in r.themes},
    }
    return render(request, "library/search.html", context, status_code=400 if error else 200)


async def account_regions(request: Request) -> Response:
    """A coordinator sets the regions (Werkplaatsen) an account is a member of (a form of the
    accounts page, /beheer/accounts; memberships are the library's, the page the server's)."""
    coordinator = require_role(request, Role.COORDINATOR)
    form = await request.form(max_files=0, max_fields=200)
    regions = [value for value in form.getlist("regions") if isinstance(value, str)]
    try:
        user_id = int(request.path_params["user_id"])
    except ValueError:
        raise PageError(404) from None
    async with request.app.state.db() as db:
        if await db.get(User, user_id) is None:
            raise PageError(404)
        await access.set_memberships(db, user_id, regions, actor_id=coordinator.id)
    return RedirectResponse(f"/beheer/accounts#regions-{user_id}", status_code=303)


routes: list[BaseRoute] = [
    Route("/bibliotheek", library_page, name="library"),
    Route("/library", library_page),
    Route("/beheer/accounts/{user_id}/regios", account_regions, methods=["POST"]),
]
