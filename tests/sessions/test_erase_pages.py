"""Erasure from the coordinator page, and the command line's refusals of bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.server.test_cli import run
from tests.sessions.erasure import dump, logged_in, reconnected, scene, traces
from tests.sessions.live import Client, Server


@pytest.fixture(scope="module")
def server(coordinator_server: Server) -> Server:
    return coordinator_server


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


# The coordinator page ------------------------------------------------------------------------


def _csrf(page: httpx.Response) -> str:
    return page.text.split('name="csrf_token" value="')[1].split('"')[0]


async def test_the_coordinator_page_erases_and_the_running_server_forgets(server: Server) -> None:
    scene_ = await scene(server, "Yolanda Zeppelinstra", "Yo Z.", "Zeppelinstra")
    facilitator = await server.facilitator()
    try:
        assert (await facilitator.get("/beheer/wissen")).status_code == 403
        token = facilitator.cookies["werkplaats_csrf"]
        refused = await facilitator.post(
            "/beheer/wissen",
            data={"csrf_token": token, "op": "erase", "kind": "name", "q": "Yolanda Zeppelinstra"},
        )
        assert refused.status_code == 403
        assert (await facilitator.get("/beheer/audit")).status_code == 403
    finally:
        await facilitator.aclose()
    assert traces(await dump(server), "zeppelinstra")

    coordinator = await logged_in(server, "co@example.org")
    try:
        form = await coordinator.get("/beheer/wissen")
        assert form.status_code == 200
        fields = {"csrf_token": _csrf(form), "kind": "name", "q": "yolanda zeppelinstra"}
        preview = await coordinator.post("/beheer/wissen", data={**fields, "op": "preview"})
        assert preview.status_code == 200
        assert "Wat zou veranderen" in preview.text and scene_.public_id in preview.text
        assert 'id="confirm-erase"' in preview.text
        assert traces(await dump(server), "zeppelinstra")  # a preview changes nothing
        done = await coordinator.post("/beheer/wissen", data={**fields, "op": "erase"})
        assert done.status_code == 200 and 'id="erase-result"' in done.text
        assert not traces(done.text, "zeppelinstra")
        # No restart: the server reloaded the session from its erased log.
        assert not traces(await dump(server), "zeppelinstra", "Yo Z.")
        await reconnected(server, scene_, "zeppelinstra", "Yo Z.")
        audit = await coordinator.get("/beheer/audit", params={"action": "erase"})
        assert audit.status_code == 200
        assert f"session:{scene_.public_id}/{scene_.person.participant}" in audit.text
        assert "Coby Coördinator" in audit.text and not traces(audit.text, "zeppelinstra")
        again = await coordinator.post("/beheer/wissen", data={**fields, "op": "preview"})
        assert "Niets te veranderen" in again.text and 'id="confirm-erase"' not in again.text
    finally:
        await coordinator.aclose()


# Bad input ------------------------------------------------------------------------------------


def test_bad_arguments_are_refused_clearly(server: Server) -> None:
    cases = [
        ((), "one of the arguments --name --participant --account --replay is required"),
        (("--name", "Ab", "--since", "2026-01-01"), "--since goes with --replay only"),
        (("--replay", "--since", "gisteren"), "is not a date (YYYY-MM-DD)"),
        (("--replay", "/nonexistent/erasures.log"), "there is no erasure journal"),
        (("--name", "A", "--account", "a@example.org"), "not allowed with argument"),
        (("--name", "   "), "A name to erase needs 2 to 120 characters"),
        (("--name", "Z"), "erase the participant (PUBLIC_ID:PARTICIPANT) instead"),
        (("--participant", "abc"), "Name the participant as PUBLIC_ID:PARTICIPANT"),
        (("--participant", "nosuch:p1"), "There is no session nosuch."),
        (("--account", "not-an-email"), "is not an email address"),
    ]
    for args, message in cases:
        result = run("erase", *args, "--yes", env=server.env)
        assert result.returncode == 2, (args, result.stdout)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    help_text = run("erase", "--help", env=server.env)
    assert help_text.returncode == 0 and "restart" in help_text.stdout


async def test_an_unknown_participant_of_a_session_is_named(server: Server) -> None:
    created = await server.create_session()
    result = run("erase", f"--participant={created['session']}:pNobody", env=server.env)
    assert result.returncode == 2
    assert f"Session {created['session']} has no participant pNobody." in result.stderr
