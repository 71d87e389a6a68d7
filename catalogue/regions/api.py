"""The regions as JSON: `/api/regions`, with their themes and the national themes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from catalogue.regions import queries


async def regions(request: Request) -> Response:
    async with request.app.state.db() as db:
        rows = await queries.load_regions(db)
        national = await queries.load_national_themes(db)
    return JSONResponse(
        {
            "national_themes": [
                {
                    "slug": t.slug,
                    "name": t.name,
                    "name_en": t.name_en,
                    "description": t.description,
                    "description_en": t.description_en,
                }
                for t in national
            ],
            "regions": [
                {
                    "slug": r.slug,
                    "name": r.name,
                    "description": r.description,
                    "themes": [
                        {
                            "slug": t.slug,
                            "name": t.name,
                            "description": t.description,
                            "national_themes": [n.slug for n in t.national],
                        }
                        for t in r.themes
                    ],
                }
                for r in rows
            ],
        }
    )


routes: list[BaseRoute] = [
    Route("/api/regions", regions),
]
