"""What an operator relies on in deploy/Dockerfile: the stages, the user, the health check.

Containers cannot run on this project's machines, so the Dockerfile is read and checked here,
and the image's health check command runs without a container engine.
"""

from __future__ import annotations

import fnmatch
import http.server
import re
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import yaml

from tests.deploy.deploy_files import (
    COMPILERS,
    DOCKERFILE,
    ROOT,
    Stage,
    arg_defaults,
    dockerfile_stages,
    expand_args,
)

# --- the Dockerfile ---------------------------------------------------------------------------


def _stages() -> list[Stage]:
    return dockerfile_stages(DOCKERFILE.read_text(encoding="utf-8"))


def test_the_image_is_built_in_one_stage_and_run_from_another() -> None:
    stages = _stages()
    assert len(stages) >= 2, "the Dockerfile must be multi-stage"
    builder, final = stages[0], stages[-1]
    assert builder.name, "the builder stage needs a name for COPY --from"
    copies_from = [args for args in final.all("COPY") if args.startswith("--from=")]
    assert copies_from, "the final stage copies nothing from the builder"
    for args in copies_from:
        assert args.split()[0] == f"--from={builder.name}"
        assert args.split()[1:] == ["/opt/venv", "/opt/venv"], (
            f"the final stage should copy only the venv from the builder, not {args!r}"
        )


def test_the_builder_builds_the_de_identification_cache_into_the_venv() -> None:
    """deduce builds its lookup cache in its own package directory on first use (about 90 s):
    the image must carry it, since the final stage's venv belongs to root and a server must
    never build it in a request."""
    builder = _stages()[0]
    runs = builder.all("RUN")
    install = next(i for i, run in enumerate(runs) if "werkplaats-*.whl" in run)
    builds = [i for i, run in enumerate(runs) if "deidentify.build()" in run]
    assert builds and builds[0] > install, "the builder must build deduce's cache after install"
    assert "/opt/venv/bin/python" in runs[builds[0]]


def test_the_builder_builds_the_wheel_of_every_package_and_installs_it_with_dependencies() -> None:
    builder = _stages()[0]
    runs = " ".join(builder.all("RUN"))
    assert re.search(r"pip wheel --no-deps|-m build\b", runs), "the builder must build the wheel"
    assert re.search(r"install .*werkplaats-\*\.whl", runs), "the builder must install the wheel"
    assert "/opt/venv" in runs
    assert "--no-deps" not in runs.split("install", 1)[1], "the install must bring dependencies"

    copied: set[str] = set()
    for args in builder.all("COPY"):
        sources = [word for word in args.split() if not word.startswith("--")][:-1]
        copied.update(source.rstrip("/") for source in sources)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    needed = {"pyproject.toml", pyproject["project"]["readme"], "LICENSE", *packages}
    assert needed <= copied, f"the builder does not copy {sorted(needed - copied)}"
    ignored = _dockerignored(sorted(copied))
    assert not ignored, f".dockerignore keeps out of the build context what is copied: {ignored}"
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"


def _dockerignored(paths: list[str]) -> list[str]:
    """Which of these paths the repository root's .dockerignore excludes (last match wins)."""
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    excluded = []
    for path in paths:
        out = False
        for rule in rules:
            negate = rule.startswith("!")
            pattern = rule.lstrip("!").strip("/")
            candidates = {pattern, pattern.removeprefix("**/")}
            if any(
                fnmatch.fnmatch(path, c) or fnmatch.fnmatch(path.split("/")[-1], c)
                for c in candidates
            ):
                out = not negate
        if out:
            excluded.append(path)
    return excluded


def test_the_dockerignore_keeps_secrets_and_local_state_out_of_the_context() -> None:
    assert _dockerignored([".git", ".venv", "data", "deploy/.env", "x/__pycache__"]) == [
        ".git",
        ".venv",
        "data",
        "deploy/.env",
        "x/__pycache__",
    ]


def test_the_final_image_runs_as_an_unprivileged_user_without_compilers() -> None:
    final = _stages()[-1]
    defaults = arg_defaults(final)
    user = expand_args(final.last("USER"), defaults)
    assert user.split(":")[0] not in ("root", "0", ""), f"USER {user} is root"
    assert "$" not in user, f"USER {user}: an ARG without a default"
    for run in final.all("RUN"):
        assert not COMPILERS.search(run), f"the final stage installs or builds: RUN {run}"
    assert final.base == _stages()[0].base, "builder and final stage should share the Python"
    env = " ".join(final.all("ENV"))
    assert "WERKPLAATS_DATA_DIR=/var/lib/werkplaats" in env
    assert "WERKPLAATS_LOG_FORMAT=json" in env
    assert final.last("WORKDIR") == "/var/lib/werkplaats"


def test_the_image_serves_on_8000_stops_on_sigterm_and_starts_werkplaats_serve() -> None:
    final = _stages()[-1]
    assert final.last("EXPOSE") == "8000"
    assert final.last("STOPSIGNAL") == "SIGTERM"
    assert final.last("ENTRYPOINT") == '["werkplaats"]'
    assert final.last("CMD") == '["serve", "--host", "0.0.0.0", "--port", "8000"]'


def _healthcheck_command() -> list[str]:
    healthcheck = _stages()[-1].last("HEALTHCHECK")
    assert "CMD" in healthcheck
    exec_form = healthcheck.split("CMD", 1)[1].strip()
    assert exec_form.startswith("["), "the health check should use the exec form (no shell)"
    command = yaml.safe_load(exec_form)  # a JSON array
    assert isinstance(command, list)
    return [str(word) for word in command]


@dataclass
class _Health:
    status: int = 200


@pytest.fixture
def healthz() -> Iterator[tuple[int, _Health]]:
    """A stand-in server whose /healthz answers with the status the test sets."""
    health = _Health()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status = health.status if self.path == "/healthz" else 404
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], health
    finally:
        server.shutdown()
        server.server_close()


def test_the_health_check_asks_healthz_with_python_alone_and_fails_on_503(
    healthz: tuple[int, _Health],
) -> None:
    command = _healthcheck_command()
    assert not {"curl", "wget"} & set(command), "the slim image has neither curl nor wget"
    assert command[0] == "python"
    assert "http://127.0.0.1:8000/healthz" in command[-1]
    port, health = healthz
    command = [sys.executable, *command[1:-1], command[-1].replace(":8000/", f":{port}/")]

    def run() -> int:
        return subprocess.run(command, capture_output=True, timeout=30).returncode

    assert run() == 0
    health.status = 503  # what /healthz says when the database is unreachable
    assert run() != 0
