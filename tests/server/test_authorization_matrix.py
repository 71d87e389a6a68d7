"""Who may do what, route by route: every route of the app is in `ROUTES`, with the callers it
must refuse (or why anyone may use it). A refused caller gets the login page, 401, 403 or 404,
reads no name of the session or its group, and changes nothing in the database; a GET changes
nothing for anyone. The live commands' roles are checked against their rules as pure decisions.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from server.accounts import grant_roles
from server.db import Base
from server.models import User
from sessions import commands as c
from sessions import events as ev
from sessions.decide import Refused, decide
from sessions.groups.models import GroupMember
from sessions.state import State, apply
from sessions.tools import RULES, reactions
from sessions.tools.base import EVERYONE
from tests.helpers import log_in, make_user, submit
from tests.sessions.harvest import begin
from tests.sessions.pages import (
    change,
    facilitator,
    form_fields,
    join,
    new_session,
    other_client,
    post_form,
    text_of,
)

TITLE = "Intervisie met Zwaantje Brinkhorst"
ANNA = "Annemiek Zonneveld"  # a participant of the session, and a member of its group
BRAM = "Bram Kortekaas"  # another member
NAMES = ("Zwaantje", "Brinkhorst", "Annemiek", "Zonneveld", "Kortekaas")

ANONYMOUS, PARTICIPANT, FACILITATOR, EDUCATOR = (
    "anonymous",
    "participant",
    "facilitator",
    "educator",
)
# Another facilitator, the participant, an educator, and nobody logged in: a coordinator's page
# refuses them all.
NOT_COORDINATORS = (ANONYMOUS, PARTICIPANT, FACILITATOR, EDUCATOR)
NOT_IN_SESSION = (ANONYMOUS, FACILITATOR, EDUCATOR)
# What a refused form would change if it were not refused (every form's fields at once).
FORM = {
    "max_participants": "7",
    "op": "clear",
    "account": "1",
    "email": "greet@example.org",
    "roles": "coordinator",
    "regions": "zwolle",
    "national": "ervaringskennis",
    "name": "Nieuwe naam",
    "description": "Iets anders",
    "summary": "Overgenomen",
    "sharing": "open",
    "consent": "open",
    "contributions": "on",
    "shared": "1",
    "language": "en",
    "kind": "name",
    "q": ANNA,
    "title": "Overgenomen",
    "objectives": "Iets",
    "code": "123456",
    "password": "een heel lang wachtwoord",
    "variant": "intervisie",
}


@dataclass(frozen=True)
class Entry:
    """A route's concrete path (`{…}` filled from the world) and whom it must refuse; a route
    anyone may use names why instead."""

    path: str
    refuses: tuple[str, ...] = ()
    why_anyone: str = ""
    data: Mapping[str, str] = field(default_factory=dict)


def _coordinators(path: str, **data: str) -> Entry:
    return Entry(path, NOT_COORDINATORS, data=data)


ROUTES: dict[tuple[str, str], Entry] = {
    # The shell: logging in, one's own account, the coordinators' pages.
    ("GET", "/"): Entry("/", why_anyone="the home page"),
    ("GET", "/login"): Entry("/login", why_anyone="the login form"),
    ("POST", "/login"): Entry("/login", why_anyone="logging in (bounded per address)"),
    ("POST", "/logout"): Entry("/logout", why_anyone="ends only the caller's own login"),
    ("GET", "/account"): Entry("/account", (ANONYMOUS, PARTICIPANT)),
    ("POST", "/account/taal"): Entry("/account/taal", (ANONYMOUS, PARTICIPANT)),
    ("GET", "/beheer/accounts"): _coordinators("/beheer/accounts"),
    ("POST", "/beheer/accounts"): _coordinators("/beheer/accounts", email="nieuw@example.org"),
    ("POST", "/beheer/accounts/{account_id:int}/rollen"): _coordinators(
        "/beheer/accounts/{account}/rollen"
    ),
    ("GET", "/taal"): Entry("/taal?lang=en", why_anyone="the language cookie"),
    ("GET", "/login/code"): Entry("/login/code", why_anyone="the second step of one's login"),
    ("POST", "/login/code"): Entry("/login/code", why_anyone="the second step of one's login"),
    ("GET", "/account/tweestaps"): Entry("/account/tweestaps", (ANONYMOUS, PARTICIPANT)),
    ("POST", "/account/tweestaps"): Entry("/account/tweestaps", (ANONYMOUS, PARTICIPANT)),
    ("POST", "/account/tweestaps/uit"): Entry("/account/tweestaps/uit", (ANONYMOUS, PARTICIPANT)),
    ("POST", "/beheer/accounts/{account_id:int}/tweestaps/reset"): _coordinators(
        "/beheer/accounts/{account}/tweestaps/reset"
    ),
    ("GET", "/login/oidc"): Entry("/login/oidc", why_anyone="the institution's login"),
    ("GET", "/login/oidc/callback"): Entry(
        "/login/oidc/callback", why_anyone="the institution's answer (its state is checked)"
    ),
    ("GET", "/uitnodiging/{token}/instelling"): Entry(
        "/uitnodiging/x/instelling", why_anyone="the invitation's secret link"
    ),
    ("GET", "/healthz"): Entry("/healthz", why_anyone="health, no data"),
    ("GET", "/api/me"): Entry("/api/me", (ANONYMOUS, PARTICIPANT)),
    ("GET", "/metrics"): Entry("/metrics", why_anyone="by client address (test_metrics.py)"),
    ("GET", "/beheer/wissen"): _coordinators("/beheer/wissen"),
    ("POST", "/beheer/wissen"): _coordinators("/beheer/wissen", op="erase"),
    ("GET", "/beheer/audit"): _coordinators("/beheer/audit"),
    ("GET", "/wachtwoord/vergeten"): Entry("/wachtwoord/vergeten", why_anyone="the reset form"),
    ("POST", "/wachtwoord/vergeten"): Entry(
        "/wachtwoord/vergeten", why_anyone="mails a link to the address's owner only"
    ),
    ("GET", "/wachtwoord/nieuw/{token}"): Entry(
        "/wachtwoord/nieuw/x", why_anyone="the reset link's secret"
    ),
    ("POST", "/wachtwoord/nieuw/{token}"): Entry(
        "/wachtwoord/nieuw/x", why_anyone="the reset link's secret"
    ),
    ("POST", "/beheer/accounts/uitnodigen"): _coordinators(
        "/beheer/accounts/uitnodigen", email="nieuw@example.org"
    ),
    ("GET", "/uitnodiging/{token}"): Entry("/uitnodiging/x", why_anyone="the invitation's secret"),
    ("POST", "/uitnodiging/{token}"): Entry("/uitnodiging/x", why_anyone="the invitation's secret"),
    # The catalogue and the regions: read by all, kept by coordinators.
    ("GET", "/catalogus"): Entry("/catalogus", why_anyone="the catalogue"),
    ("GET", "/catalogus/{slug}"): Entry("/catalogus/intervisie", why_anyone="the catalogue"),
    ("GET", "/catalogus/{slug}/bewerken"): _coordinators("/catalogus/intervisie/bewerken"),
    ("POST", "/catalogus/{slug}/bewerken"): _coordinators("/catalogus/intervisie/bewerken"),
    ("GET", "/catalogus/{slug}/versies"): Entry(
        "/catalogus/intervisie/versies", why_anyone="the catalogue's history"
    ),
    ("GET", "/catalogus/{slug}/versies/{number:int}"): Entry(
        "/catalogus/intervisie/versies/1", why_anyone="the catalogue's history"
    ),
    ("GET", "/welke-werkvorm"): Entry("/welke-werkvorm", why_anyone="matching"),
    ("GET", "/regions"): Entry("/regions", why_anyone="leads to /regios"),
    ("GET", "/regions/{slug}"): Entry("/regions/zwolle", why_anyone="leads to /regios/…"),
    ("GET", "/regios"): Entry("/regios", why_anyone="the regions"),
    ("POST", "/regios"): _coordinators("/regios"),
    ("GET", "/regios/{slug}"): Entry(
        "/regios/zwolle", why_anyone="its agenda shows what the reader may read (gated)"
    ),
    ("POST", "/regios/{slug}"): _coordinators("/regios/zwolle"),
    ("POST", "/regios/{slug}/themas"): _coordinators("/regios/zwolle/themas"),
    ("POST", "/regios/{slug}/themas/{theme}"): _coordinators("/regios/zwolle/themas/{theme}"),
    ("POST", "/regios/{slug}/themas/{theme}/verwijderen"): _coordinators(
        "/regios/zwolle/themas/{theme}/verwijderen"
    ),
    ("POST", "/regios/{slug}/kennisvragen/{question:int}/opgepakt"): _coordinators(
        "/regios/zwolle/kennisvragen/1/opgepakt"
    ),
    ("POST", "/regios/{slug}/kennisvragen/{question:int}/heropenen"): _coordinators(
        "/regios/zwolle/kennisvragen/1/heropenen"
    ),
    ("GET", "/api/goals"): Entry("/api/goals", why_anyone="the catalogue"),
    ("GET", "/api/variants"): Entry("/api/variants", why_anyone="the catalogue"),
    ("GET", "/api/variants/{slug}"): Entry("/api/variants/intervisie", why_anyone="the catalogue"),
    ("POST", "/api/match"): Entry("/api/match", why_anyone="matching (JSON)"),
    ("GET", "/api/regions"): Entry("/api/regions", why_anyone="the regions"),
    # Live sessions.
    ("POST", "/api/sessions"): Entry("/api/sessions", (ANONYMOUS, PARTICIPANT, EDUCATOR)),
    ("POST", "/api/sessions/{code}/join"): Entry(
        "/api/sessions/{code}/join", why_anyone="the join code (bounded per address)"
    ),
    ("WS", "/ws/sessions/{public_id}"): Entry(
        "/ws/sessions/{session}", why_anyone="its hello needs this session's participant token"
    ),
    ("GET", "/sessies"): Entry("/sessies", (ANONYMOUS, PARTICIPANT, EDUCATOR)),
    ("GET", "/sessies/nieuw"): Entry("/sessies/nieuw", (ANONYMOUS, PARTICIPANT, EDUCATOR)),
    ("POST", "/sessies/nieuw"): Entry("/sessies/nieuw", (ANONYMOUS, PARTICIPANT, EDUCATOR)),
    ("GET", "/sessies/{public_id}"): Entry("/sessies/{session}", NOT_COORDINATORS),
    ("POST", "/sessies/{public_id}/maximum"): Entry("/sessies/{session}/maximum", NOT_COORDINATORS),
    ("POST", "/sessies/{public_id}/begeleiden"): Entry(
        "/sessies/{session}/begeleiden", NOT_COORDINATORS
    ),
    ("POST", "/sessies/{public_id}/plan"): Entry("/sessies/{session}/plan", NOT_COORDINATORS),
    ("GET", "/sessies/{public_id}/uitnodigen"): Entry(
        "/sessies/{session}/uitnodigen", NOT_COORDINATORS
    ),
    ("POST", "/sessies/{public_id}/uitnodigen"): Entry(
        "/sessies/{session}/uitnodigen", NOT_COORDINATORS
    ),
    ("GET", "/sessies/{public_id}/scherm"): Entry("/sessies/{session}/scherm", NOT_COORDINATORS),
    ("GET", "/join"): Entry("/join?code={code}", why_anyone="the join code"),
    ("POST", "/join"): Entry("/join", why_anyone="the join code (bounded per address)"),
    ("GET", "/s/{public_id}"): Entry(
        "/s/{session}", why_anyone="without this session's participant cookie: its join page"
    ),
    ("GET", "/groepen"): Entry("/groepen", (ANONYMOUS, PARTICIPANT, EDUCATOR)),
    ("POST", "/groepen"): Entry("/groepen", (ANONYMOUS, PARTICIPANT, EDUCATOR)),
    ("GET", "/groepen/{group_id}"): Entry("/groepen/{group}", NOT_IN_SESSION),
    ("POST", "/groepen/{group_id}/instellingen"): Entry(
        "/groepen/{group}/instellingen", NOT_COORDINATORS
    ),
    ("POST", "/groepen/{group_id}/begeleiders"): Entry(
        "/groepen/{group}/begeleiders", NOT_COORDINATORS
    ),
    # Taking the group's facilitator (the session's, {account}) off it.
    ("POST", "/groepen/{group_id}/begeleiders/{account_id:int}/verwijderen"): Entry(
        "/groepen/{group}/begeleiders/{account}/verwijderen", NOT_COORDINATORS
    ),
    ("POST", "/groepen/{group_id}/meedoen"): Entry("/groepen/{group}/meedoen", NOT_IN_SESSION),
    # Bram's erasure: not for another member (the participant), nor anyone outside the group.
    ("GET", "/groepen/{group_id}/leden/{member_id}/wissen"): Entry(
        "/groepen/{group}/leden/{bram}/wissen", NOT_COORDINATORS
    ),
    ("POST", "/groepen/{group_id}/leden/{member_id}/wissen"): Entry(
        "/groepen/{group}/leden/{bram}/wissen", NOT_COORDINATORS
    ),
    ("GET", "/agenda"): Entry("/agenda", (ANONYMOUS, PARTICIPANT, EDUCATOR)),
    ("POST", "/agenda"): Entry("/agenda", (ANONYMOUS, PARTICIPANT, EDUCATOR), data={"op": "renew"}),
    ("GET", "/agenda/{token}.ics"): Entry("/agenda/x.ics", why_anyone="the feed's secret address"),
    ("GET", "/s/{public_id}/oogst"): Entry("/s/{session}/oogst", NOT_IN_SESSION),
    ("POST", "/s/{public_id}/oogst"): Entry("/s/{session}/oogst", NOT_IN_SESSION),
    ("GET", "/s/{public_id}/oogst/voortgang"): Entry(
        "/s/{session}/oogst/voortgang", NOT_COORDINATORS
    ),
    ("GET", "/sessies/{public_id}/uitkomst"): Entry(
        "/sessies/{session}/uitkomst", NOT_COORDINATORS
    ),
    ("POST", "/sessies/{public_id}/uitkomst"): Entry(
        "/sessies/{session}/uitkomst", NOT_COORDINATORS, data={"op": "save"}
    ),
    # The outcome is shared with the group only: nobody but its facilitator (and coordinators).
    ("GET", "/uitkomsten/{public_id}"): Entry(
        "/uitkomsten/{outcome}?niveau=group", NOT_COORDINATORS
    ),
    # Withdrawing an outcome on request is the coordinators' (not even its facilitator's).
    ("POST", "/uitkomsten/{public_id}/intrekken"): _coordinators("/uitkomsten/{outcome}/intrekken"),
    ("GET", "/groepen/{group_id}/trends"): Entry("/groepen/{group}/trends", NOT_IN_SESSION),
    ("GET", "/regios/{slug}/trends"): Entry(
        "/regios/zwolle/trends", why_anyone="aggregates of at least 5 people who consented"
    ),
    # The library and curriculum modules.
    ("GET", "/bibliotheek"): Entry("/bibliotheek", why_anyone="what the reader may read (gated)"),
    ("GET", "/library"): Entry("/library", why_anyone="what the reader may read (gated)"),
    ("POST", "/beheer/accounts/{user_id}/regios"): _coordinators(
        "/beheer/accounts/{account}/regios"
    ),
    ("GET", "/api/outcomes"): Entry("/api/outcomes", why_anyone="what the reader may read (gated)"),
    ("GET", "/modules"): Entry("/modules", (ANONYMOUS, PARTICIPANT, FACILITATOR)),
    ("GET", "/modules/nieuw"): Entry("/modules/nieuw", (ANONYMOUS, PARTICIPANT, FACILITATOR)),
    ("POST", "/modules/nieuw"): Entry("/modules/nieuw", (ANONYMOUS, PARTICIPANT, FACILITATOR)),
    ("GET", "/modules/gedeeld/{token}"): Entry(
        "/modules/gedeeld/x", why_anyone="the module's shared link (open outcomes only)"
    ),
    # Olga's module: not for another educator either.
    ("GET", "/modules/{slug}"): Entry("/modules/{module}", NOT_COORDINATORS),
    ("GET", "/modules/{slug}/bewerken"): Entry("/modules/{module}/bewerken", NOT_COORDINATORS),
    ("POST", "/modules/{slug}/bewerken"): Entry("/modules/{module}/bewerken", NOT_COORDINATORS),
    ("POST", "/modules/{slug}/delen"): Entry("/modules/{module}/delen", NOT_COORDINATORS),
    ("GET", "/modules/{slug}/versies/{number:int}"): Entry(
        "/modules/{module}/versies/1", NOT_COORDINATORS
    ),
    ("GET", "/modules/{slug}/export.{format}"): Entry(
        "/modules/{module}/export.json", NOT_COORDINATORS
    ),
    ("GET", "/api/openapi.json"): Entry("/api/openapi.json", why_anyone="the API's description"),
    ("MOUNT", "/static/workspace"): Entry("/static/workspace/main.js", why_anyone="static files"),
    ("MOUNT", "/static"): Entry("/static/app.css", why_anyone="static files"),
}


def _routes(routes: list[BaseRoute]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, Mount):
            found.add(("MOUNT", route.path))
        elif isinstance(route, WebSocketRoute):
            found.add(("WS", route.path))
        elif isinstance(route, Route):
            found |= {(method, route.path) for method in route.methods or () if method != "HEAD"}
    return found


@dataclass
class World:
    """A facilitator's group session (run, with an outcome shared with the group only), its two
    members, and a client for each kind of caller."""

    ids: dict[str, str]
    callers: dict[str, httpx.AsyncClient]
    owner: httpx.AsyncClient
    coordinator: httpx.AsyncClient

    def path(self, entry: Entry) -> str:
        return entry.path.format(**self.ids)


async def _csrf(client: httpx.AsyncClient) -> str:
    """This browser's CSRF token (the cookie's value, which its forms carry)."""
    await client.get("/")
    return str(client.cookies["werkplaats_csrf"])


@pytest.fixture
async def world(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> AsyncIterator[World]:
    await facilitator(client, db)
    made = await client.post(
        "/groepen",
        data={
            "name": "Intervisiegroep Noord",
            "variant": "intervisie",
            "csrf_token": await _csrf(client),
        },
    )
    group = made.headers["location"].removeprefix("/groepen/")
    session, code = await new_session(client, query=f"?groep={group}", title=TITLE)
    await make_user(db, email="greet@example.org", roles=["facilitator"], name="Greet")
    await make_user(db, email="eva@example.org", roles=["educator"], name="Eva")
    await make_user(db, email="olga@example.org", roles=["educator"], name="Olga")
    await make_user(db, email="cora@example.org", roles=["coordinator"], name="Cora")
    async with (
        other_client(app) as anonymous,
        other_client(app) as anna,
        other_client(app) as bram,
        other_client(app) as greet,
        other_client(app) as eva,
        other_client(app) as olga,
        other_client(app) as cora,
    ):
        assert (await join(anna, code, ANNA)).status_code == 303
        assert (await join(bram, code, BRAM)).status_code == 303
        await begin(app, db, session)
        for person, email in ((greet, "greet"), (eva, "eva"), (olga, "olga"), (cora, "cora")):
            await log_in(person, f"{email}@example.org")
        page = await client.get(f"/sessies/{session}/uitkomst")
        fields = change(
            form_fields(page.text, f"/sessies/{session}/uitkomst"), summary=f"{ANNA} vertelde."
        )
        fields = [(k, v) for k, v in fields if k != "sharing"] + [("sharing", "group")]
        saved = await post_form(client, f"/sessies/{session}/uitkomst", [*fields, ("op", "save")])
        assert saved.status_code == 303, text_of(saved.text)
        outcome = re.findall(r"/uitkomsten/([\w-]+)", saved.headers["location"])[0]
        made = await submit(
            olga,
            "/modules/nieuw",
            "/modules/nieuw",
            {"title": "Grenzen", "audience": "hbo", "objectives": "Grenzen benoemen"},
        )
        assert made.status_code == 303, text_of(made.text)
        module = made.headers["location"].split("?")[0].rsplit("/", 1)[1]
        async with db() as db_session:
            fenna = await db_session.scalar(select(User).where(User.email == "fenna@example.org"))
            member = await db_session.scalar(select(GroupMember).where(GroupMember.name == BRAM))
        assert fenna is not None and member is not None
        theme = (await client.get("/api/regions")).json()
        zwolle = next(r for r in theme["regions"] if r["slug"] == "zwolle")
        yield World(
            ids={
                "session": session,
                "code": code,
                "group": group,
                "bram": member.member_id,
                "outcome": outcome,
                "module": module,
                "account": str(fenna.id),
                "theme": zwolle["themes"][0]["slug"],
            },
            callers={
                ANONYMOUS: anonymous,
                PARTICIPANT: anna,
                FACILITATOR: greet,
                EDUCATOR: eva,
            },
            owner=client,
            coordinator=cora,
        )


# What may change while nothing else does: attempts counted to bound guessing, and the audit
# entry of an export (reading an export is recorded, by design).
_COUNTERS = {"login_failures", "join_failures"}


async def _everything(db: async_sessionmaker[AsyncSession]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a comparable form."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with db() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in _COUNTERS:
                continue
            rows = (await session.execute(select(table))).all()
            if table.name == "audit_log":
                rows = [row for row in rows if row.action != "export"]
            found[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    return found


def _refused(response: httpx.Response) -> bool:
    if response.status_code == 303:
        return response.headers["location"].startswith("/login")
    return response.status_code in (401, 403, 404)


async def _ask(
    client: httpx.AsyncClient, method: str, path: str, entry: Entry, token: str
) -> httpx.Response:
    if method == "GET":
        return await client.get(path)
    if path.startswith("/api/"):
        return await client.post(path, json={"title": "Overgenomen", "name": "Overgenomen"})
    return await client.post(path, data={**FORM, **entry.data, "csrf_token": token})


def test_the_matrix_names_every_route_of_the_app(app: Starlette) -> None:
    """A new route needs a line here: whom it refuses, or why anyone may use it."""
    assert _routes(app.routes) == set(ROUTES)
    for key, entry in ROUTES.items():
        assert bool(entry.refuses) != bool(entry.why_anyone), key


async def test_wrong_callers_are_refused_read_no_names_and_change_nothing(
    world: World, db: async_sessionmaker[AsyncSession]
) -> None:
    before = await _everything(db)
    tokens = {who: await _csrf(client) for who, client in world.callers.items()}
    wrong = []
    for (method, _template), entry in ROUTES.items():
        if method not in ("GET", "POST"):
            continue
        path = world.path(entry)
        for who in entry.refuses:
            response = await _ask(world.callers[who], method, path, entry, tokens[who])
            named = [part for part in NAMES if part in response.text]
            if not _refused(response) or named:
                wrong.append((who, method, path, response.status_code, named))
    assert wrong == []
    assert await _everything(db) == before


async def test_reading_a_page_changes_nothing_for_anyone(
    world: World, db: async_sessionmaker[AsyncSession]
) -> None:
    """Every GET, by the session's facilitator, a coordinator, its participant and anyone:
    reading never writes (but for counted attempts and an export's audit entry)."""
    before = await _everything(db)
    readers = [world.owner, world.coordinator, *world.callers.values()]
    for (method, _template), entry in ROUTES.items():
        if method == "GET":
            for reader in readers:
                response = await reader.get(world.path(entry))
                assert response.status_code < 500, (entry.path, response.status_code)
    assert await _everything(db) == before


async def test_an_account_whose_role_was_taken_no_longer_runs_its_sessions_and_groups(
    world: World, db: async_sessionmaker[AsyncSession]
) -> None:
    """A coordinator made the facilitator who started the session an educator only (she left the
    team): its pages, its outcome's group version with names and its group are no longer hers,
    as /sessies, /groepen and her calendar feed already were not."""
    owner, ids = world.owner, world.ids
    pages = (
        f"/sessies/{ids['session']}",
        f"/sessies/{ids['session']}/uitkomst",
        f"/groepen/{ids['group']}",
        f"/groepen/{ids['group']}/trends",
    )
    for page in pages:
        assert (await owner.get(page)).status_code == 200, page
    outcome = await owner.get(f"/uitkomsten/{ids['outcome']}?niveau=group")
    assert ANNA in text_of(outcome.text)
    async with db() as session:
        cora = await session.scalar(select(User).where(User.email == "cora@example.org"))
        assert cora is not None
        await grant_roles(session, cora, int(ids["account"]), ["educator"])
    before = await _everything(db)
    token = await _csrf(owner)
    for page in pages:
        answer = await owner.get(page)
        assert answer.status_code == 403, page
        assert not [part for part in NAMES if part in answer.text], page
    assert (await owner.get(f"/uitkomsten/{ids['outcome']}?niveau=group")).status_code == 404
    for action in (
        "/sessies/{session}/plan",
        "/groepen/{group}/begeleiders",
        "/groepen/{group}/instellingen",
        "/groepen/{group}/begeleiders/{account}/verwijderen",
    ):
        answer = await owner.post(action.format(**ids), data={**FORM, "csrf_token": token})
        assert answer.status_code == 403, action
    assert await _everything(db) == before


# Live commands ----------------------------------------------------------------------------------

# One command of each type, as any role might send it (the rule's roles are checked first).
COMMANDS: list[c.Command] = [
    c.AddNote(id="1", text="hoi"),
    c.EditNote(id="1", note="n", text="hoi"),
    c.MoveNote(id="1", note="n", x=0.5, y=0.5),
    c.DeleteNote(id="1", note="n"),
    c.LockBoard(id="1", locked=True),
    c.RevealNotes(id="1"),
    c.CreateCluster(id="1", title="Thema"),
    c.RenameCluster(id="1", cluster="k", title="Thema"),
    c.ClusterNote(id="1", note="n", cluster=None),
    c.OpenVoting(id="1", budget=3),
    c.CloseVoting(id="1"),
    c.RevealVotes(id="1"),
    c.CastVote(id="1", target="n"),
    c.RetractVote(id="1", target="n"),
    c.StartRound(id="1"),
    c.NextSpeaker(id="1"),
    c.EndRound(id="1"),
    c.PassTurn(id="1"),
    c.ConfigureChart(id="1", x_low="a", x_high="b", y_low="c", y_high="d"),
    c.PlaceMarker(id="1", kind="now", x=0.5, y=0.5),
    c.RevealChart(id="1"),
    c.PostChat(id="1", text="hoi"),
    c.DeleteChat(id="1", message="m"),
    c.RaiseHand(id="1"),
    c.LowerHand(id="1"),
    c.RemoveParticipant(id="1", participant="pa"),
    c.SetRole(id="1", participant="pa", role="facilitator"),
    c.Rename(id="1", name="Nieuw"),
    c.MoveLocation(id="1", location="room"),
    c.LockJoins(id="1", locked=True),
    c.StartPhase(id="1", index=0),
    c.NextPhase(id="1"),
    c.PreviousPhase(id="1"),
    c.PausePhase(id="1"),
    c.ResumePhase(id="1"),
    c.ExtendPhase(id="1", minutes=2),
    c.SetAgenda(id="1", phases=[ev.AgendaPhase("Ronde", 5, "round")]),
    c.EndSession(id="1"),
    c.OpenBreakouts(id="1"),
    c.MessageBreakouts(id="1", text="nog 5 minuten"),
    c.CloseBreakouts(id="1"),
    c.ChooseBreakout(id="1", group="groep-1"),
    c.SetBreakoutVideo(id="1", group="groep-1", url=None),
    c.SetVideo(id="1", url=None),
    reactions.SendReaction(id="1", kind="agree"),
    reactions.KeepReactions(id="1", keep=True),
    c.MarkActionDone(id="1", action="a"),
    c.CarryAction(id="1", action="a"),
]


def _session_of_every_role() -> State:
    state = State()
    apply(
        state,
        ev.Event(
            1,
            None,
            1_000_000.0,
            ev.SessionCreated(
                "Sessie", (ev.AgendaPhase("Ronde", 5, "round"),), (), "hybrid", 10, 3, False, False
            ),
        ),
    )
    for seq, role in enumerate(sorted(EVERYONE), start=2):
        body = ev.ParticipantJoined(role, role, role, "remote")
        apply(state, ev.Event(seq, role, 1_000_000.0, body))
    apply(
        state,
        ev.Event(10, None, 1_000_000.0, ev.ParticipantJoined("pa", "pa", "participant", "remote")),
    )
    return state


def test_the_command_list_holds_every_command_type() -> None:
    assert {type(command) for command in COMMANDS} == set(RULES)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: type(command).__name__)
def test_every_command_refuses_every_role_outside_its_rule(command: c.Command) -> None:
    rule = RULES[type(command)]
    for role in sorted(EVERYONE - rule.roles):
        state = _session_of_every_role()
        with pytest.raises(Refused) as refused:
            decide(state, role, command, 1_000_000.0, lambda: "x")
        assert refused.value.code == "forbidden", (role, command)
    with pytest.raises(Refused) as stranger:
        decide(_session_of_every_role(), "nobody", command, 1_000_000.0, lambda: "x")
    assert stranger.value.code == "not_a_participant"
