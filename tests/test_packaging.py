"""The built wheel carries everything the app reads at run time, not only the Python code."""

from __future__ import annotations

import subprocess
import sys
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
