"""Reproducible builds (issue 14): the image's dependencies come from lock files with hashes,
and its base images by digest, so two builds of one commit start from the same bytes."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.deploy_files import arg_defaults, dockerfile_stages, expand_args

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
LOCK = DEPLOY / "requirements.lock"
BUILD_LOCK = DEPLOY / "requirements-build.lock"
# Every Dockerfile an operator builds: the app's image and the backup job's.
DOCKERFILES = [DEPLOY / "Dockerfile", DEPLOY / "backup" / "Dockerfile"]
# The image runs CPython 3.11 on Linux: the markers of the lock are evaluated for that.
IMAGE = {**default_environment(), "python_version": "3.11", "python_full_version": "3.11.16"}
IMAGE |= {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"}


def pins(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of the pins that apply to the image (markers evaluated)."""
    text = re.sub(r"\\\n\s*", " ", path.read_text(encoding="utf-8"))
    found: dict[str, tuple[str, list[str]]] = {}
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", line)
        requirement = Requirement(re.sub(r"\s*--hash=\S+", "", line))
        if requirement.marker is not None and not requirement.marker.evaluate(IMAGE):
            continue
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{path.name}: {line} is not pinned with =="
        found[canonicalize_name(requirement.name)] = (specifier.version, hashes)
    return found


def test_every_pin_has_hashes() -> None:
    for path in (LOCK, BUILD_LOCK):
        for name, (version, hashes) in pins(path).items():
            assert hashes, f"{path.name}: {name}=={version} has no --hash"


def _needs(requirement: Requirement, seen: set[str]) -> None:
    """Every distribution `requirement` brings, with its extras, as installed here."""
    name = canonicalize_name(requirement.name)
    key = f"{name}[{','.join(sorted(requirement.extras))}]"
    if key in seen:
        return
    seen.add(key)
    for raw in metadata.requires(requirement.name) or []:
        dependency = Requirement(raw)
        marker = dependency.marker
        applies = [
            marker is None or marker.evaluate({**IMAGE, "extra": extra})
            for extra in [*requirement.extras, ""]
        ]
        if any(applies):
            _needs(dependency, seen)


def test_the_lock_covers_every_runtime_dependency_within_its_range() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    locked = pins(LOCK)
    for raw in pyproject["project"]["dependencies"]:
        requirement = Requirement(raw)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"deploy/requirements.lock has no {name} (pyproject: {raw})"
        assert requirement.specifier.contains(locked[name][0], prereleases=True), (
            f"{name}=={locked[name][0]} in the lock is outside pyproject's {raw!r}"
        )
    # And what they bring with them, extras included (uvicorn[standard], sqlalchemy[asyncio]):
    # with --require-hashes pip refuses to install anything the lock does not name.
    seen: set[str] = set()
    for raw in pyproject["project"]["dependencies"]:
        _needs(Requirement(raw), seen)
    needed = {key.split("[")[0] for key in seen}
    assert needed - set(locked) == set(), f"the lock misses {sorted(needed - set(locked))}"


def test_the_build_lock_pins_the_build_backend_within_its_range() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    locked = pins(BUILD_LOCK)
    for raw in [*pyproject["build-system"]["requires"], "build"]:
        requirement = Requirement(raw)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"deploy/requirements-build.lock has no {name}"
        assert requirement.specifier.contains(locked[name][0])


def test_every_base_image_is_pinned_by_digest() -> None:
    for path in DOCKERFILES:
        text = path.read_text(encoding="utf-8")
        defaults: dict[str, str] = {}
        for line in text.splitlines():  # ARGs before the first FROM set the FROM lines' values
            if line.startswith("FROM"):
                break
            if line.startswith("ARG ") and "=" in line:
                name, _, value = line[4:].partition("=")
                defaults[name.strip()] = value.strip()
        stages = dockerfile_stages(text)
        assert stages, path
        names = {stage.name for stage in stages if stage.name}
        for stage in stages:
            base = expand_args(stage.base, {**defaults, **arg_defaults(stage)})
            if base in names:
                continue  # FROM an earlier stage
            assert re.fullmatch(r"[\w./:-]+@sha256:[0-9a-f]{64}", base), (
                f"{path.relative_to(ROOT)}: FROM {base} is not pinned by digest"
            )


def test_the_image_installs_only_what_the_locks_name() -> None:
    runs = " ".join(dockerfile_stages((DEPLOY / "Dockerfile").read_text())[0].all("RUN"))
    installs = re.findall(r"pip (?:--python \S+ )?install ([^&]*)", runs)
    assert installs, "the builder installs nothing with pip"
    for install in installs:
        # Either from a lock, every file checked against its hash, or the wheel just built
        # with --no-index (nothing fetched: a dependency the lock missed fails the build).
        assert ("--require-hashes" in install and "requirements" in install) or (
            "--no-index" in install and "/wheels/" in install
        ), f"pip install {install.strip()}"
    assert "--no-isolation" in runs, "an isolated build fetches an unpinned build backend"


def test_every_image_compose_pulls_is_pinned_by_digest() -> None:
    """PostgreSQL and nginx in compose.yaml come by digest too; the images compose builds
    (werkplaats, werkplaats-backup) are the Dockerfiles above. The PostgreSQL server and the
    backup job's pg_dump are one image, so a dump always matches its server."""
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    built = {"werkplaats:latest", "werkplaats-backup:latest"}
    pulled = {
        name: service["image"]
        for name, service in compose["services"].items()
        if "image" in service and service["image"] not in built
    }
    assert {"postgres", "nginx"} <= set(pulled)
    for name, image in pulled.items():
        assert re.fullmatch(r"[\w./:-]+@sha256:[0-9a-f]{64}", image), (
            f"compose.yaml: {name} pulls {image}, not pinned by digest"
        )
    backup = (DEPLOY / "backup" / "Dockerfile").read_text(encoding="utf-8")
    assert f"ARG POSTGRES_IMAGE={pulled['postgres']}" in backup
