"""The OpenAPI document at /api/openapi.json, assembled from what each domain describes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.badinput import MAX_JSON_DEPTH, NUL_CODE

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {
            "type": "string",
            "description": "stable, machine-readable error code; any operation may answer 400 "
            f"`{NUL_CODE}` (a NUL in the path, query or body: no text here can hold one) or "
            f"`too_deep` (JSON nested more than {MAX_JSON_DEPTH} deep), besides its own codes",
        },
        "message": {
            "type": "string",
            "description": "what was wrong, for people: in the request's language (Accept-"
            "Language: nl, the default, or en) where the message is translated, else in English",
        },
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

SHELL_PATHS: dict[str, Any] = {
    "/healthz": {
        "get": {
            "summary": "Health: whether the database can be reached",
            "responses": {
                "200": {"description": '{"status": "ok", "database": "ok"}'},
                "503": {"description": '{"status": "error", "database": "unreachable"}'},
            },
        }
    },
    "/api/me": {
        "get": {
            "summary": "The logged-in account",
            "responses": {
                "200": {"description": "email, name and roles"},
                "401": {"$ref": "#/components/responses/Error"},
            },
        }
    },
}


def document(parts: Sequence[Mapping[str, Any]], version: str) -> dict[str, Any]:
    """Merge the domains' paths and schemas into one OpenAPI 3.1 document."""
    paths: dict[str, Any] = dict(SHELL_PATHS)
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for part in parts:
        paths.update(part.get("paths", {}))
        schemas.update(part.get("schemas", {}))
    paths = {path: _with_bad_input(item) for path, item in paths.items()}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Werkplaats API",
            "version": version,
            "description": "The catalogue of learning practices, matching, regions, the library "
            "of shared outcomes, and creating and joining a live session (what follows goes "
            "over the websocket: docs/protocol.md). Errors are JSON with a stable `code` to act "
            "on; a message follows Accept-Language (nl default, en) where it is translated, "
            "and is English otherwise.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {
                "Error": {
                    "description": "an error with a stable code",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
            },
        },
    }


# Any request that may change something is refused when it comes from another site's origin
# (server/csrf.py), before its route runs.
_OTHER_SITE = {
    "description": "`csrf_origin`: the request comes from another site's origin",
    "$ref": "#/components/responses/Error",
}


def _with_bad_input(item: Mapping[str, Any]) -> dict[str, Any]:
    """The path item with a 400 on every operation: any request can be refused as bad input
    (server/badinput.py) before its route runs; and a 403 on every one that is not a GET."""
    bad_input = {"$ref": "#/components/responses/Error"}
    return {
        method: {
            **operation,
            "responses": {
                "400": bad_input,
                **({} if method in ("get", "head") else {"403": _OTHER_SITE}),
                **operation["responses"],
            },
        }
        for method, operation in item.items()
    }


async def openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)
