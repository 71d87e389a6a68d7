"""The OpenAPI document (/api/openapi.json) describes creating and joining a session as the
server checks them, with the limits docs/protocol.md states: a body the server refuses as
`invalid_request` is one the document's schema refuses too."""

from __future__ import annotations

from typing import Any

import httpx
from jsonschema import Draft202012Validator
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.sessions.pages import facilitator


def _body_schema(document: dict[str, Any], path: str) -> Draft202012Validator:
    schema = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    return Draft202012Validator({**schema["schema"], "components": document["components"]})


CREATE_REFUSED: list[dict[str, Any]] = [
    {"title": ""},
    {"title": "   "},
    {"title": "x" * 121},
    {"title": "x", "bogus": 1},
    {"title": "x", "capacity": 0, "modality": "hybrid"},
    {"title": "x", "capacity": 1001, "modality": "hybrid"},
    {"title": "x", "breakout_size": 1},
    {"title": "x", "breakout_size": 51},
    {"title": "x", "goals": ["reflecteren"] * 11},
    {"title": "x", "variant": "v" * 81},
    {"title": "x", "region": "r" * 81},
    {"title": "x", "video_url": "https://meet.jit.si/" + "a" * 490},
    {"title": "x", "max_participants": 0},
    {"title": "x", "max_participants": 1001},
]
JOIN_REFUSED: list[dict[str, Any]] = [
    {"name": ""},
    {"name": "   "},
    {"name": "x" * 61},
    {"name": "Anna", "bogus": 1},
    {"name": "Anna", "location": "garden"},
]


async def test_a_body_the_server_refuses_the_document_refuses_too(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> None:
    document = (await client.get("/api/openapi.json")).json()
    create = _body_schema(document, "/api/sessions")
    join = _body_schema(document, "/api/sessions/{code}/join")

    await facilitator(client, db)
    for body in CREATE_REFUSED:
        answer = await client.post("/api/sessions", json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert not create.is_valid(body), f"the document lets {body} through"
    made = await client.post(
        "/api/sessions", json={"title": "Intervisie", "capacity": 12, "modality": "hybrid"}
    )
    assert made.status_code == 201
    assert create.is_valid({"title": "Intervisie", "capacity": 12, "modality": "hybrid"})

    code = made.json()["join_code"]
    for body in JOIN_REFUSED:
        answer = await client.post(f"/api/sessions/{code}/join", json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert not join.is_valid(body), f"the document lets {body} through"
    assert join.is_valid({"name": "Anna", "location": "room"})


async def test_every_post_names_the_refusal_of_another_site(client: httpx.AsyncClient) -> None:
    """Any POST from another site's origin is refused with 403 `csrf_origin` (server/csrf.py),
    JSON or not; the document says so for each."""
    document = (await client.get("/api/openapi.json")).json()
    posts = [path for path, item in document["paths"].items() if "post" in item]
    assert {"/api/sessions", "/api/sessions/{code}/join", "/api/match"} <= set(posts)
    for path in posts:
        refusal = document["paths"][path]["post"]["responses"].get("403", {})
        assert "csrf_origin" in refusal.get("description", ""), path
    foreign = {"Origin": "https://elders.example"}
    for path in ("/api/sessions/ABCDEF/join", "/api/match"):
        answer = await client.post(path, json={"name": "Anna"}, headers=foreign)
        assert answer.status_code == 403
        assert answer.json()["code"] == "csrf_origin"
