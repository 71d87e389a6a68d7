"""Fixtures shared by the live-session tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
