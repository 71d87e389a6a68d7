"""The workspace client lives in sessions/client/ and is served at /static/workspace/ as before."""

from __future__ import annotations

import httpx

from sessions.workspace_client import CLIENT_DIR


async def test_the_client_is_served_at_its_old_address(client: httpx.AsyncClient) -> None:
    for name in ("main.js", "state.js", "workspace.css", "tools.css"):
        response = await client.get(f"/static/workspace/{name}")
        assert response.status_code == 200, name
        assert response.content == (CLIENT_DIR / name).read_bytes()
    assert "javascript" in (await client.get("/static/workspace/main.js")).headers["content-type"]
    # The app's own static files are still there, and nothing else is served from sessions/.
    assert (await client.get("/static/app.css")).status_code == 200
    assert (await client.get("/static/workspace/../workspace_client.py")).status_code == 404
