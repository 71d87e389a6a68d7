"""The real OpenID provider the login tests talk to, and a tampering proxy before its token
endpoint: `oidc-provider` (npm, tests/oidc/provider.mjs) in a node process on loopback, and a
small HTTP server on loopback that passes the provider's token answers on, or changes the ID
token in them the way an attacker or a broken provider would."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.ports import free_port

HERE = Path(__file__).parent
NODE = shutil.which("node")
CLIENT_ID = "werkplaats-test"
CLIENT_SECRET = "a-client-secret-of-the-tests-only-0123456789"
MISSING = (
    "The OpenID provider of the tests is not installed: run `npm ci --prefix tests/oidc` "
    "(needs node and npm)"
)


@dataclass
class Tamper:
    """What the proxy does to the next ID tokens: nothing ("pass") or one change."""

    mode: str = "pass"
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048))


@dataclass(frozen=True)
class Provider:
    issuer: str
    tamper: Tamper


def missing() -> str | None:
    """Why the provider cannot run here, or None."""
    if NODE is None or not (HERE / "node_modules" / "oidc-provider").is_dir():
        return MISSING
    return None


def require_provider() -> None:
    """Skip without the provider's node packages; under CI (CI=true), fail: they must run."""
    why = missing()
    if why is not None:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


def _changed(id_token: str, tamper: Tamper, key: RSAKey) -> str:
    header_part = id_token.split(".", 1)[0]
    header = json.loads(base64.urlsafe_b64decode(header_part + "=" * (-len(header_part) % 4)))
    claims: dict[str, Any] = jwt.decode(id_token, key).claims
    signing_key = key
    if tamper.mode == "forged_signature":
        claims["email"] = "someone.else@example.org"
        signing_key = RSAKey.generate_key(2048)  # the attacker's: not the provider's
    elif tamper.mode == "unknown_key":
        signing_key = RSAKey.generate_key(2048)
        header["kid"] = "a-key-the-provider-never-published"
    elif tamper.mode == "wrong_audience":
        claims["aud"] = "another-site"
    elif tamper.mode == "expired":
        claims["iat"] = int(time.time()) - 3600
        claims["exp"] = int(time.time()) - 1800
    elif tamper.mode == "no_nonce":
        claims.pop("nonce", None)
    return jwt.encode({"alg": header["alg"], "kid": header["kid"]}, claims, signing_key)


def _proxy(token_endpoint: str, tamper: Tamper, key: RSAKey) -> Starlette:
    async def token(request: Request) -> Response:
        headers = {
            name: value
            for name, value in request.headers.items()
            if name in ("authorization", "content-type", "accept")
        }
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                token_endpoint, content=await request.body(), headers=headers
            )
        body = answer.json()
        if answer.status_code == 200 and tamper.mode != "pass":
            body["id_token"] = _changed(body["id_token"], tamper, key)
        return JSONResponse(body, status_code=answer.status_code)

    return Starlette(routes=[Route("/token", token, methods=["POST"])])


@contextmanager
def _serving_in_thread(app: Starlette, port: int) -> Iterator[None]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the tampering proxy did not start"
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def running_provider(redirect_uri: str, log: Path) -> Iterator[Provider]:
    """The provider (for `redirect_uri`) and its proxy, until the block ends."""
    assert NODE is not None
    key = RSAKey.generate_key(
        2048, parameters={"kid": "provider-key", "use": "sig", "alg": "RS256"}
    )
    port, proxy_port = free_port(), free_port()
    issuer = f"http://127.0.0.1:{port}"
    tamper = Tamper()
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URI": redirect_uri,
        "SIGNING_KEY": json.dumps(key.as_dict(private=True)),
        "TOKEN_ENDPOINT": f"http://127.0.0.1:{proxy_port}/token",
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [NODE, str(HERE / "provider.mjs")], env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_up(issuer, process, log)
            with _serving_in_thread(_proxy(f"{issuer}/token", tamper, key), proxy_port):
                yield Provider(issuer, tamper)
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_until_up(issuer: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).is_success:
                return
        except httpx.TransportError:
            pass
        assert process.poll() is None, log.read_text()
        time.sleep(0.1)
    raise AssertionError(f"the OpenID provider did not start:\n{log.read_text()}")
