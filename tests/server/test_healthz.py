from __future__ import annotations

from pathlib import Path

import httpx

from server.app import create_app
from server.settings import Settings


async def test_healthz_reports_a_reachable_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_healthz_reports_an_unreachable_database(tmp_path: Path) -> None:
    broken = Settings(
        database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",
        secret_key="test-secret-key-not-for-production",
        data_dir=tmp_path,
    )
    app = create_app(broken)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}
