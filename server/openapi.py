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
        "message": {"type": "string", "description": "what was wrong, in the request's language"},
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
            "description": "Catalogue of learning practices, matching, regions. Errors are JSON "
            "with a stable `code`; messages follow Accept-Language (nl default, en).",
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


def _with_bad_input(item: Mapping[str, Any]) -> dict[str, Any]:
    """The path item with a 400 on every operation: any request can be refused as bad input
    (server/badinput.py) before its route runs."""
    bad_input = {"$ref": "#/components/responses/Error"}
    return {
        method: {**operation, "responses": {"400": bad_input, **operation["responses"]}}
        for method, operation in item.items()
    }


async def openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)
