"""What an operator relies on in deploy/: the systemd units, the env file, the README.

The units are checked with `systemd-analyze verify` where it is installed.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from server.settings import DOCUMENTED
from tests.deploy.deploy_files import ENV_EXAMPLE, MIGRATE_UNIT, README, ROOT, SERVE_UNIT

# --- systemd ------------------------------------------------------------------------------------


def unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file's sections, each key with every value it was given, in order."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "ReadWritePaths": "/var/lib/werkplaats",
}


def test_the_serve_unit_runs_one_unprivileged_process_per_port_and_stops_it_with_sigterm() -> None:
    service = unit(SERVE_UNIT)["Service"]
    assert service["User"] == ["werkplaats"]
    assert service["KillSignal"] == ["SIGTERM"]
    assert service["TimeoutStopSec"] == ["30"]
    assert service["Restart"] == ["on-failure"]
    assert service["EnvironmentFile"] == ["/etc/werkplaats/werkplaats.env"]
    [exec_start] = service["ExecStart"]
    assert shlex.split(exec_start) == [
        "/opt/werkplaats/venv/bin/werkplaats",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "%i",
    ]
    for key, value in HARDENING.items():
        assert service.get(key) == [value], key
    assert unit(SERVE_UNIT)["Install"]["WantedBy"] == ["multi-user.target"]


def test_the_migrate_unit_runs_before_every_serve_process() -> None:
    serve = unit(SERVE_UNIT)["Unit"]
    assert "werkplaats-migrate.service" in " ".join(serve["Wants"])
    assert "Requires" not in serve, "a migration failed at boot would fail the serve units"
    assert unit(SERVE_UNIT)["Service"]["RestartSec"] == ["5"]
    assert "werkplaats-migrate.service" in " ".join(serve["After"])
    migrate = unit(MIGRATE_UNIT)["Service"]
    assert migrate["Type"] == ["oneshot"]
    assert migrate["User"] == ["werkplaats"]
    assert migrate["ExecStart"] == ["/opt/werkplaats/venv/bin/werkplaats migrate"]
    assert migrate["EnvironmentFile"] == unit(SERVE_UNIT)["Service"]["EnvironmentFile"]
    for key, value in HARDENING.items():
        assert migrate.get(key) == [value], key


def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package)")
    system = Path("/usr/lib/systemd/system")
    units = tmp_path / "etc" / "systemd" / "system"
    shutil.copytree(system, tmp_path / "usr" / "lib" / "systemd" / "system", symlinks=True)
    units.mkdir(parents=True)
    for path in (SERVE_UNIT, MIGRATE_UNIT):
        shutil.copy(path, units / path.name)
    command = tmp_path / "opt" / "werkplaats" / "venv" / "bin" / "werkplaats"
    command.parent.mkdir(parents=True)
    command.write_text("#!/bin/sh\n")
    command.chmod(0o755)
    (tmp_path / "etc" / "werkplaats").mkdir()
    (tmp_path / "etc" / "werkplaats" / "werkplaats.env").write_text("")
    done = subprocess.run(
        [
            *(analyze, "verify", f"--root={tmp_path}", "--man=no"),
            *("werkplaats-migrate.service", "werkplaats@8001.service", "werkplaats@8002.service"),
        ],
        cwd=units,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # verify exits 0 on unknown keys and bad values too; it only says so.
    assert done.returncode == 0 and not done.stderr.strip() and not done.stdout.strip(), (
        done.stdout + done.stderr
    )


# --- env.example and the README -------------------------------------------------------------------


def test_env_example_lists_exactly_the_documented_settings() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    names = re.findall(r"^#?\s*(WERKPLAATS_[A-Z_]+)=", text, flags=re.MULTILINE)
    assert len(names) == len(set(names)), "a setting is listed twice"
    assert set(names) == set(DOCUMENTED), (
        f"missing: {sorted(set(DOCUMENTED) - set(names))}; "
        f"unknown: {sorted(set(names) - set(DOCUMENTED))}"
    )
    assert "secrets.token_urlsafe(48)" in text


def test_every_relative_link_in_the_deploy_readme_resolves() -> None:
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    relative = [t for t in targets if not re.match(r"[a-z]+:", t) and not t.startswith("#")]
    assert relative, "the README links nothing"
    for target in relative:
        path = (README.parent / target.split("#", 1)[0]).resolve()
        assert path.exists(), f"deploy/README.md links {target}, which does not exist"


def test_the_main_readme_links_the_deploy_readme() -> None:
    assert "(deploy/README.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
