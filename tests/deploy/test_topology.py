"""The production topology, run for real: PostgreSQL, two `werkplaats serve` processes and
nginx with the shipped site (deploy/topology), all from Debian's packages, on loopback.

Twenty participants are driven through nginx over HTTPS while processes stop (SIGTERM, SIGKILL,
the documented rolling upgrade) and PostgreSQL restarts. Each participant reconnects as the
workspace does (sessions/client/connection.js): only its websocket, after a backoff,
never loading a page first. After every fault all of them must have a note acknowledged within
BACK_WITHIN, and no acknowledged event may be lost. Which process a client landed on is read
from each process's /metrics. The site's other promises are checked against the same nginx:
its access log (no addresses, no query strings), its TLS (NCSC-NL "goed", with
`openssl s_client`) and its body limit.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.machinery
import importlib.util
import json
import re
import shutil
import signal
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from server.settings import normalize_database_url
from tests.deploy.topology_clients import (
    MAX_BODY,
    PARTICIPANTS,
    ROOT,
    Tab,
    check_nothing_lost,
    connections,
    fault,
    open_tabs,
    until_on_processes,
    write_all,
)
from tests.ports import free_port
from tests.sessions.live import Client, Server


def _load_topology() -> ModuleType:
    path = ROOT / "deploy" / "topology"
    loader = importlib.machinery.SourceFileLoader("werkplaats_topology", str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # dataclasses look their module up
    loader.exec_module(module)
    return module


topology_module = _load_topology()


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    missing = []
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        missing.append("nginx (apt-get install nginx)")
    if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
        missing.append("PostgreSQL's server (apt-get install postgresql)")
    if not shutil.which("openssl"):
        missing.append("openssl")
    if missing:
        pytest.skip("the deploy topology needs " + ", ".join(missing))
    # Its ports from the tests' registry (tests/ports.py), as every server the tests start.
    vars(topology_module)["free_port"] = free_port
    topology = topology_module.Topology(
        tmp_path_factory.mktemp("topology"), postgres_port=free_port(), nginx_port=free_port()
    )
    try:
        topology.start()
        yield topology
    finally:
        topology.stop()


@pytest.fixture(scope="module")
def server(topology: Any, tmp_path_factory: pytest.TempPathFactory) -> Server:
    """The site as browsers reach it: nginx over HTTPS, trusting the throw-away certificate."""
    context = ssl.create_default_context(cafile=str(topology.certificate))
    data = tmp_path_factory.mktemp("clients")
    database_url = normalize_database_url(topology.database_url)  # read by the checks
    server = Server.behind(topology.url, database_url, data, context)
    server.env = topology.env()
    server.prepare()  # the facilitator account (migrate and seed again change nothing)
    return server


@pytest.fixture(autouse=True)
async def _close_clients(topology: Any) -> AsyncIterator[None]:
    # Every test starts with both processes running, whatever the one before left behind.
    for index in range(len(topology.webs)):
        await asyncio.to_thread(topology.start_web, index)
    yield
    await Tab.close_all()
    await Client.close_all()


# --- faults -----------------------------------------------------------------------------------


async def test_a_restart_and_then_a_failure_of_the_other_process_locks_nobody_out(
    topology: Any, server: Server
) -> None:
    created = await server.create_session()
    public_id = str(created["session"])
    tabs = await open_tabs(server, created, PARTICIPANTS, "Deelnemer")
    # nginx hashes on the session: all of them land on one process.
    counts = await connections(topology)
    assert sorted(counts, key=str) == [0, PARTICIPANTS], counts
    home = counts.index(PARTICIPANTS)
    other = 1 - home
    await write_all(tabs, "voor")

    # SIGTERM: the process stops accepting, closes its websockets (1012), lets the app finish
    # and ends by the signal (uvicorn raises it again once shut down, for whoever watches).
    code = await fault(tabs, "na-stop", lambda: topology.stop_web(home))
    assert code == -signal.SIGTERM
    assert "Application shutdown complete" in topology.webs[home].log.read_text()
    await until_on_processes(topology, _gone(home, PARTICIPANTS), "everyone resumed on the other")

    # The process comes back. Newcomers hash to it at once, while the resumed stay where they
    # are: one session, clients on both processes (the PostgreSQL bus between them).
    await asyncio.to_thread(topology.start_web, home)
    newcomers = await open_tabs(server, created, 2, "Nieuw")
    spread = await connections(topology)
    tabs += newcomers
    await write_all(tabs, "verspreid")

    # Then the other process dies (SIGKILL, no goodbye): everyone must get back on the one
    # that was restarted, although nothing but websockets reached it since its restart.
    await fault(tabs, "na-kill", lambda: topology.stop_web(other, kill=True))
    await until_on_processes(topology, _gone(other, len(tabs)), "everyone on the one left")
    expected_spread: list[int | None] = [0, 0]
    expected_spread[home], expected_spread[other] = 2, PARTICIPANTS
    assert spread == expected_spread, "newcomers did not go to the restarted process"
    await asyncio.to_thread(topology.start_web, other)

    # Converging to the log means the notes written on one process reached the clients of the
    # other (the PostgreSQL bus).
    await check_nothing_lost(server, public_id, tabs)


def _gone(stopped: int, count: int) -> list[int | None]:
    """Everyone (`count`) on the process left while `stopped` is down."""
    counts: list[int | None] = [None, None]
    counts[1 - stopped] = count
    return counts


SESSIONS_TO_TRY = 40


async def sessions_on_both(server: Server, topology: Any) -> list[dict[str, Any]]:
    """Two sessions that nginx hashes to different processes, one on each.

    The consistent hash's ring depends on the processes' ports, which each run picks anew, so
    one process may own well over half of it: 40 tries make missing the other one (0.7 ** 40
    at a 70/30 ring) a once-in-a-million event, where 12 failed a CI run."""
    homes: dict[int, dict[str, Any]] = {}
    for _ in range(SESSIONS_TO_TRY):
        created = await server.create_session()
        probe = await open_tabs(server, created, 1, "Proef")
        counts = await connections(topology)
        await probe[0].close()
        home = counts.index(1)  # the probe's connection is counted before its welcome
        homes.setdefault(home, created)
        await until_on_processes(topology, [0, 0], "the probe gone")
        if len(homes) == 2:
            return [homes[0], homes[1]]
    raise AssertionError(f"{SESSIONS_TO_TRY} sessions all hashed to process {home}")


async def test_the_documented_rolling_upgrade_locks_nobody_out(
    topology: Any, server: Server
) -> None:
    sessions = await sessions_on_both(server, topology)
    half = PARTICIPANTS // 2
    groups = [await open_tabs(server, created, half, "Deelnemer") for created in sessions]
    tabs = groups[0] + groups[1]
    await until_on_processes(topology, [half, half], "a session on each process")
    await write_all(tabs, "voor")

    # deploy/README.md, "Upgrading": restart the serve processes one at a time, each when the
    # one before answers /healthz (`systemctl restart werkplaats@8001`, then @8002).
    for index in (0, 1):
        await fault(
            tabs,
            f"na-herstart-{index}",
            functools.partial(topology.stop_web, index),
            then=functools.partial(topology.start_web, index),
        )
    await until_on_processes(topology, [PARTICIPANTS, 0], "everyone on the first, restarted")
    for created, group in zip(sessions, groups, strict=True):
        await check_nothing_lost(server, str(created["session"]), group)


async def test_postgresql_restarting_mid_session_loses_nothing(
    topology: Any, server: Server
) -> None:
    created = await server.create_session()
    public_id = str(created["session"])
    tabs = await open_tabs(server, created, PARTICIPANTS, "Deelnemer")
    await write_all(tabs, "voor")
    logged_before = [len(web.log.read_text().splitlines()) for web in topology.webs]

    # Notes sent while PostgreSQL is down are refused `not_stored` and sent again; after it
    # is back, everyone's next note is acknowledged within the bound.
    during = asyncio.create_task(write_all(tabs, "tijdens"))
    await asyncio.sleep(0.2)
    await fault(tabs, "na-herstart-postgresql", lambda: topology.restart_postgres(down_for=2.0))
    await during
    assert all(web.process.poll() is None for web in topology.webs), "a process died"
    async with httpx.AsyncClient(timeout=5) as http:
        for web in topology.webs:
            assert (await http.get(f"{web.url}/healthz")).status_code == 200
    await check_nothing_lost(server, public_id, tabs)
    # Each process said so in its log (structured lines), rather than retrying silently.
    for web, skip in zip(topology.webs, logged_before, strict=True):
        lines = web.log.read_text().splitlines()[skip:]
        entries = [json.loads(line) for line in lines if line.startswith("{")]
        assert any(e["level"] in ("WARNING", "ERROR") for e in entries), lines[-20:]


# --- what nginx itself promises ----------------------------------------------------------------


async def test_the_access_log_holds_no_addresses_and_no_query_strings(
    topology: Any, server: Server
) -> None:
    created = await server.create_session()
    code = str(created["join_code"])
    async with server.http() as http:
        assert (await http.get("/join", params={"code": code})).status_code == 200
        await http.get("/api/outcomes", params={"q": "vertrouwelijk"})
        joined = await http.post(f"/api/sessions/{code}/join", json={"name": "Jan Jansen"})
        assert joined.status_code == 201, joined.text
    log = topology.access_log.read_text()
    assert "/join" in log and "/api/outcomes" in log, log  # it logs, without what identifies
    for secret in ("127.0.0.1", "?", "code=", code, "vertrouwelijk", "Jan"):
        assert secret not in log, f"{secret!r} in nginx's access log:\n{log}"


def s_client(topology: Any, *options: str) -> tuple[bool, str]:
    """A TLS handshake with the site by `openssl s_client`: (succeeded, its output)."""
    done = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{topology.nginx_port}", *options],
        input="",
        capture_output=True,
        text=True,
        timeout=30,
    )
    output = done.stdout + done.stderr
    # The client must have been able to offer what was asked, or a refusal proves nothing.
    assert "no protocols available" not in output and "no cipher match" not in output, output
    cipher = re.search(r"Cipher is (\S+)", output)
    return done.returncode == 0 and cipher is not None and cipher[1] != "(NONE)", output


def test_tls_follows_the_ncsc_guidelines(topology: Any) -> None:
    """NCSC-NL's TLS guidelines, "goed": TLS 1.3 and 1.2; in 1.2 only ECDHE with AES-GCM or
    ChaCha20-Poly1305 (forward secrecy, no CBC, no SHA-1 MAC); the named curves; no session
    tickets; no version in the Server header. (The throw-away certificate has an RSA key.)"""
    # Older clients' settings, so that only the server can be the one saying no.
    old = "DEFAULT:@SECLEVEL=0"
    accepted, output = s_client(topology, "-tls1_2", "-cipher", "AES128-SHA:@SECLEVEL=0")
    assert not accepted, "TLS 1.2 with AES128-SHA (static RSA, CBC, SHA-1) was accepted"
    accepted, output = s_client(topology, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA:@SECLEVEL=0")
    assert not accepted, "TLS 1.2 with ECDHE-RSA-AES128-SHA (CBC, SHA-1) was accepted"
    accepted, output = s_client(topology, "-tls1_1", "-cipher", old)
    assert not accepted, "TLS 1.1 was accepted"
    accepted, output = s_client(topology, "-tls1_2", "-curves", "secp521r1")
    assert not accepted, "TLS 1.2 with the curve secp521r1 was accepted"

    accepted, output = s_client(topology, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")
    assert accepted, output
    assert "Cipher is ECDHE-RSA-AES128-GCM-SHA256" in output
    # Resumption by ticket would tie forward secrecy to a key kept for the server's lifetime.
    assert "TLS session ticket" not in output, "nginx issued a session ticket"
    for curve in ("X25519", "prime256v1", "secp384r1"):
        accepted, output = s_client(topology, "-tls1_2", "-curves", curve)
        assert accepted, f"{curve}: {output}"
    accepted, output = s_client(topology, "-tls1_3")
    assert accepted, output
    assert "TLSv1.3" in output
    accepted, output = s_client(topology, "-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_SHA256")
    assert not accepted, "TLS 1.3 with AES-CCM was accepted"

    context = ssl.create_default_context(cafile=str(topology.certificate))
    answer = httpx.get(f"{topology.url}/healthz", verify=context)
    assert answer.headers["server"] == "nginx", answer.headers["server"]


async def test_a_body_over_the_limit_is_refused_by_nginx(topology: Any, server: Server) -> None:
    created = await server.create_session()
    code = str(created["join_code"])
    async with server.http() as http:
        too_big = await http.post(
            f"/api/sessions/{code}/join",
            content=b'{"name": "' + b"x" * MAX_BODY + b'"}',
            headers={"Content-Type": "application/json"},
        )
        # nginx's own page: the body never reached a process.
        assert too_big.status_code == 413
        assert "Request Entity Too Large" in too_big.text, too_big.text
        within = await http.post(
            f"/api/sessions/{code}/join",
            content=b'{"name": "' + b"x" * (MAX_BODY - 1024) + b'"}',
            headers={"Content-Type": "application/json"},
        )
        assert "Request Entity Too Large" not in within.text  # passed on to the app
