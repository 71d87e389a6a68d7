"""The `werkplaats` command, run as a user runs it: a real process, real databases."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from server import accounts
from server.cli import _parser
from server.db import create_engine, sessionmaker
from tests.ports import free_port

WERKPLAATS = str(Path(sys.executable).parent / "werkplaats")


def run(
    *args: str, env: Mapping[str, str], stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WERKPLAATS, *args],
        input=stdin,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {"WERKPLAATS_DATABASE_URL": database_url, "WERKPLAATS_DATA_DIR": str(tmp_path)}


@contextmanager
def serving(*args: str, env: Mapping[str, str], log: Path) -> Iterator[str]:
    """Start `werkplaats <args>`, wait until it answers /healthz, and yield its URL."""
    port = free_port()
    output = log.open("w")
    process = subprocess.Popen(
        [WERKPLAATS, *args, "--port", str(port)],
        env={**os.environ, **env},
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, log.read_text()
            time.sleep(0.1)
        else:
            raise AssertionError("server did not answer in time")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()


def _commands() -> list[str]:
    """Every subcommand the CLI has, so a new one cannot go without help."""
    subparsers = next(
        action for action in _parser()._actions if isinstance(action, argparse._SubParsersAction)
    )
    return ["", *subparsers.choices]


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help(command: str, tmp_path: Path) -> None:
    result = run(
        *([command] if command else []), "--help", env={"WERKPLAATS_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 0
    assert "usage: werkplaats" in result.stdout
    if command in ("serve", "demo"):
        assert "--port" in result.stdout and "--host" in result.stdout
    if command == "serve":
        assert "--workers" in result.stdout


def test_migrate_applies_once(env: dict[str, str]) -> None:
    first = run("migrate", env=env)
    assert first.returncode == 0, first.stderr
    assert "migration(s) applied" in first.stdout
    second = run("migrate", env=env)
    assert second.stdout.strip() == "migrated: up to date"


async def test_createuser_makes_an_account_that_can_log_in(
    env: dict[str, str], database_url: str
) -> None:
    assert run("migrate", env=env).returncode == 0
    result = run(
        "createuser",
        "--email",
        "Anna@Example.org",
        "--name",
        "Anna Jansen",
        "--role",
        "facilitator",
        "--role",
        "educator",
        "--password-stdin",
        env=env,
        stdin="a long enough password\n",
    )
    assert result.returncode == 0, result.stderr
    assert "created anna@example.org (educator, facilitator)" in result.stdout
    engine = create_engine(database_url)
    try:
        async with sessionmaker(engine)() as db:
            user = await accounts.authenticate(
                db,
                email="anna@example.org",
                password="a long enough password",
                client="test",
                failures_per_email=5,
                failures_per_client=20,
            )
        assert user.name == "Anna Jansen"
    finally:
        await engine.dispose()


def test_createuser_refuses_bad_input_clearly(env: dict[str, str]) -> None:
    assert run("migrate", env=env).returncode == 0
    base = ["createuser", "--email", "a@example.org", "--name", "A", "--password-stdin"]
    bad_role = run(*base, "--role", "admin", env=env, stdin="a long enough password\n")
    assert bad_role.returncode == 2
    assert "Unknown role 'admin'; allowed: coordinator, educator, facilitator." in bad_role.stderr
    assert "Traceback" not in bad_role.stderr
    short = run(*base, "--role", "educator", env=env, stdin="short\n")
    assert short.returncode == 2 and "at least 10" in short.stderr
    missing = run("createuser", "--email", "a@example.org", env=env)
    assert missing.returncode == 2 and "required" in missing.stderr
    ok = run(*base, "--role", "educator", env=env, stdin="a long enough password\n")
    assert ok.returncode == 0
    again = run(*base, "--role", "educator", env=env, stdin="a long enough password\n")
    assert again.returncode == 2 and "already an account" in again.stderr


def test_seed_needs_a_migrated_database_and_is_idempotent(env: dict[str, str]) -> None:
    early = run("seed", env=env)
    assert early.returncode == 2
    assert "not migrated; run `werkplaats migrate` first" in early.stderr
    assert run("migrate", env=env).returncode == 0
    first = run("seed", "--demo-accounts", env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("demo account:") == 3
    second = run("seed", "--demo-accounts", env=env)
    assert second.returncode == 0
    accounts = [line for line in second.stdout.splitlines() if line.startswith("demo account:")]
    assert accounts == [line for line in first.stdout.splitlines() if "demo account:" in line]
    assert "variant intervisie: added" in first.stdout
    assert "variant intervisie: unchanged" in second.stdout


def test_every_command_refuses_a_database_that_is_not_migrated(env: dict[str, str]) -> None:
    """README: a database that is not migrated ends the command with exit code 2 and a message
    saying what to do, never a traceback."""
    commands = [
        ["seed"],
        ["createuser", "--email", "a@example.org", "--name", "A", "--role", "educator"],
        ["erase", "--name", "Anna Jansen", "--yes"],
        ["retain"],
        ["export", "module", "some-module", "--format", "md"],
        ["serve", "--port", "1"],
    ]
    for command in commands:
        stdin = "a long enough password\n"
        if command[0] == "createuser":
            command = [*command, "--password-stdin"]
        result = run(*command, env=env, stdin=stdin)
        assert result.returncode == 2, (command, result.stderr)
        assert "not migrated; run `werkplaats migrate` first" in result.stderr, command
        assert "Traceback" not in result.stderr, command


def test_an_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    env = {
        "WERKPLAATS_DATA_DIR": str(tmp_path),
        "WERKPLAATS_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
    }
    for command in (["migrate"], ["serve", "--port", "1"]):
        result = run(*command, env=env)
        assert result.returncode == 2
        assert (
            "cannot reach the database postgresql+asyncpg://nobody@127.0.0.1:1/none"
            in result.stderr
        )
        assert "Traceback" not in result.stderr


def test_no_command_prints_the_database_password(tmp_path: Path) -> None:
    """Every message names the database with its password hidden (server/db.py describe_url),
    as the logs do: a terminal's output ends up in tickets and chat."""
    env = {
        "WERKPLAATS_DATA_DIR": str(tmp_path),
        "WERKPLAATS_DATABASE_URL": "postgresql://nobody:pw-4711-geheim@127.0.0.1:1/none",
    }
    for command in (["migrate"], ["seed"], ["serve", "--port", "1"], ["demo", "--port", "1"]):
        result = run(*command, env=env)
        assert result.returncode == 2, (command, result.stderr)
        assert "postgresql+asyncpg://nobody:***@127.0.0.1:1/none" in result.stderr, command
        assert "pw-4711-geheim" not in result.stdout + result.stderr, command


def test_a_database_server_that_never_answers_is_an_error_not_a_hang(tmp_path: Path) -> None:
    # Takes connections and says nothing, as a half-dead host or a wrong port behind a
    # firewall does.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        env = {
            "WERKPLAATS_DATA_DIR": str(tmp_path),
            "WERKPLAATS_DATABASE_URL": f"postgresql://nobody@127.0.0.1:{port}/none",
        }
        result = run("serve", "--port", "1", env=env)
    assert result.returncode == 2
    assert f"cannot reach the database postgresql+asyncpg://nobody@127.0.0.1:{port}/none: " in (
        result.stderr
    )
    assert "no answer within 10 s" in result.stderr and "Traceback" not in result.stderr


def test_serve_refuses_what_it_cannot_do(env: dict[str, str]) -> None:
    not_migrated = run("serve", "--port", "1", env=env)
    assert not_migrated.returncode == 2 and "not migrated" in not_migrated.stderr
    workers = run("serve", "--workers", "2", env=env)
    assert workers.returncode == 2
    assert "WERKPLAATS_BUS_URL is memory://" in workers.stderr
    bad_port = run("serve", "--port", "70000", env=env)
    assert bad_port.returncode == 2 and "not a port" in bad_port.stderr


def test_serve_refuses_a_placeholder_or_short_secret_key(env: dict[str, str]) -> None:
    for key in ("CHANGE-ME", "a-short-key-of-30-characters!!"):
        result = run("serve", "--port", "1", env={**env, "WERKPLAATS_SECRET_KEY": key})
        assert result.returncode == 2, result.stderr
        assert "WERKPLAATS_SECRET_KEY" in result.stderr
        assert "secrets.token_urlsafe(48)" in result.stderr
        assert "Traceback" not in result.stderr


def test_serve_runs_a_real_server(env: dict[str, str], tmp_path: Path) -> None:
    assert run("migrate", env=env).returncode == 0
    with serving("serve", env=env, log=tmp_path / "serve.log") as url:
        home = httpx.get(url + "/")
        assert home.status_code == 200 and "Werkplaats" in home.text
    assert "WERKPLAATS_DATABASE_URL is not set" not in (tmp_path / "serve.log").read_text()


def test_demo_migrates_seeds_and_serves_from_nothing(tmp_path: Path) -> None:
    env = {"WERKPLAATS_DATA_DIR": str(tmp_path / "data")}
    log = tmp_path / "demo.log"
    with serving("demo", env=env, log=log) as url:
        login = httpx.get(url + "/login")
        assert login.status_code == 200
    output = log.read_text()
    assert f"Open {url}" in output
    assert "coordinator@werkplaats.example" in output
    assert (tmp_path / "data" / "werkplaats.sqlite3").exists()
    # Which database it serves, and that it fell back to SQLite because none was set.
    assert f"(database sqlite+aiosqlite:///{tmp_path / 'data' / 'werkplaats.sqlite3'})" in output
    assert "WERKPLAATS_DATABASE_URL is not set" in output
