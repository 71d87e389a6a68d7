"""No session is locked out of being run, and nobody runs one after losing the right to.

A coordinator takes part in a running session as facilitator from its page (before, "Open de
sessie" sent a coordinator to the join form, where they became a participant); and when a
coordinator takes the facilitator role away from the account that started a session (she left
the team), that account's participant can no longer connect to it (before, its token kept
working in every session it had started). On a real server process, SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from sessions import events as ev
from tests.sessions.erasure import logged_in
from tests.sessions.live import (
    BACKENDS,
    Client,
    Server,
    facilitator,
    joined,
    prepared_server,
    running,
)
from tests.sessions.pages import text_of


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with prepared_server(request.param, tmp_path_factory.mktemp("take-over")) as server:
        server.add_account("co@example.org", "Coby Coördinator", "coordinator")
        with running(server):
            yield server


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "no CSRF field"
    return found.group(1)


async def test_a_coordinator_takes_part_as_facilitator_and_runs_the_session(
    server: Server,
) -> None:
    created = await server.create_session()
    fa = await facilitator(server, created)
    anna = await joined(server, created, "Anna")
    public_id = str(created["session"])
    coordinator = await logged_in(server, "co@example.org")
    try:
        # Opening the session sends the coordinator to its page, not to the join form.
        opened = await coordinator.get(f"/s/{public_id}")
        assert opened.status_code == 303 and opened.headers["location"] == f"/sessies/{public_id}"
        page = await coordinator.get(f"/sessies/{public_id}")
        assert "Meedoen als begeleider" in text_of(page.text)
        taken = await coordinator.post(
            f"/sessies/{public_id}/begeleiden", data={"csrf_token": _csrf(page)}
        )
        assert taken.status_code == 303 and taken.headers["location"] == f"/s/{public_id}"
        workspace = await coordinator.get(f"/s/{public_id}")
        assert workspace.status_code == 200
        own = re.search(r'data-participant="([^"]+)"', workspace.text)
        token = re.search(r'data-token="([^"]+)"', workspace.text)
        assert own and token and own.group(1).startswith("u")
        # Everyone sees the coordinator join, as facilitator.
        await anna.wait_for(lambda: own.group(1) in anna.state.people)
        person = anna.state.people[own.group(1)]
        assert (person.name, person.role) == ("Coby Coördinator", "facilitator")
        coby = Client(server, public_id, own.group(1), token.group(1))
        await coby.connect()
        await coby.do("c1", "phase.next")
        # Taking part twice adds nothing; the page now opens the session.
        again = await coordinator.get(f"/sessies/{public_id}")
        assert "Open de sessie" in text_of(again.text)
        before = len(await server.log(public_id))
        await coordinator.post(
            f"/sessies/{public_id}/begeleiden", data={"csrf_token": _csrf(again)}
        )
        assert len(await server.log(public_id)) == before
    finally:
        await coordinator.aclose()
    assert fa.state.people[fa.participant].role == "facilitator"


async def test_an_ended_session_is_not_taken_part_in(server: Server) -> None:
    created = await server.create_session()
    fa = await facilitator(server, created)
    await fa.do("f1", "session.end")
    public_id = str(created["session"])
    coordinator = await logged_in(server, "co@example.org")
    try:
        page = await coordinator.get(f"/sessies/{public_id}")
        assert "Meedoen als begeleider" not in text_of(page.text)
        refused = await coordinator.post(
            f"/sessies/{public_id}/begeleiden", data={"csrf_token": _csrf(page)}
        )
        assert refused.status_code == 409
        assert "afgelopen" in text_of(refused.text)
    finally:
        await coordinator.aclose()
    joins = [e for e in await server.log(public_id) if isinstance(e.body, ev.ParticipantJoined)]
    assert len(joins) == 1  # only the facilitator who started it


async def test_an_account_whose_role_was_taken_no_longer_connects(server: Server) -> None:
    created = await server.create_session()
    fa = await facilitator(server, created)
    anna = await joined(server, created, "Anna")
    account = int(str(created["participant"]).removeprefix("u"))
    coordinator = await logged_in(server, "co@example.org")
    try:
        accounts = await coordinator.get("/beheer/accounts")
        answer = await coordinator.post(
            f"/beheer/accounts/{account}/rollen",
            data={"csrf_token": _csrf(accounts), "roles": "educator"},
        )
        assert answer.status_code == 303, answer.text
        # Her tab drops and comes back: refused, as a removed participant's is.
        await fa.close()
        back = Client(server, fa.public_id, fa.participant, fa.token)
        with pytest.raises(AssertionError):
            await back.connect()
        assert back.errors[0]["code"] == "bad_token"
        assert "no longer has a role" in back.errors[0]["message"]
        # Anna, who joined with the code, goes on.
        await anna.close()
        await Client(server, anna.public_id, anna.participant, anna.token).connect()
    finally:
        # Given back: she runs her session again (the check reads the account each time).
        await coordinator.post(
            f"/beheer/accounts/{account}/rollen",
            data={
                "csrf_token": _csrf(await coordinator.get("/beheer/accounts")),
                "roles": "facilitator",
            },
        )
        await coordinator.aclose()
    await Client(server, fa.public_id, fa.participant, fa.token).connect()
