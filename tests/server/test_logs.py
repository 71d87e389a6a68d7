"""Logs: a real server with WERKPLAATS_LOG_FORMAT=json writes one JSON object a line, and no
line holds a name, an email address, a text, a join code or a token that went through it."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.logs import JsonFormatter, TextFormatter
from tests.helpers import PASSWORD
from tests.server.test_cli import WERKPLAATS
from tests.sessions.live import BACKENDS, PATIENT, Client, Server, prepared_server

EMAIL = "quirijn.logproef@example.org"
NAME = "Quirijn Logproef"
UNKNOWN_EMAIL = "onbekende.logproef@example.org"
WRONG_PASSWORD = "verkeerd-wachtwoord-4711"
PARTICIPANT = "Wilhelmina Zonnebloem"
TITLE = "Intervisie Kraaiennest-casus"
NOTE = "Geheime notitie over de buurvrouw op nummer zeven"
CHAT = "Chatbericht over meneer Vlasblom"
SEARCH = "zoekterm-vertrouwelijk"
ACCESS_FIELDS = {"time", "level", "logger", "message", "method", "path", "status", "duration_ms"}


class _JsonServer(Server):
    """A server whose stderr (the logs) is kept apart from its stdout."""

    def start(self) -> None:
        self.stderr_path = self.data_dir / f"stderr-{self.port}.log"
        with self.log_path.open("ab") as out, self.stderr_path.open("ab") as err:
            self.process = subprocess.Popen(
                [WERKPLAATS, "serve", "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=err,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, self.stderr_path.read_text()
            time.sleep(0.05)
        raise AssertionError("server did not start")


def _createuser(server: Server) -> None:
    subprocess.run(
        [
            WERKPLAATS,
            "createuser",
            "--email",
            EMAIL,
            "--name",
            NAME,
            "--role",
            "facilitator",
            "--password-stdin",
        ],
        env=server.env,
        input=PASSWORD.encode() + b"\n",
        check=True,
        capture_output=True,
    )


async def _login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    page = await client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    return await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )


async def _use_the_site(server: Server) -> list[str]:
    """What a facilitator and a participant do; returns the secrets it handled."""
    secrets = [EMAIL, NAME, UNKNOWN_EMAIL, PASSWORD, WRONG_PASSWORD]
    secrets += [PARTICIPANT, TITLE, NOTE, CHAT, SEARCH]
    # Right after the start, while the server loads the sharing gate's model: patience.
    async with httpx.AsyncClient(base_url=server.url, timeout=PATIENT) as web:
        assert (await _login(web, UNKNOWN_EMAIL, WRONG_PASSWORD)).status_code == 401
        assert (await _login(web, EMAIL, WRONG_PASSWORD)).status_code == 401
        assert (await _login(web, EMAIL, PASSWORD)).status_code == 303
        secrets += [web.cookies["werkplaats_session"], web.cookies["werkplaats_csrf"]]
        created = (
            await web.post("/api/sessions", json={"title": TITLE, "variant": "intervisie"})
        ).json()
        code, public_id = created["join_code"], created["session"]
        secrets += [code, created["token"]]
        assert (await web.get("/join", params={"code": code})).status_code == 200
        assert (await web.get("/bibliotheek", params={"q": SEARCH})).status_code == 200
        assert (await web.get(f"/sessies/{public_id}")).status_code == 200

        joined = await server.join(code, PARTICIPANT)
        assert joined.status_code == 201, joined.text
        participant, token = joined.json()["participant"], joined.json()["token"]
        secrets.append(token)
        facilitator = Client(server, public_id, created["participant"], created["token"])
        person = Client(server, public_id, participant, token)
        try:
            await facilitator.connect()
            await person.connect()
            await person.do("n1", "note.add", text=NOTE)
            await person.do("c1", "chat.post", text=CHAT)
            await facilitator.wait_for(lambda: facilitator.last_seq == person.last_seq)
        finally:
            await facilitator.close()
            await person.close()
        await web.post("/logout", headers={"X-CSRF-Token": web.cookies["werkplaats_csrf"]})
    return secrets


@pytest.mark.parametrize("backend", BACKENDS)
def test_json_logs_hold_no_personal_data_or_contents(backend: str, tmp_path: Path) -> None:
    with prepared_server(backend, tmp_path) as prepared:
        server = _JsonServer(
            prepared.database_url, tmp_path, extra_env={"WERKPLAATS_LOG_FORMAT": "json"}
        )
        _createuser(server)
        server.start()
        try:
            secrets = asyncio.run(_use_the_site(server))
        finally:
            server.stop()  # SIGTERM: the shutdown lines are written too
    lines = server.stderr_path.read_text(encoding="utf-8").splitlines()
    records: list[dict[str, Any]] = [json.loads(line) for line in lines]  # every line is JSON
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    for line in lines:
        for secret in secrets:
            assert secret.lower() not in line.lower(), f"{secret!r} is in the log: {line}"

    access = [r for r in records if r["logger"] == "werkplaats.access"]
    assert access and all(set(r) == ACCESS_FIELDS for r in access)  # no address, no agent
    paths = {r["path"] for r in access}
    assert {
        "/login",
        "/logout",
        "/api/sessions",
        "/api/sessions/{code}/join",
        "/join",
        "/bibliotheek",
        "/sessies/{public_id}",
        "/ws/sessions/{public_id}",
    } <= paths
    assert all(p == "(no route)" or (p.startswith("/") and "?" not in p) for p in paths)
    assert {(r["method"], r["status"]) for r in access} >= {("POST", 401), ("WEBSOCKET", 101)}
    # uvicorn's lines with the client's address and the raw path are gone.
    assert not [r for r in records if r["logger"] == "uvicorn.access"]
    assert not [r for r in records if "WebSocket" in r["message"]]


def _record(**extra: Any) -> logging.LogRecord:
    try:
        raise RuntimeError(
            "duplicate key value violates unique constraint\n"
            f"DETAIL:  Key (email)=({EMAIL}) already exists."
        )
    except RuntimeError:
        record = logging.LogRecord("werkplaats", logging.ERROR, __file__, 1, "failed", (), None)
        record.exc_info = sys.exc_info()
    record.__dict__.update(extra)
    return record


def test_docs_name_every_logger_the_code_writes_to() -> None:
    """docs/operations.md lists the loggers; a logger outside `werkplaats.*` (a module's
    __name__) would not even reach stderr at INFO."""
    root = Path(__file__).parents[2]
    operations = (root / "docs" / "operations.md").read_text(encoding="utf-8")
    used: dict[str, str] = {}
    for package in ("server", "sessions", "catalogue"):
        for path in sorted((root / package).rglob("*.py")):
            for name in re.findall(r"getLogger\(([^)]*)\)", path.read_text(encoding="utf-8")):
                used[name] = str(path.relative_to(root))
    assert '"werkplaats.access"' in used, "found no loggers: the search is broken"
    for name, where in used.items():
        assert re.fullmatch(r'"werkplaats(\.[a-z]+)?"', name), f"{where}: logger {name}"
        assert f"`{name.strip(chr(34))}`" in operations, f"docs/operations.md lacks {name}"


def test_exceptions_are_logged_without_postgresql_details() -> None:
    line = json.loads(JsonFormatter().format(_record(session=7)))
    assert line["session"] == 7 and line["message"] == "failed"
    assert "duplicate key value" in line["exception"] and EMAIL not in line["exception"]
    assert EMAIL not in TextFormatter().format(_record())


async def test_access_lines_name_the_route_even_when_answered_before_routing(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="werkplaats.access")
    await client.get("/static/app.css?v=1")
    await client.get("/nergens/abc123")
    await client.post("/join", data={"code": "GEHEIM1"})  # no CSRF token: refused, unrouted
    await client.post("/api/sessions/GEHEIM2/join", json={"name": PARTICIPANT})
    lines = [(r.method, r.path, r.status) for r in caplog.records]  # type: ignore[attr-defined]
    assert lines == [
        ("GET", "/static/{path}", 200),
        ("GET", "(no route)", 404),
        ("POST", "/join", 403),
        ("POST", "/api/sessions/{code}/join", 404),
    ]
    assert not [r for r in caplog.records if "GEHEIM" in r.getMessage()]


def test_every_line_serve_writes_is_json_on_the_sqlite_default(tmp_path: Path) -> None:
    """A log collector reads stdout and stderr alike: the start line and the warning that
    no database URL is set are JSON records too, not text between them."""
    server = _JsonServer("unused", tmp_path, extra_env={"WERKPLAATS_LOG_FORMAT": "json"})
    del server.env["WERKPLAATS_DATABASE_URL"]  # the embedded SQLite default, with its warning
    subprocess.run([WERKPLAATS, "migrate"], env=server.env, check=True, capture_output=True)
    server.start()
    try:
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    finally:
        server.stop()
    out = server.log_path.read_text(encoding="utf-8")  # stdout
    err = server.stderr_path.read_text(encoding="utf-8")
    records = [json.loads(line) for line in (out + err).splitlines() if line]
    started = [r for r in records if "serves on" in r["message"]]
    assert started and started[0]["logger"] == "werkplaats.serve"
    warned = [r for r in records if "WERKPLAATS_DATABASE_URL is not set" in r["message"]]
    assert [r["level"] for r in warned] == ["WARNING"]
