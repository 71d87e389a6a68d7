"""Errors are pages in the visitor's language, or JSON with a stable code; never a traceback."""

from __future__ import annotations

from pathlib import Path

import httpx
from starlette.requests import Request
from starlette.routing import Route

from server.app import create_app
from server.settings import Settings


async def test_an_unknown_page_gets_a_clear_404_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.text
    assert 'href="/"' in response.text


async def test_an_unknown_api_path_gets_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/bestaat-niet")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_a_wrong_method_is_explained(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/me", json={})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


async def test_a_crash_shows_a_500_page_without_traceback(tmp_path: Path) -> None:
    async def boom(request: Request) -> None:
        raise RuntimeError("secret internals")

    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}",
        secret_key="test-secret-key-not-for-production",
        data_dir=tmp_path,
    )
    app = create_app(settings)
    app.router.routes.insert(0, Route("/boom", boom))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            page = await client.get("/boom")
            api = await client.get("/boom", headers={"accept": "application/json"})
    assert page.status_code == 500
    assert "Er ging iets mis" in page.text
    assert "secret internals" not in page.text and "Traceback" not in page.text
    assert api.json()["code"] == "server_error"
