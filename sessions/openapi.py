"""The live-session part of the OpenAPI document (/api/openapi.json): creating a session and
joining it by code.

Everything after joining goes over the websocket, documented in docs/protocol.md.
"""

from __future__ import annotations

from typing import Any

import msgspec

from sessions.api import CreateRequest, JoinRequest
from sessions.joins import DEFAULT_MAX_PARTICIPANTS
from sessions.planning import LONGEST
from sessions.video import MAX_URL_LENGTH

_ERROR = {"$ref": "#/components/responses/Error"}
# Every request body is bounded (server/bodylimit.py, WERKPLAATS_MAX_BODY_BYTES).
_TOO_LARGE = {
    "description": "`too_large`: the body is over the limit (256 KiB unless the operator set "
    "WERKPLAATS_MAX_BODY_BYTES); refused before it is read",
    **_ERROR,
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(kind: type[msgspec.Struct], notes: dict[str, str]) -> dict[str, Any]:
    """A request body's schema as the server decodes it (sessions/api.py: its limits, and
    unknown fields refused), with a description per field."""
    (schema,) = msgspec.json.schema_components([kind])[1].values()
    properties = schema["properties"]
    for field, note in notes.items():
        properties[field]["description"] = note
    return {key: value for key, value in schema.items() if key != "title"}


_CREATE = _body(
    CreateRequest,
    {
        "variant": "a catalogue variant's slug: its script becomes the agenda; without one, "
        "a default agenda of four phases",
        "goals": "goal slugs from the catalogue (GET /api/goals)",
        "capacity": "places in the room (on-site, hybrid); null: no limit; not for online",
        "breakout_size": "the default size of breakout groups",
        "anonymous_notes": "the default for a note without `anonymous`",
        "asynchronous": "phases without a timer, over days; null: as the variant says",
        "region": "the Werkplaats (region slug) the session belongs to",
        "theme": "a theme on that region's knowledge agenda; needs `region`",
        "video_url": "the video-call room shown in the workspace: an http(s) address with a "
        "host, no spaces",
        "max_participants": "the most participants that can join (facilitators not counted); "
        f"null: {DEFAULT_MAX_PARTICIPANTS}, or the room's capacity when that is more. Not below "
        "the capacity. The facilitator can change it on the session's page",
        "planned_start": "when the session is planned to start (RFC 3339, with a zone); with "
        "planned_end, or neither",
        "planned_end": f"when it is planned to end: after the start, at most {LONGEST.days} "
        "days later on the clock in Dutch time (Europe/Amsterdam)",
    },
)
# Checked after decoding (sessions/setup.py), so not part of the struct.
_CREATE["properties"]["video_url"]["anyOf"][0]["maxLength"] = MAX_URL_LENGTH

SCHEMAS: dict[str, Any] = {
    "CreateSession": _CREATE,
    "JoinSession": _body(
        JoinRequest,
        {
            "name": "the display name; runs of whitespace become one space",
            "location": "in the room or remote: required in a hybrid session, ignored otherwise",
        },
    ),
}

PATHS: dict[str, Any] = {
    "/api/sessions": {
        "post": {
            "summary": "Create a live session (facilitator or coordinator account)",
            "requestBody": {"required": True, **_json(_ref("CreateSession"))},
            "responses": {
                "201": {
                    "description": "session, join_code, join_url, websocket, participant, token"
                },
                "400": _ERROR,
                "401": _ERROR,
                "403": {
                    "description": "`forbidden`: the account is neither facilitator nor "
                    "coordinator; `csrf_origin`: the request comes from another site's origin; "
                    "`csrf_failed`: a body that is not JSON without the CSRF token",
                    **_ERROR,
                },
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
            "requestBody": {"required": True, **_json(_ref("JoinSession"))},
            "responses": {
                "201": {"description": "session, websocket, participant and token"},
                "400": _ERROR,
                "404": {"description": "`unknown_code` (counted as a wrong code)", **_ERROR},
                "409": {
                    "description": "`session_full` (its maximum of participants is reached; "
                    "its facilitator can raise it), `room_full`, `session_ended`, `removed`, "
                    "`joins_locked` (a facilitator closed the session to newcomers)",
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

OPENAPI = {"paths": PATHS, "schemas": SCHEMAS}
