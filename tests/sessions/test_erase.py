"""Erasure: a person's name leaves no trace in a dump of the database (issue 6, done when).

A real server runs a session in which a participant with a distinctive name joins, renames,
writes notes (one in private), chats and harvests; others mention the name in notes, chat, a
cluster and a breakout message; an outcome and a knowledge question mention it too. Then
`werkplaats erase` runs as a user runs it, and the whole database is dumped and searched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import select

from catalogue.outcomes.models import OutcomeRow
from server.erasure import ERASED_CONTRIBUTION, ERASED_MENTION, ERASED_NAME
from server.models import AuditEntry, LoginSession, MailOutbox, User
from sessions import events as ev
from sessions.models import HarvestResponse, SessionSnapshot
from tests.helpers import PASSWORD
from tests.server.test_cli import run
from tests.sessions.erasure import dump, load, log_in, logged_in, reconnected, rows, scene, traces
from tests.sessions.live import BACKENDS, PATIENT, Client, Server, prepared_server, running


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with prepared_server(request.param, tmp_path_factory.mktemp("erase")) as server:
        server.add_account("co@example.org", "Coby Coördinator", "coordinator")
        with running(server):
            yield server


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


# The test -----------------------------------------------------------------------------


async def test_erase_by_name_leaves_no_trace_and_sessions_go_on(server: Server) -> None:
    scene_ = await scene(server, "Zoë Quaggelaar", "Zoë Q.", "Quaggelaar")
    before_log = [(e.seq, type(e.body)) for e in await server.log(scene_.public_id)]
    before = await rows(server)

    dry = run("erase", "--name", "zoë   QUAGGELAAR", "--dry-run", env=server.env)
    assert dry.returncode == 0, dry.stderr
    assert "would change (dry run):" in dry.stdout and "nothing was changed" in dry.stdout
    assert f"session {scene_.public_id}: participants {scene_.person.participant};" in dry.stdout
    assert not traces(dry.stdout + dry.stderr, "quaggelaar", "Zoë Q.", "grenzen")
    assert await rows(server) == before

    done = run("erase", "--name", "zoë   QUAGGELAAR", "--yes", env=server.env)
    assert done.returncode == 0, done.stderr
    assert "changed:" in done.stdout and "restart" in done.stdout
    assert not traces(done.stdout + done.stderr, "quaggelaar", "Zoë Q.", "grenzen")
    server.stop()  # as documented: a running server keeps open sessions in memory
    server.start()

    everything = await dump(server)
    assert not traces(everything, "quaggelaar", "Zoë Q.")
    assert ERASED_NAME in everything and ERASED_MENTION in everything
    assert "Mijn casus over grenzen" in everything  # kept, pseudonymous
    log = await server.log(scene_.public_id)
    assert [(e.seq, type(e.body)) for e in log] == before_log  # gap-free, same types
    names = [e.body.name for e in log if isinstance(e.body, ev.ParticipantJoined)]
    assert names == ["Fenna", ERASED_NAME, "Bram Bakker"]
    assert not await load(
        server, select(SessionSnapshot).where(SessionSnapshot.session_id == scene_.session_id)
    )
    [harvest] = await load(
        server,
        select(HarvestResponse).where(HarvestResponse.participant == scene_.person.participant),
    )
    assert harvest.takeaway == f"Ik, {ERASED_MENTION}, neem mee: grenzen."
    [outcome] = await load(server, select(OutcomeRow).where(OutcomeRow.public_id == scene_.outcome))
    # "Zoë Q." is the name Zoë Q; the full stop after it stays (catalogue/outcomes/name_matcher.py)
    assert outcome.summary == f"{ERASED_MENTION} bracht een casus in; {ERASED_MENTION}. sloot af."
    captured = outcome.captured
    assert captured["clusters"][0]["title"] == f"Ideeën van {ERASED_MENTION}"
    assert captured["chart"]["x_high"] == f"met {ERASED_MENTION}"
    theirs = [n["text"] for n in captured["unclustered"] if n["by"] == scene_.person.participant]
    assert "Mijn casus over grenzen" in theirs  # kept, by id only

    await reconnected(server, scene_, "quaggelaar", "Zoë Q.")

    entries = await load(server, select(AuditEntry).where(AuditEntry.action == "erase"))
    mine = [e for e in entries if scene_.public_id in e.target]
    assert [e.target for e in mine] == [f"session:{scene_.public_id}/{scene_.person.participant}"]
    assert mine[0].actor == "cli" and "session_events" in mine[0].detail
    assert not traces(repr([(e.target, e.detail, e.actor) for e in entries]), "quaggelaar")

    after = await rows(server)
    again = run("erase", "--name", "Zoë Quaggelaar", "--yes", env=server.env)
    assert again.returncode == 0, again.stderr
    assert "nothing to change" in again.stdout
    assert await rows(server) == after  # no change, no audit entry


async def test_delete_contributions_of_one_participant(server: Server) -> None:
    scene_ = await scene(server, "Xaviera Wolkenkrabber", "Xavi W.", "Wolkenkrabber")
    who = f"{scene_.public_id}:{scene_.person.participant}"
    declined = run(
        "erase", f"--participant={who}", "--delete-contributions", env=server.env, stdin="n\n"
    )
    assert declined.returncode == 1 and "nothing was changed" in declined.stdout
    assert traces(await dump(server), "wolkenkrabber")
    done = run(
        "erase", f"--participant={who}", "--delete-contributions", env=server.env, stdin="ja\n"
    )
    assert done.returncode == 0, done.stderr
    server.stop()
    server.start()

    assert not traces(await dump(server), "wolkenkrabber", "Xavi W.")
    log = await server.log(scene_.public_id)
    person = scene_.person.participant
    theirs = [
        e.body
        for e in log
        if e.actor == person and isinstance(e.body, ev.NoteAdded | ev.ChatPosted)
    ]
    assert theirs and all(body.text == ERASED_CONTRIBUTION for body in theirs)
    edits = [e.body for e in log if isinstance(e.body, ev.NoteEdited)]
    assert [body.text for body in edits] == [ERASED_CONTRIBUTION]
    revealed = [e.body for e in log if isinstance(e.body, ev.NotesRevealed)]
    assert all(
        note.text == ERASED_CONTRIBUTION
        for body in revealed
        for note in body.notes.values()
        if note.author == person
    )
    others = [
        e.body
        for e in log
        if e.actor == scene_.other.participant and isinstance(e.body, ev.NoteAdded)
    ]
    assert [body.text for body in others] == [f"{ERASED_MENTION} heeft een goed punt"]
    assert not await load(
        server, select(HarvestResponse).where(HarvestResponse.participant == person)
    )
    [outcome] = await load(server, select(OutcomeRow).where(OutcomeRow.public_id == scene_.outcome))
    notes = outcome.captured["unclustered"]
    assert {n["text"] for n in notes if n["by"] == person} == {ERASED_CONTRIBUTION}
    assert [n["text"] for n in notes if n["by"] == scene_.other.participant] == [
        f"{ERASED_MENTION} heeft een goed punt"
    ]
    [entry] = await load(
        server, select(AuditEntry).where(AuditEntry.target == f"session:{who.replace(':', '/')}")
    )
    assert "contributions deleted" in entry.detail
    await reconnected(server, scene_, "wolkenkrabber")

    again = run("erase", f"--participant={who}", "--delete-contributions", "--yes", env=server.env)
    assert again.returncode == 0 and "nothing to change" in again.stdout


async def test_erase_an_account(server: Server) -> None:
    made = run(
        "createuser",
        "--email",
        "walter@example.org",
        "--name",
        "Walter Vuurtoren",
        "--role",
        "facilitator",
        "--password-stdin",
        env=server.env,
        stdin=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    client = await logged_in(server, "walter@example.org")
    created = (
        await client.post("/api/sessions", json={"title": "Moreel beraad", "variant": "intervisie"})
    ).json()
    joined = await server.join(str(created["join_code"]), "Bram Bakker")
    bram = Client(
        server, str(created["session"]), joined.json()["participant"], joined.json()["token"]
    )
    await bram.connect()
    await bram.do("b1", "chat.post", text="Walter Vuurtoren, dank!")
    # A reset link, mail queued.
    async with httpx.AsyncClient(base_url=server.url, timeout=PATIENT) as forgetful:
        form = await forgetful.get("/wachtwoord/vergeten")
        asked = await forgetful.post(
            "/wachtwoord/vergeten",
            data={"email": "walter@example.org", "csrf_token": _csrf(form)},
        )
        assert asked.status_code == 200
    [queued] = await load(server, select(MailOutbox))  # no mail server: it waits
    assert queued.to == "walter@example.org"
    done = run("erase", "--account", "Walter@Example.org", "--yes", env=server.env)
    assert done.returncode == 0, done.stderr
    assert "account" in done.stdout
    server.stop()
    server.start()

    assert not traces(await dump(server), "vuurtoren", "walter@example.org")
    [user] = await load(server, select(User).where(User.id == int(created["participant"][1:])))
    assert user.name == ERASED_NAME and not user.is_active and not user.roles
    assert not await load(server, select(LoginSession).where(LoginSession.user_id == user.id))
    assert not await load(server, select(MailOutbox))
    assert (await client.get("/api/me")).status_code == 401  # its login ended
    await client.aclose()
    async with httpx.AsyncClient(base_url=server.url, timeout=PATIENT) as anonymous:
        login = await log_in(server, "walter@example.org", anonymous)
    assert login.status_code == 401
    again = run("erase", "--account", "walter@example.org", "--yes", env=server.env)
    assert again.returncode == 0 and "nothing to change" in again.stdout


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
        ((), "one of the arguments --name --participant --account --member --replay is required"),
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
