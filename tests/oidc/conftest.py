"""Fixtures of the institution login tests: a real OpenID provider on loopback (tests/oidc/peer.py)
and the app set up to log in with it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from server.oidc import CALLBACK_PATH
from server.settings import Settings
from tests.helpers import SECRET_KEY
from tests.oidc.peer import (
    CLIENT_ID,
    CLIENT_SECRET,
    Provider,
    require_provider,
    running_provider,
)

SITE = "http://testserver"  # the app's address for the httpx client (tests/conftest.py)


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    require_provider()
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    with running_provider(SITE + CALLBACK_PATH, log) as running:
        yield running


@pytest.fixture(autouse=True)
def _honest_proxy(provider: Provider) -> Iterator[None]:
    yield
    provider.tamper.mode = "pass"


def oidc_settings(database_url: str, data_dir: Path, issuer: str, **more: object) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=SECRET_KEY,
        data_dir=data_dir,
        public_url=SITE,
        oidc_issuer=issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        **more,  # type: ignore[arg-type]
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path, provider: Provider) -> Settings:
    return oidc_settings(database_url, tmp_path, provider.issuer)
