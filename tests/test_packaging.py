"""The built wheel carries everything the app reads at run time, not only the Python code."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGES = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]


def test_the_wheel_ships_templates_static_files_translations_migrations_and_content(
    tmp_path: Path,
) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("werkplaats-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "templates/base.html",
        "server/static/app.css",
        "sessions/client/main.js",
        "server/locale/nl/LC_MESSAGES/messages.po",
        "server/migrations/env.py",
        "server/migrations/script.py.mako",
        "server/migrations/versions/0001_accounts.py",
        "catalogue/content/goals.toml",
        "catalogue/content/variants/intervisie.toml",
    }
    assert expected <= names, sorted(expected - names)
    # Every file the packages read at run time, not only those named above: a new kind of file
    # (a template folder, a static asset, a content file) must reach the wheel, and with it the
    # container image (deploy/Dockerfile installs this wheel).
    on_disk = {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert on_disk <= names, f"not in the wheel: {sorted(on_disk - names)}"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "werkplaats = server.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def _install_in(tmp_path: Path, *args: str) -> list[str]:
    """Run scripts/install in a copy of the checkout whose .venv/bin/python only writes down
    how it was called; the calls it made."""
    (tmp_path / "scripts").mkdir(exist_ok=True)
    script = tmp_path / "scripts" / "install"
    script.write_text((ROOT / "scripts" / "install").read_text(encoding="utf-8"))
    script.chmod(0o755)
    calls = tmp_path / "calls"
    calls.unlink(missing_ok=True)
    venv_python = tmp_path / ".venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True, exist_ok=True)
    venv_python.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    venv_python.chmod(0o755)
    subprocess.run(
        [str(script), *args],
        env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable},
        check=True,
        capture_output=True,
    )
    return calls.read_text().splitlines() if calls.exists() else []


def test_install_runs_again_only_when_pyproject_changed(tmp_path: Path) -> None:
    """scripts/install: 'installs again only when pyproject.toml changed since the last install';
    an install with the test tools holds everything a plain one would (scripts/demo after
    scripts/test must not install again and rebuild the de-identification data)."""
    (tmp_path / "pyproject.toml").write_text("")
    past = time.time() - 60
    os.utime(tmp_path / "pyproject.toml", (past, past))
    assert _install_in(tmp_path, "--test"), "a first install installs"
    assert _install_in(tmp_path, "--test") == []
    assert _install_in(tmp_path) == [], "the install with test tools already has it all"
    (tmp_path / "pyproject.toml").write_text("# changed\n")
    assert _install_in(tmp_path), "a changed pyproject.toml installs again"
