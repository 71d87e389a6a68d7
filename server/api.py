"""The app shell's JSON endpoints: health (`/healthz`) and the logged-in account (`/api/me`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from server.auth import require_user
from server.db import database_problem


async def healthz(request: Request) -> Response:
    problem = await database_problem(request.app.state.engine)
    if problem is None:
        return JSONResponse({"status": "ok", "database": "ok"})
    return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)


async def api_me(request: Request) -> Response:
    user = require_user(request)
    return JSONResponse(
        {"email": user.email, "name": user.name, "roles": sorted(r.value for r in user.roles)}
    )


routes: list[BaseRoute] = [
    Route("/healthz", healthz, name="healthz"),
    Route("/api/me", api_me, name="api_me"),
]
