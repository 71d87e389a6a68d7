"""How the catalogue's JSON API is described in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from catalogue.evidence.summary import LEVELS
from catalogue.matching.certainty import BAND_LABELS
from catalogue.matching.request import MAX_GROUP_SIZE, MAX_MINUTES
from catalogue.variants.search import MAX_FILTER_SIZE
from catalogue.vocabulary import FACILITATION, MODALITIES, ROLES, TOOLS

_ERROR = {"$ref": "#/components/responses/Error"}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_RANGE: dict[str, Any] = {
    "type": "object",
    "properties": {"min": {"type": "integer"}, "max": {"type": "integer"}},
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Any] = {
    "Goal": {
        "type": "object",
        "properties": {
            k: {"type": "string"}
            for k in ("slug", "name", "name_en", "description", "description_en")
        },
    },
    "VariantSummary": {
        "type": "object",
        "properties": {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "title_en": {"type": "string"},
            "summary": {"type": "string"},
            "summary_en": {"type": "string"},
            "goals": {
                "type": "object",
                "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 3},
            },
            "group_size": {
                **_RANGE,
                "properties": {**_RANGE["properties"], "ideal": {"type": "integer"}},
            },
            "duration": {
                "type": "object",
                "properties": {"min": {"type": "integer"}, "typical": {"type": "integer"}},
            },
            "modalities": {"type": "array", "items": {"enum": list(MODALITIES)}},
            "roles": {"type": "array", "items": {"enum": list(ROLES)}},
            "facilitation": {"enum": list(FACILITATION)},
            "asynchronous": {"type": "boolean"},
            "version": {"type": "integer"},
        },
    },
    "Phase": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "purpose": {"type": "string"},
            "minutes": {"type": "integer"},
            "tool": {"enum": list(TOOLS)},
            "facilitator": {"type": "string"},
            "participants": {"type": "string"},
        },
    },
    "Variant": {
        "allOf": [
            _ref("VariantSummary"),
            {
                "type": "object",
                "properties": {
                    "description": {"type": "string"},
                    "preparation": {"type": "string"},
                    "distance": {"type": "string"},
                    "effective_elements": {"type": "array", "items": {"type": "string"}},
                    "phases": {"type": "array", "items": _ref("Phase")},
                    "licence": {"const": "CC BY-SA 4.0"},
                    "saved_at": {"type": "string", "format": "date-time"},
                    "saved_by": {"type": "string"},
                    "evidence": {
                        "description": "per goal slug: what earlier sessions say, also per "
                        "situation",
                        "type": "object",
                        "additionalProperties": _ref("VariantEvidence"),
                    },
                },
            },
        ]
    },
    "MatchRequest": {
        "type": "object",
        "required": ["goals", "group_size", "minutes", "modality"],
        "additionalProperties": False,
        "properties": {
            "goals": {
                "description": "goal slugs (equal weight) or goal slug -> weight (0..100)",
                "oneOf": [
                    {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    {
                        "type": "object",
                        "additionalProperties": {"type": "number", "minimum": 0, "maximum": 100},
                    },
                ],
            },
            "group_size": {"type": "integer", "minimum": 1, "maximum": MAX_GROUP_SIZE},
            "minutes": {"type": "integer", "minimum": 1, "maximum": MAX_MINUTES},
            "modality": {"enum": list(MODALITIES)},
            "roles": {"type": "array", "items": {"enum": list(ROLES)}},
        },
    },
    "Evidence": {
        "type": "object",
        "description": (
            "What the goal ratings of earlier sessions say (docs/matching.md). Every session "
            "counts once; the interval is a 90 % interval of the mean, null with fewer than "
            "two sessions."
        ),
        "properties": {
            "sessions": {"type": "integer", "minimum": 0},
            "regions": {"type": "integer", "minimum": 0, "description": "distinct regions"},
            "level": {
                "enum": list(LEVELS),
                "description": (
                    "how much practical experience, from participants' ratings (not the Dutch "
                    "recognition levels for interventions, which judge theory and research)"
                ),
            },
            "mean": {"type": ["number", "null"], "description": "mean goal attainment, 0..1"},
            "interval": {
                "type": ["array", "null"],
                "items": {"type": "number"},
                "minItems": 2,
                "maxItems": 2,
                "description": "90 % interval of the mean attainment, 0..1",
            },
            "rating": {"type": ["number", "null"], "description": "mean rating, 1..5"},
            "rating_interval": {
                "type": ["array", "null"],
                "items": {"type": "number"},
                "minItems": 2,
                "maxItems": 2,
                "description": "90 % interval of the mean rating, 1..5",
            },
        },
    },
    "VariantEvidence": {
        "allOf": [
            _ref("Evidence"),
            {
                "type": "object",
                "properties": {
                    "situations": {
                        "description": (
                            "the kept sessions per situation (way of meeting x group size "
                            "band), on site / online / hybrid first, then small / medium / "
                            "large; null: not known (sessions saved before situations were "
                            "kept)"
                        ),
                        "type": "array",
                        "items": _ref("Situation"),
                    },
                    "set_aside": {
                        "type": "integer",
                        "minimum": 0,
                        "description": (
                            "sessions set aside as outliers: rated far from all the others; "
                            "they are not in `sessions`"
                        ),
                    },
                },
            },
        ]
    },
    "Situation": {
        "type": "object",
        "properties": {
            "modality": {"enum": [*MODALITIES, None]},
            "group_size_band": {
                "enum": [*BAND_LABELS, None],
                "description": "small: up to 8, medium: 9 to 20, large: more than 20",
            },
            "sessions": {"type": "integer", "minimum": 1},
            "mean": {"type": "number", "description": "mean goal attainment, 0..1"},
            "rating": {"type": "number", "description": "mean rating, 1..5"},
        },
    },
    "Weights": {
        "type": "object",
        "description": "how much each counted in a goal's fit; they sum to 1",
        "properties": {
            "description": {"type": "number", "minimum": 0, "maximum": 1},
            "evidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
    },
    "MatchResponse": {
        "type": "object",
        "properties": {
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "slug": {"type": "string"},
                        "title": {"type": "string"},
                        "score": {"type": "number", "minimum": 0, "maximum": 100},
                        "goals": {"type": "object", "additionalProperties": {"type": "number"}},
                        "reasons": {"type": "array", "items": {"type": "string"}},
                        "evidence": {"type": "object", "additionalProperties": _ref("Evidence")},
                        "weights": {"type": "object", "additionalProperties": _ref("Weights")},
                        "certainty": {
                            "type": "string",
                            "description": (
                                "how sure the catalogue is of this result, in one or two "
                                "sentences in the request's language, each ending in a full stop"
                            ),
                        },
                        "uncertainty": {
                            "type": "number",
                            "minimum": 0,
                            "description": "the score's standard deviation, in points",
                        },
                        "explore": {
                            "type": "boolean",
                            "description": (
                                "the suggestion to try: at most one result, never the first; "
                                "its place in the list is its score's, it is not a rank"
                            ),
                        },
                        "explore_reason": {
                            "type": ["string", "null"],
                            "description": "why it is suggested (null unless explore)",
                        },
                    },
                },
            },
            "excluded": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "slug": {"type": "string"},
                        "title": {"type": "string"},
                        "reasons": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    },
}

_FILTERS = [
    {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "text search"},
    {
        "name": "goal",
        "in": "query",
        "schema": {"type": "string"},
        "description": "only variants that serve this goal well (weight 2 or 3)",
    },
    {"name": "modality", "in": "query", "schema": {"enum": list(MODALITIES)}},
    {
        "name": "group_size",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_FILTER_SIZE},
        "description": "only variants that fit a group of this size",
    },
]

PATHS: dict[str, Any] = {
    "/api/goals": {
        "get": {
            "summary": "Every goal",
            "responses": {
                "200": {
                    "description": "the goals",
                    **_json(
                        {
                            "type": "object",
                            "properties": {"goals": {"type": "array", "items": _ref("Goal")}},
                        }
                    ),
                }
            },
        }
    },
    "/api/variants": {
        "get": {
            "summary": "The variants, optionally filtered",
            "parameters": _FILTERS,
            "responses": {
                "200": {
                    "description": "the variants",
                    **_json(
                        {
                            "type": "object",
                            "properties": {
                                "variants": {"type": "array", "items": _ref("VariantSummary")}
                            },
                        }
                    ),
                },
                "422": _ERROR,
            },
        }
    },
    "/api/variants/{slug}": {
        "get": {
            "summary": "One variant with its script and the evidence per goal",
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {"description": "the variant", **_json(_ref("Variant"))},
                "404": _ERROR,
            },
        }
    },
    "/api/match": {
        "post": {
            "summary": "Rank the variants for a group's goals and constraints, with reasons",
            "requestBody": {"required": True, **_json(_ref("MatchRequest"))},
            "responses": {
                "200": {
                    "description": "ranked and excluded variants",
                    **_json(_ref("MatchResponse")),
                },
                "400": _ERROR,
                "413": _ERROR,
                "415": _ERROR,
                "422": _ERROR,
            },
        }
    },
    "/api/regions": {
        "get": {
            "summary": "The Werkplaatsen and their themes, and the national themes",
            "responses": {
                "200": {
                    "description": "the national themes (landelijke thema's), and the regions"
                    " with their own themes, each naming the national themes it belongs to",
                    **_json(
                        {
                            "type": "object",
                            "properties": {
                                "national_themes": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            key: {"type": "string"}
                                            for key in (
                                                "slug",
                                                "name",
                                                "name_en",
                                                "description",
                                                "description_en",
                                            )
                                        },
                                    },
                                },
                                "regions": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "slug": {"type": "string"},
                                            "name": {"type": "string"},
                                            "description": {"type": "string"},
                                            "themes": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "properties": {
                                                        "slug": {"type": "string"},
                                                        "name": {"type": "string"},
                                                        "description": {"type": "string"},
                                                        "national_themes": _STRINGS,
                                                    },
                                                },
                                            },
                                        },
                                    },
                                },
                            },
                        }
                    ),
                }
            },
        }
    },
    "/api/outcomes": {
        "get": {
            "summary": "Search the shared outcomes the caller may read (docs/library.md)",
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "schema": {"type": "string", "maxLength": 200},
                    "description": "words to find in the shared text (Dutch full-text search); "
                    "empty lists every outcome the caller may read",
                },
                *(
                    {"name": name, "in": "query", "schema": {"type": "string"}, "description": d}
                    for name, d in (
                        ("doel", "goal slug"),
                        ("werkvorm", "variant slug"),
                        (
                            "thema",
                            "a national theme's slug (landelijk thema, see national_themes in"
                            " /api/regions): the outcomes of every regional theme that belongs"
                            " to it, in every region; or a regional theme's slug",
                        ),
                        ("regio", "region slug"),
                    )
                ),
                {"name": "van", "in": "query", "schema": {"type": "string", "format": "date"}},
                {"name": "tot", "in": "query", "schema": {"type": "string", "format": "date"}},
                {
                    "name": "pagina",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1},
                    "description": "page of 100 results; `more` says whether there is a next",
                },
            ],
            "responses": {
                "200": {
                    "description": "with words, the most relevant first (ts_rank on PostgreSQL,"
                    " bm25 on SQLite), else the newest first; 100 a page; each as its shared"
                    " version",
                    **_json(
                        {
                            "type": "object",
                            "properties": {
                                "page": {"type": "integer"},
                                "more": {"type": "boolean"},
                                "outcomes": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "public_id": {"type": "string"},
                                            "url": {"type": "string"},
                                            "level": {"type": "string"},
                                            "title": {"type": "string"},
                                            "snippet": {"type": "string"},
                                            "variant": {"type": ["string", "null"]},
                                            "region": {"type": ["string", "null"]},
                                            "theme": {"type": ["string", "null"]},
                                            "goals": {
                                                "type": "array",
                                                "items": {"type": "string"},
                                            },
                                            "held_on": {"type": ["string", "null"]},
                                            "modality": {
                                                "type": ["string", "null"],
                                                "enum": ["online", "hybrid", "on-site", None],
                                                "description": "how the session met; null:"
                                                " not known",
                                            },
                                            "group_size": {
                                                "type": ["integer", "null"],
                                                "minimum": 0,
                                                "description": "how many took part,"
                                                " facilitators not counted; null: not known",
                                            },
                                            "national_themes": {
                                                "type": "array",
                                                "items": {"type": "string"},
                                                "description": "the national themes the"
                                                " outcome's regional theme belongs to",
                                            },
                                        },
                                    },
                                },
                            },
                        }
                    ),
                },
                "400": _ERROR,
            },
        }
    },
}

OPENAPI = {"paths": PATHS, "schemas": SCHEMAS}
