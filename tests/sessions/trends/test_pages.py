"""The trend pages, end to end on a real server (SQLite and PostgreSQL): sessions run over
websockets, harvests answered on their page, outcomes saved on the compose page.

A group's page: the facilitator sees the group's means per session and nobody's path; a member
sees the same and their own path, never another member's; someone outside the group is refused.
A region's page: nothing until five people consented to the region, a consent widened later
waits for the next save, one narrowed later drops out at once. Erasing a participant deletes
their observations.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncSession

from server.db import create_engine, sessionmaker
from server.models import User
from sessions.groups import actions as group_actions
from sessions.groups.membership import make_member_token, member_cookie
from sessions.groups.models import Group
from sessions.models import LiveSession
from sessions.trends.models import TrendObservation
from tests.helpers import PASSWORD
from tests.server.test_cli import WERKPLAATS
from tests.sessions.live import BACKENDS, Client, Server, prepared_server, running
from tests.sessions.pages import answer_harvest, change, form_fields, post_form, text_of
from tests.sessions.test_outcome_end_to_end import _logged_in, _main

READER = "rik@example.org"  # a member of the region zwolle
OUTSIDER = "olga@example.org"  # an account of no group and no region
TOO_FEW = "Nog te weinig mensen om iets te laten zien."


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with prepared_server(request.param, tmp_path_factory.mktemp("trends")) as server:
        for email in (READER, OUTSIDER):
            subprocess.run(
                [
                    *(WERKPLAATS, "createuser", "--email", email, "--name", email.split("@")[0]),
                    *("--role", "educator", "--password-stdin"),
                ],
                env=server.env,
                input=PASSWORD.encode() + b"\n",
                check=True,
                capture_output=True,
            )
        asyncio.run(
            _execute(
                server,
                "INSERT INTO user_regions (user_id, region_slug) "
                "SELECT id, 'zwolle' FROM users WHERE email = :email",
                email=READER,
            )
        )
        with running(server):
            yield server


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


async def _execute(server: Server, statement: str, **values: str) -> None:
    engine = create_engine(server.database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(sql(statement), values)
    finally:
        await engine.dispose()


class _Database:
    """The server's database, for what has no page yet (making a group, enrolling members)."""

    def __init__(self, server: Server) -> None:
        self.engine = create_engine(server.database_url)
        self.db = sessionmaker(self.engine)

    async def __aenter__(self) -> AsyncSession:
        self.session = self.db()
        return self.session

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()
        await self.engine.dispose()


@dataclass(frozen=True)
class Person:
    name: str
    now: tuple[float, float]
    desired: tuple[float, float]
    rating: str = "4"  # of the goal "reflecteren"
    consent: str = "region"


async def _place(client: Client, command_id: str, kind: str, x: float, y: float) -> None:
    await client.send(type="marker.place", id=command_id, kind=kind, x=x, y=y)
    await client.wait_for(lambda: command_id in client.acks or bool(client.errors))
    assert command_id in client.acks, client.errors


async def _run(
    server: Server,
    people: list[Person],
    region: str | None = None,
    group: Group | None = None,
    members: dict[str, str] | None = None,
) -> tuple[str, dict[str, Client]]:
    """A session in which everyone places both markers and answers the harvest; with a group,
    it is the group's and the people are its members (`members`: name -> member id, filled)."""
    created = await server.create_session(
        title="Intervisie", goals=["reflecteren"], **({"region": region} if region else {})
    )
    public_id = str(created["session"])
    fa = Client(server, public_id, str(created["participant"]), str(created["token"]))
    await fa.connect()
    clients = {}
    for person in people:
        joined = await server.join(str(created["join_code"]), person.name)
        assert joined.status_code == 201, joined.text
        data = joined.json()
        clients[person.name] = Client(server, public_id, data["participant"], data["token"])
        await clients[person.name].connect()
    if group is not None and members is not None:
        async with _Database(server) as db:
            session_id = await db.scalar(
                select(LiveSession.id).where(LiveSession.public_id == public_id)
            )
            assert session_id is not None
            await group_actions.attach_session(db, group.id, session_id)
            for person in people:
                member = await group_actions.enrol(
                    db,
                    group.id,
                    session_id,
                    clients[person.name].participant,
                    person.name,
                    members.get(person.name),
                )
                members[person.name] = member.member_id
            await db.commit()
    await fa.do("f-start", "phase.next")
    for n, person in enumerate(people):
        client = clients[person.name]
        await _place(client, f"now-{n}", "now", *person.now)
        await _place(client, f"want-{n}", "desired", *person.desired)
        await _harvest(server, public_id, client, person.consent, person.rating)
    return public_id, clients


async def _harvest(
    server: Server, public_id: str, client: Client, consent: str, rating: str = "4"
) -> None:
    await answer_harvest(
        server.url,
        public_id,
        client.token,
        takeaway="",
        consent=consent,
        ratings={"rating-reflecteren": rating},
    )


async def _compose(server: Server, public_id: str, sharing: str) -> None:
    fa = await server.facilitator()
    fa.timeout = httpx.Timeout(60)  # the sharing gate loads its model on first use
    try:
        action = f"/sessies/{public_id}/uitkomst"
        page = await fa.get(action)
        assert page.status_code == 200, text_of(page.text)
        fields = change(form_fields(page.text, action), summary="Samen geleerd.")
        fields = [(k, v) for k, v in fields if k != "sharing"] + [("sharing", sharing)]
        saved = await post_form(fa, action, [*fields, ("op", "save")])
        assert saved.status_code == 303, text_of(saved.text)
    finally:
        await fa.aclose()


def _cells(html: str) -> list[list[str]]:
    """The rows of the tables in `html`: each row's heading and cells, as text."""
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        rows.append([text_of(cell) for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row)])
    return rows


def _own_part(html: str) -> str | None:
    main = _main(html)
    return main.split("Jouw eigen lijn", 1)[1] if "Jouw eigen lijn" in main else None


# A group ---------------------------------------------------------------------------------------

ANNA = [(0.11, 0.21), (0.12, 0.22), (0.13, 0.23)]  # her "now" per session
BRAM = [(0.71, 0.81), (0.72, 0.82), (0.73, 0.83)]


async def test_a_group_sees_its_means_per_session_and_only_a_member_their_own_path(
    server: Server,
) -> None:
    async with _Database(server) as db:
        fa_id = await db.scalar(select(User.id).where(User.email == "fa@example.org"))
        assert fa_id is not None
        group = await group_actions.create_group(db, "Team Noord", fa_id)
        await db.commit()
        await db.refresh(group)
    first = await server.facilitator()
    try:  # before any outcome: what starts the trends (a saved outcome alone does not)
        empty = (await first.get(f"/groepen/{group.public_id}/trends")).text
    finally:
        await first.aclose()
    assert "in de oogst een cijfer gaven aan de doelen" in text_of(empty)
    members: dict[str, str] = {}
    for n in range(3):
        people = [
            Person("Anna", ANNA[n], (0.5, 0.5), rating=str(2 + n)),
            Person("Bram", BRAM[n], (0.5, 0.5), rating="4"),
        ]
        public_id, _clients = await _run(server, people, group=group, members=members)
        await _compose(server, public_id, "group")
    path = f"/groepen/{group.public_id}/trends"
    secret = (server.data_dir / "secret_key").read_text().strip()

    def browser_of(name: str) -> httpx.AsyncClient:
        token = make_member_token(secret, group.public_id, members[name])
        return httpx.AsyncClient(
            base_url=server.url, cookies={member_cookie(group.public_id): token}
        )

    fa = await server.facilitator()
    outsider = await _logged_in(server, OUTSIDER)
    async with browser_of("Anna") as anna, browser_of("Bram") as bram, server.http() as nobody:
        seen = await fa.get(path)
        assert seen.status_code == 200, text_of(seen.text)
        rows = _cells(_main(seen.text))
        # The goal: three sessions, each the mean of Anna's and Bram's ratings.
        means = [row[1] for row in rows if row and row[0].startswith("Sessie")][:3]
        assert means == [
            "3,0 (spreiding 1,0; 2 mensen)",
            "3,5 (spreiding 0,5; 2 mensen)",
            "4,0 (spreiding 0,0; 2 mensen)",
        ]
        main = _main(seen.text)
        assert main.count('class="trend-chart"') == 3  # the goal, now, desired
        assert _own_part(seen.text) is None  # the facilitator sees nobody's path

        for browser, own, other in ((anna, ANNA, BRAM), (bram, BRAM, ANNA)):
            page = await browser.get(path)
            assert page.status_code == 200, text_of(page.text)
            part = _own_part(page.text)
            assert part is not None
            cells = [row for row in _cells(part) if row and row[0].startswith("Sessie")]
            now_rows = cells[:3]  # the first chart of their path is "now"
            assert [row[1:] for row in now_rows] == [
                [str(round(x * 100)), str(round(y * 100))] for x, y in own
            ]
            for x, _y in other:
                assert str(round(x * 100)) not in [c for row in _cells(part) for c in row]
            # Two people rated: a member sees no mean, or each could work out the other's.
            assert "2 mensen" not in text_of(_main(page.text))
            assert "minstens 3 mensen" in text_of(page.text)
        assert (await outsider.get(path)).status_code == 403
        away = await nobody.get(path)  # someone not logged in is sent to log in
        assert away.status_code == 303 and away.headers["location"].startswith("/login")
    await fa.aclose()
    await outsider.aclose()


# A region --------------------------------------------------------------------------------------


async def test_a_region_shows_nothing_until_five_people_consented(server: Server) -> None:
    people = [Person(f"Deelnemer {n}", (0.2, 0.4), (0.8, 0.6), rating="4") for n in range(4)]
    people.append(Person("Later", (0.4, 0.4), (0.6, 0.6), rating="2", consent="no"))
    public_id, clients = await _run(server, people, region="zwolle")
    await _compose(server, public_id, "region")
    reader = await _logged_in(server, READER)
    path = "/regios/zwolle/trends"

    async def shown(client: httpx.AsyncClient) -> bool:
        page = await client.get(path)
        assert page.status_code == 200, text_of(page.text)
        main = _main(page.text)
        assert "minstens 5 verschillende mensen" in text_of(main)  # the rule is stated
        assert ('class="trend-chart"' in main) is not (TOO_FEW in text_of(main))
        return 'class="trend-chart"' in main

    try:
        region_page = await reader.get("/regios/zwolle")
        assert 'href="/regios/zwolle/trends"' in region_page.text
        assert not await shown(reader)  # four consented: nothing
        # The fifth widens their consent: it waits until the facilitator saves again.
        await _harvest(server, public_id, clients["Later"], "region", "2")
        assert not await shown(reader)
        await _compose(server, public_id, "region")
        assert await shown(reader)
        page = await reader.get(path)
        rows = _cells(_main(page.text))
        quarters = [row[0] for row in rows if len(row) == 2 and "mensen" in row[1]]
        assert quarters and all(re.fullmatch(r"K[1-4] \d{4}", q) for q in quarters), quarters
        assert any(row[1:] == ["3,6 (spreiding 0,8; 5 mensen)"] for row in rows)
        # Others than the region's members read only what is shared wider: nothing here.
        async with server.http() as nobody:
            assert not await shown(nobody)
        outsider = await _logged_in(server, OUTSIDER)
        assert not await shown(outsider)
        await outsider.aclose()
        # One narrows their consent: they drop out at once, and four are too few.
        await _harvest(server, public_id, clients["Deelnemer 0"], "no")
        assert not await shown(reader)
    finally:
        await reader.aclose()


# Erasure ---------------------------------------------------------------------------------------


async def test_erasing_a_participant_deletes_their_observations(server: Server) -> None:
    people = [Person("Erik Wissel", (0.3, 0.3), (0.7, 0.7)), Person("Fien", (0.1, 0.1), (0.9, 0.9))]
    public_id, clients = await _run(server, people)
    await _compose(server, public_id, "group")
    erik, fien = clients["Erik Wissel"].participant, clients["Fien"].participant

    async def measures() -> dict[str, int]:
        async with _Database(server) as db:
            rows = await db.scalars(
                select(TrendObservation)
                .join(LiveSession, LiveSession.public_id == public_id)
                .where(TrendObservation.participant.in_([erik, fien]))
            )
            found: dict[str, int] = {}
            for row in rows:
                found[row.participant] = found.get(row.participant, 0) + 1
            return found

    assert await measures() == {erik: 3, fien: 3}  # a rating, now, desired
    erased = await asyncio.create_subprocess_exec(
        *(
            WERKPLAATS,
            "erase",
            f"--participant={public_id}:{erik}",
            "--yes",
        ),  # ids may start with "-"
        env=server.env,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _err = await erased.communicate()
    assert erased.returncode == 0
    assert re.search(r"trend_observations\s+3 row", out.decode()), out.decode()
    assert await measures() == {fien: 3}
