"""The library as JSON: `/api/outcomes` searches the shared outcomes (as the page does)."""

from __future__ import annotations

from dataclasses import asdict

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from catalogue.library import access, search
from catalogue.library.pages import one_page, search_params
from server.auth import current_user
from server.errors import ApiError
from server.templating import translator_for


async def api_outcomes(request: Request) -> Response:
    user = current_user(request)
    _ = translator_for(request)
    async with request.app.state.db() as db:
        try:
            query = await search.parse_query(db, search_params(request))
        except search.SearchError as problem:
            raise ApiError(
                400,
                "bad_search",
                _(problem.message) % problem.params,
                [{"field": problem.field, "message": _(problem.message) % problem.params}],
            ) from None
        memberships = await access.memberships_of(db, user)
        hits, more = await one_page(db, query, user, memberships)
    return JSONResponse(
        {
            "page": query.page,
            "more": more,
            "outcomes": [
                {
                    **asdict(hit),
                    "goals": list(hit.goals),
                    "national_themes": list(hit.national_themes),
                    "url": f"/uitkomsten/{hit.public_id}",
                }
                for hit in hits
            ],
        }
    )


routes: list[BaseRoute] = [
    Route("/api/outcomes", api_outcomes, name="api_outcomes"),
]
