"""/metrics: the Prometheus text format, and only for the addresses allowed to read it."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from server.app import create_app
from server.metrics import client_allowed
from server.settings import Settings
from tests.server.test_cli import run

SESSION_METRICS = {
    "werkplaats_websocket_connections",
    "werkplaats_live_sessions",
    "werkplaats_events_appended",  # the parser names counters without `_total`
    "werkplaats_events_delivered",
    "werkplaats_slow_clients_dropped",
    "werkplaats_flooding_clients_closed",
    "werkplaats_commands_rate_limited",
    "werkplaats_bus_reconnects",
    "werkplaats_database_seconds",
}


def _client(app: Starlette, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def lan_app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Starlette]:
    """An app that lets only 10.0.0.0/8 read /metrics (a scraper on the local network)."""
    allowed = (ipaddress.ip_network("10.0.0.0/8"),)
    app = create_app(replace(settings, metrics_from=allowed))
    async with app.router.lifespan_context(app):
        yield app


async def test_metrics_answer_loopback_in_the_prometheus_format(app: Starlette) -> None:
    async with _client(app, "127.0.0.1") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    assert SESSION_METRICS <= set(families)
    assert {"process_resident_memory_bytes", "process_cpu_seconds", "process_open_fds"} <= set(
        families
    )
    assert families["werkplaats_events_appended"].type == "counter"
    assert families["werkplaats_websocket_connections"].type == "gauge"
    assert families["werkplaats_database_seconds"].type == "histogram"
    timings = families["werkplaats_database_seconds"].samples
    operations = {sample.labels.get("operation") for sample in timings}
    assert operations == {"append", "catch_up", "resume"}


async def test_metrics_are_not_found_from_elsewhere(app: Starlette) -> None:
    async with _client(app, "203.0.113.9") as client:
        refused = await client.get("/metrics")
        unknown = await client.get("/no-such-page")
        refused_json = await client.get("/metrics", headers={"Accept": "application/json"})
    assert refused.status_code == 404
    assert "werkplaats_" not in refused.text
    # The same page as an address that does not exist (whose links name it, as this one's
    # name /metrics): nothing says /metrics is there.
    assert refused.text == unknown.text.replace("/no-such-page", "/metrics")
    assert refused_json.status_code == 404 and "werkplaats_" not in refused_json.text


async def test_the_allowed_networks_come_from_the_setting(lan_app: Starlette) -> None:
    async with _client(lan_app, "10.20.30.40") as client:
        assert (await client.get("/metrics")).status_code == 200
    async with _client(lan_app, "::ffff:10.1.1.1") as client:  # IPv4 on a dual-stack socket
        assert (await client.get("/metrics")).status_code == 200
    async with _client(lan_app, "127.0.0.1") as client:  # not in the list: loopback neither
        assert (await client.get("/metrics")).status_code == 404


def test_client_addresses_are_matched_against_networks() -> None:
    default = Settings(database_url="sqlite+aiosqlite://", secret_key="k").metrics_from
    assert client_allowed("127.0.0.1", default)
    assert client_allowed("127.8.9.10", default)
    assert client_allowed("::1", default)
    assert client_allowed("::ffff:127.0.0.1", default)
    assert not client_allowed("192.168.1.5", default)
    assert not client_allowed("2001:db8::1", default)
    assert not client_allowed(None, default)
    assert not client_allowed("testclient", default)  # not an address at all


def test_serve_refuses_a_bad_metrics_network(tmp_path: Path) -> None:
    env = {"WERKPLAATS_DATA_DIR": str(tmp_path), "WERKPLAATS_METRICS_FROM": "10.0.0.0/8,intern"}
    result = run("serve", "--port", "1", env=env)
    assert result.returncode == 2
    assert "WERKPLAATS_METRICS_FROM has 'intern'" in result.stderr
    assert "allowed: comma-separated IP addresses or networks" in result.stderr


def test_serve_refuses_a_bad_log_format(tmp_path: Path) -> None:
    env = {"WERKPLAATS_DATA_DIR": str(tmp_path), "WERKPLAATS_LOG_FORMAT": "xml"}
    result = run("serve", "--port", "1", env=env)
    assert result.returncode == 2
    assert "WERKPLAATS_LOG_FORMAT is 'xml'; allowed: text, json" in result.stderr
