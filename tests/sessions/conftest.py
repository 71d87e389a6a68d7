"""Fixtures shared by the live-session tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import PASSWORD
from tests.server.test_cli import run
from tests.sessions.live import BACKENDS, Server, prepared_server, running


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One running server per backend for a test module; every test makes its own session on
    it. A module that needs more (accounts, settings) defines its own `server`."""
    with prepared_server(request.param, tmp_path_factory.mktemp("server")) as server:
        with running(server):
            yield server


@pytest.fixture(scope="module", params=BACKENDS)
def coordinator_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One running server per backend for a test module, with a coordinator account
    (co@example.org, "Coby Coördinator"); a module takes it as its `server`."""
    with prepared_server(request.param, tmp_path_factory.mktemp("erase")) as server:
        created = run(
            "createuser",
            "--email",
            "co@example.org",
            "--name",
            "Coby Coördinator",
            "--role",
            "coordinator",
            "--password-stdin",
            env=server.env,
            stdin=PASSWORD + "\n",
        )
        assert created.returncode == 0, created.stderr
        with running(server):
            yield server
