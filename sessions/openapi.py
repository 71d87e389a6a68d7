"""The live-session part of the OpenAPI document (/api/openapi.json): joining by code.

Everything after joining goes over the websocket, documented in docs/protocol.md.
"""

from __future__ import annotations

from typing import Any

from sessions.planning import LONGEST

_ERROR = {"$ref": "#/components/responses/Error"}
# Every request body is bounded (server/bodylimit.py, WERKPLAATS_MAX_BODY_BYTES).
_TOO_LARGE = {
    "description": "`too_large`: the body is over the limit (256 KiB unless the operator set "
    "WERKPLAATS_MAX_BODY_BYTES); refused before it is read",
    **_ERROR,
}

PATHS: dict[str, Any] = {
    "/api/sessions": {
        "post": {
            "summary": "Create a live session (facilitator or coordinator account)",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["title"],
                            "properties": {
                                "title": {"type": "string", "maxLength": 120},
                                "modality": {"enum": ["online", "hybrid", "on-site"]},
                                "variant": {"type": ["string", "null"]},
                                "goals": {"type": "array", "items": {"type": "string"}},
                                "capacity": {"type": ["integer", "null"]},
                                "breakout_size": {"type": "integer"},
                                "anonymous_notes": {"type": "boolean"},
                                "asynchronous": {"type": ["boolean", "null"]},
                                "region": {"type": ["string", "null"]},
                                "theme": {"type": ["string", "null"]},
                                "video_url": {"type": ["string", "null"]},
                                "max_participants": {
                                    "type": ["integer", "null"],
                                    "minimum": 1,
                                    "maximum": 1000,
                                    "description": "the most participants that can join "
                                    "(facilitators not counted); null: 50, or the room's "
                                    "capacity when that is more. Not below the capacity. The "
                                    "facilitator can change it on the session's page",
                                },
                                "planned_start": {
                                    "type": ["string", "null"],
                                    "format": "date-time",
                                    "description": "when the session is planned to start "
                                    "(RFC 3339, with a zone); with planned_end, or neither",
                                },
                                "planned_end": {
                                    "type": ["string", "null"],
                                    "format": "date-time",
                                    "description": "when it is planned to end: after the "
                                    f"start, at most {LONGEST.days} days later",
                                },
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": {
                    "description": "session, join_code, join_url, websocket, participant, token"
                },
                "400": _ERROR,
                "401": _ERROR,
                "403": _ERROR,
                "413": _TOO_LARGE,
                "422": _ERROR,
            },
        }
    },
    "/api/sessions/{code}/join": {
        "post": {
            "summary": "Join a live session by its code, without an account",
            "description": "Wrong codes are counted per client address in the database (across "
            "server processes): after 20 different ones in ten minutes, every join from that "
            "address, with a right code too, is refused with 429 `too_many_attempts` and a "
            "`Retry-After` header (seconds) until the oldest of them is ten minutes old. A "
            "class typing the same code at once is one code. One client address "
            "adds at most 60 new participants to one session in an hour (429 "
            "`too_many_joins`), and a session takes at most its maximum of participants (409 "
            "`session_full`; 50 unless the facilitator set another). Each attempt is counted "
            "before it is checked, so the bounds hold under a parallel burst.",
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
                "409": {
                    "description": "`session_full` (its maximum of participants is reached; "
                    "its facilitator can raise it), `room_full`, `session_ended`, `removed`",
                    **_ERROR,
                },
                "413": _TOO_LARGE,
                "422": _ERROR,
                "429": {
                    "description": "`too_many_attempts`: too many wrong codes from this "
                    "address; `too_many_joins`: 60 new participants joined this session from "
                    "this address in the last hour. The `Retry-After` header says after how "
                    "many seconds to retry",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        }
    },
}

OPENAPI = {"paths": PATHS, "schemas": {}}
