"""Input no text here can hold is refused as bad input (400), never a server error: a NUL
character (PostgreSQL cannot store one) anywhere, and JSON nested deeper than any request."""

from __future__ import annotations

from html import unescape

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.badinput import MAX_JSON_DEPTH, NUL_CODE, TOO_DEEP, json_problem
from tests.helpers import log_in, make_user, submit

NUL_NL = "Wat je stuurde bevat een NUL-teken (code 0)"


def _refused_page(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text[:300]
    assert NUL_NL in unescape(response.text)


def _refused_json(response: httpx.Response, code: str = "nul_character") -> None:
    assert response.status_code == 400, response.text[:300]
    assert response.json()["code"] == code


async def test_a_nul_in_a_query_parameter_is_bad_input(client: httpx.AsyncClient) -> None:
    _refused_json(await client.get("/api/outcomes?q=a%00b"))
    _refused_page(await client.get("/bibliotheek?q=a%00b"))
    _refused_page(await client.get("/catalogus?x=%00"))


async def test_a_nul_in_a_path_segment_is_bad_input(client: httpx.AsyncClient) -> None:
    _refused_page(await client.get("/catalogus/a%00b"))
    _refused_json(await client.get("/api/variants/a%00b"))
    _refused_json(await client.post("/api/sessions/a%00b/join", json={"name": "Anna"}))


async def test_a_nul_in_a_form_field_is_bad_input(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    _refused_page(
        await submit(client, "/login", "/login", {"email": "a\x00b@example.org", "password": "x"})
    )
    _refused_page(
        await submit(client, "/login", "/login", {"email": "a@example.org", "pass\x00": "x"})
    )


async def test_a_nul_in_a_json_body_is_bad_input(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db)
    assert (await log_in(client, "fenna@example.org")).status_code == 303
    _refused_json(await client.post("/api/sessions", json={"title": "Inter\x00visie"}))
    ok = await client.post("/api/sessions", json={"title": "Inter\\u0000visie"})  # a backslash
    assert ok.status_code == 201, ok.text


async def test_deeply_nested_json_bodies_are_bad_input(client: httpx.AsyncClient) -> None:
    headers = {"content-type": "application/json"}
    deep = b'{"goals": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    _refused_json(await client.post("/api/match", content=deep, headers=headers), "too_deep")
    _refused_json(
        await client.post("/api/sessions/ABCDEF/join", content=deep, headers=headers), "too_deep"
    )
    unclosed = b"[" * 60_000  # under the body limit
    _refused_json(await client.post("/api/match", content=unclosed, headers=headers), "too_deep")


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b'{"a": [1, {"b": "c"}]}', None),
        (b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH, None),
        (b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1), "too_deep"),
        (b'{"a": "' + b"[" * 1000 + b'"}', None),  # brackets in a string do not nest
        (b'{"a": "\\"' + b"[" * 1000 + b'"}', None),  # nor after an escaped quote
        (b"[" * 20 + b"{" * 20, "too_deep"),
        (b'["a\\u0000b"]', "nul"),
        (b'["a\\\\u0000b"]', None),  # an escaped backslash, then the letters u0000
        (b'["a\\\\\\u0000b"]', "nul"),
        (b'["a\x00b"]', "nul"),
        (b'{"a\\u0000": 1}', "nul"),
        (b"", None),
    ],
)
def test_json_problem_scans_the_raw_bytes(raw: bytes, problem: str | None) -> None:
    assert json_problem(raw) == problem


async def test_the_openapi_document_lists_the_bad_input_refusals(client: httpx.AsyncClient) -> None:
    """Any operation can be refused as bad input (a NUL in its path or query, JSON nested too
    deep): the document says so for each, and names the codes."""
    document = (await client.get("/api/openapi.json")).json()
    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) >= 10
    missing = [f"{m.upper()} {p}" for p, m, o in operations if "400" not in o["responses"]]
    assert not missing
    codes = document["components"]["schemas"]["Error"]["properties"]["code"]["description"]
    assert NUL_CODE in codes and TOO_DEEP in codes
