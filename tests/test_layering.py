"""Imports point one way: the server core ← the catalogue ← live sessions.

- server/ is the core (accounts, database, errors, the bus, the CLI's parsing): it imports no
  domain, except server/app.py, the assembly that mounts the domains' routes, lifespans, CLI
  handlers and erasers;
- catalogue/ may import the server core, never sessions/;
- sessions/ may import both.

Inside the catalogue, the pure modules (content validation, matching, the evidence summary, the
catalogue page's search) import no database, no web framework and no endpoint module of a
package (models, queries, actions, pages, api, cli): they are what the endpoints call.

Every import counts: at the top, inside functions (the lazy ones) and under TYPE_CHECKING.
Tried: `from sessions import state` in catalogue/vocabulary.py fails
test_the_catalogue_never_imports_live_sessions; `from catalogue import library` inside a
function of server/pages.py fails test_the_server_core_imports_no_domain; `from sqlalchemy
import select` in catalogue/matching/rank.py and `from catalogue.variants import queries` in
catalogue/evidence/summary.py each fail test_the_pure_catalogue_modules_do_no_io.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOMAINS = ("catalogue", "sessions")
# The one place that knows every domain: it assembles them into the app and the CLI.
ASSEMBLY = "server/app.py"


def imports(path: Path, names: bool = False) -> Iterator[tuple[int, str]]:
    """(line, module) of every import in a file, wherever it stands; with `names`, also each
    name a `from` import takes (`from a import b` gives a and a.b: b may be a module)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            if names:
                for alias in node.names:
                    yield node.lineno, f"{node.module}.{alias.name}"


def offending(package: str, forbidden: tuple[str, ...], exempt: str = "") -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name == exempt:
            continue
        for line, module in imports(path):
            if module.split(".")[0] in forbidden:
                found.append(f"{name}:{line} imports {module}")
    return found


def test_the_server_core_imports_no_domain() -> None:
    assert offending("server", DOMAINS, exempt=ASSEMBLY) == []


def test_the_catalogue_never_imports_live_sessions() -> None:
    assert offending("catalogue", ("sessions",)) == []


def test_the_rule_sees_lazy_imports() -> None:
    """A check that cannot fail is no check: the assembly itself imports both domains, also
    inside functions, and the rule finds those imports."""
    assembly = {module.split(".")[0] for _, module in imports(ROOT / ASSEMBLY)}
    assert set(DOMAINS) <= assembly


# The catalogue's pure modules, and what makes a module not pure.
PURE = (
    "catalogue/schema.py",
    "catalogue/vocabulary.py",
    "catalogue/matching",
    "catalogue/evidence/summary.py",
    "catalogue/variants/schema.py",
    "catalogue/regions/schema.py",
    "catalogue/variants/search.py",
)
IO_PACKAGES = ("sqlalchemy", "starlette", "httpx", "asyncpg", "aiosqlite")
ENDPOINT_MODULES = ("models", "queries", "actions", "pages", "api", "cli")


def test_the_pure_catalogue_modules_do_no_io() -> None:
    paths = [
        path for name in PURE for path in sorted((ROOT / name).glob("**/*.py")) or [ROOT / name]
    ]
    assert len(paths) >= len(PURE) and all(path.is_file() for path in paths)
    found = []
    for path in paths:
        for line, module in imports(path, names=True):
            parts = module.split(".")
            if (
                parts[0] in IO_PACKAGES
                or module == "server.db"
                or (parts[0] == "catalogue" and parts[-1] in ENDPOINT_MODULES)
            ):
                found.append(f"{path.relative_to(ROOT).as_posix()}:{line} imports {module}")
    assert found == []
