"""The live-session part of the OpenAPI document (/api/openapi.json): joining by code.

Everything after joining goes over the websocket, documented in docs/protocol.md.
"""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/responses/Error"}

PATHS: dict[str, Any] = {
    "/api/sessions/{code}/join": {
        "post": {
            "summary": "Join a live session by its code, without an account",
            "description": "Wrong codes are counted per client address in the database (across "
            "server processes): after 20 in ten minutes, every join from that address, with a "
            "right code too, is refused with 429 `too_many_attempts` and a `Retry-After` "
            "header (seconds) until the oldest of them is ten minutes old.",
            "parameters": [
                {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["name"],
                            "properties": {
                                "name": {"type": "string", "maxLength": 60},
                                "location": {"enum": ["room", "remote", None]},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": {"description": "session, websocket, participant and token"},
                "400": _ERROR,
                "404": {"description": "`unknown_code` (counted as a wrong code)", **_ERROR},
                "409": _ERROR,
                "422": _ERROR,
                "429": {
                    "description": "`too_many_attempts`: too many wrong codes from this "
                    "address; the `Retry-After` header says after how many seconds to retry",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        }
    }
}

OPENAPI = {"paths": PATHS, "schemas": {}}
