"""Issue 6, done when: a session run end to end produces an outcome whose shared version holds
no seeded participant name and nothing of those who did not consent to its level.

A real server process (SQLite and PostgreSQL): participants write notes (two anonymously),
vote, place chart markers and pass in a round over websockets; they answer the harvest on its
page with different consents; the facilitator composes the outcome on its page, at each sharing
level in turn; every viewer fetches the outcome page.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import text as sql

from server.db import create_engine
from tests.helpers import PASSWORD
from tests.server.test_cli import WERKPLAATS
from tests.sessions.live import BACKENDS, PATIENT, Client, Server, prepared_server, running
from tests.sessions.pages import answer_harvest, change, form_fields, post_form, text_of

PEOPLE = {  # key: (display name, consent)
    "zoe": ("Zoë Vermeulen-Baptiste", "open"),
    "kees": ("Kees van der Lubbe-Achterberg", "national"),
    "fatima": ("Fatima Oulad-Bensaïd", "region"),
    "joost": ("Joost Wiegersma-Tjoelker", "no"),
}
# What each person writes; a text is found in a page only where that person's words are.
NOTES = {
    "zoe": "Wekelijks bellen met de wijkcoach werkt",
    "kees": "Casus over schuldhulp samen bespreken",
    "fatima": "Meer tijd voor reflectie in het team",
    "joost": "Korte lijnen met de huisarts ontbreken",
}
ANONYMOUS = {
    "zoe": "Nee zeggen vind ik moeilijk",
    "joost": "Het werk gaat mee naar huis",
}
TAKEAWAYS = {
    "zoe": "Vaker de telefoon pakken",
    "kees": "Schuldhulp eerder inschakelen",
    "fatima": "Elke week tien minuten terugblikken",
    "joost": "Grenzen bewaken in het rooster",
}
RANK = {"no": 0, "region": 1, "national": 2, "open": 3}
LEVELS = ("group", "region", "national", "open")
EDUCATOR = ("erik@example.org", "Erik Educator")


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with prepared_server(request.param, tmp_path_factory.mktemp("outcome")) as server:
        subprocess.run(
            [
                *(WERKPLAATS, "createuser", "--email", EDUCATOR[0], "--name", EDUCATOR[1]),
                *("--role", "educator", "--password-stdin"),
            ],
            env=server.env,
            input=PASSWORD.encode() + b"\n",
            check=True,
            capture_output=True,
        )
        asyncio.run(
            _make_member(server.database_url, EDUCATOR[0], "zwolle")
        )  # reads "region" outcomes
        with running(server):
            yield server


async def _make_member(url: str, email: str, region: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sql(
                    "INSERT INTO user_regions (user_id, region_slug) "
                    "SELECT id, :region FROM users WHERE email = :email"
                ),
                {"region": region, "email": email},
            )
    finally:
        await engine.dispose()


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


async def _logged_in(server: Server, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=server.url, timeout=PATIENT)
    page = await client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = await client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return client


def _main(html: str) -> str:
    """The page's own content (not the header, which names the account that is logged in)."""
    found = re.search(r"<main\b.*?</main>", html, re.S)
    assert found, html
    return found.group(0)


def _name_parts() -> list[str]:
    """Every seeded name, and every part of one that is a name on its own."""
    parts = []
    for name, _consent in PEOPLE.values():
        parts.append(name)
        parts += [p for p in re.split(r"[\s-]+", name) if p[0].isupper()]
    return parts


async def _run_session(server: Server) -> tuple[str, dict[str, Client]]:
    """A session of the intervisie variant, run by Fenna with the seeded people."""
    created = await server.create_session(
        title="Intervisie team Noord",
        goals=["reflecteren", "kennis-delen"],
        region="zwolle",
    )
    public_id = str(created["session"])
    fa = Client(server, public_id, str(created["participant"]), str(created["token"]))
    await fa.connect()
    people: dict[str, Client] = {}
    for key, (name, _consent) in PEOPLE.items():
        joined = await server.join(str(created["join_code"]), name)
        assert joined.status_code == 201, joined.text
        data = joined.json()
        people[key] = Client(server, public_id, data["participant"], data["token"])
        await people[key].connect()
    await fa.do("f-start", "phase.next")

    for key, client in people.items():
        await client.do(f"{key}-note", "note.add", text=NOTES[key])
    for key, text in ANONYMOUS.items():
        await people[key].do(f"{key}-anon", "note.add", text=text, anonymous=True)
    await fa.do("f-cluster", "cluster.create", title="Samenwerking in de wijk")

    def note_id(text: str) -> str:
        return next(n for n, note in fa.state.notes.items() if note.text == text)

    await fa.wait_for(lambda: len(fa.state.notes) == 6 and len(fa.state.clusters) == 1)
    cluster = next(iter(fa.state.clusters))
    for key in ("zoe", "joost"):
        await fa.do(f"f-cl-{key}", "note.cluster", note=note_id(NOTES[key]), cluster=cluster)

    await fa.do("f-vote", "voting.open", budget=2)
    await people["zoe"].do("z-v1", "vote.cast", target=note_id(NOTES["kees"]))
    await people["kees"].do("k-v1", "vote.cast", target=cluster)
    await people["joost"].do("j-v1", "vote.cast", target=note_id(NOTES["zoe"]))
    await fa.do("f-vote-close", "voting.close")

    order = [people[key].participant for key in PEOPLE]
    await fa.do("f-round", "round.start", order=order)
    await people["zoe"].do("z-pass", "round.pass")  # Zoë passes
    for n in range(3):
        await fa.do(f"f-next-{n}", "round.next")

    for n, (key, client) in enumerate(people.items()):
        await _place(client, f"{key}-now", "now", 0.2 + n / 20, 0.3)
        await _place(client, f"{key}-want", "desired", 0.7, 0.6 + n / 20)
    await fa.do("f-chart", "chart.reveal")
    return public_id, people


async def _place(client: Client, command_id: str, kind: str, x: float, y: float) -> None:
    # Client.do takes the command's type as `kind`: a marker's own kind goes in the frame.
    await client.send(type="marker.place", id=command_id, kind=kind, x=x, y=y)
    await client.wait_for(lambda: command_id in client.acks or bool(client.errors))
    assert command_id in client.acks, client.errors


async def _harvest(
    server: Server, public_id: str, key: str, client: Client, consent: str | None = None
) -> None:
    """The participant answers the harvest on its page, with the link's cookie."""
    await answer_harvest(
        server.url,
        public_id,
        client.token,
        takeaway=TAKEAWAYS[key],
        consent=consent or PEOPLE[key][1],
        ratings={"rating-reflecteren": "4", "rating-kennis-delen": "3"},
    )


async def _compose(fa: httpx.AsyncClient, public_id: str, level: str) -> str:
    """The facilitator composes the outcome at this level; the outcome's public id."""
    page = await fa.get(f"/sessies/{public_id}/uitkomst")
    assert page.status_code == 200
    fields = change(
        form_fields(page.text, f"/sessies/{public_id}/uitkomst"),
        summary="We bespraken hoe het team samenwerkt in de wijk.",
        insights="Korte lijnen helpen.",
        actions="Elke maand een casus.",
        questions="Hoe bereiken we bewoners eerder?",
        **{"product-1-title": "Belwijzer", "product-1-url": "https://example.org/belwijzer"},
    )
    fields = [(k, v) for k, v in fields if k != "sharing"] + [("sharing", level)]
    saved = await post_form(fa, f"/sessies/{public_id}/uitkomst", [*fields, ("op", "save")])
    assert saved.status_code == 303, text_of(saved.text)
    found = re.fullmatch(r"/uitkomsten/([\w-]+)\?opgeslagen=1", saved.headers["location"])
    assert found, saved.headers["location"]
    return found.group(1)


def _assert_shared(html: str, level: str) -> None:
    """A shared version: no seeded name, and only what its authors consented to."""
    text = text_of(html)
    for part in _name_parts():
        assert part not in text, (level, part)
        assert part not in html, (level, part)
    for key, (_name, consent) in PEOPLE.items():
        allowed = RANK[consent] >= RANK[level]
        own = [NOTES[key], TAKEAWAYS[key]] + ([ANONYMOUS[key]] if key in ANONYMOUS else [])
        for words in own:
            assert (words in text) is allowed, (level, key, words)
    assert "Deelnemer A" in text
    assert "Korte lijnen helpen." in text  # the facilitator's composition is shared as is


async def test_a_shared_outcome_never_names_anyone_nor_shows_what_was_not_consented(
    server: Server,
) -> None:
    public_id, people = await _run_session(server)
    for key, client in people.items():
        await _harvest(server, public_id, key, client)

    fa = await _logged_in(server, "fa@example.org")
    educator = await _logged_in(server, EDUCATOR[0])
    anonymous = httpx.AsyncClient(base_url=server.url, timeout=PATIENT)
    try:
        compose = await fa.get(f"/sessies/{public_id}/uitkomst")
        main = text_of(_main(compose.text))
        # The facilitator sees the group version: names, also of those who did not consent.
        assert "Zoë Vermeulen-Baptiste" in main and NOTES["joost"] in main
        assert "Joost Wiegersma-Tjoelker" in main
        # An anonymous note is never attributed, not even to the group.
        anonymous_item = re.search(
            rf"<li>[^<]*<span class=\"note-text\">{ANONYMOUS['zoe']}</span>.*?</li>", compose.text
        )
        assert anonymous_item and "Zoë" not in anonymous_item.group(0)
        assert "<svg" in compose.text and "<desc" in compose.text and "<table" in compose.text
        assert 'style="' not in compose.text
        assert (await educator.get(f"/sessies/{public_id}/uitkomst")).status_code == 403

        outcome_id = ""
        for level in LEVELS:
            outcome_id = await _compose(fa, public_id, level)
            path = f"/uitkomsten/{outcome_id}"
            # The facilitator sees the group version with names, and previews each level.
            own = await fa.get(path)
            assert "Zoë Vermeulen-Baptiste" in _main(own.text)
            assert NOTES["joost"] in text_of(own.text)
            for preview in LEVELS[1:]:
                shown = await fa.get(f"{path}?niveau={preview}")
                _assert_shared(_main(shown.text), preview)
            # Everyone else sees the shared version, or nothing at all.
            may_read = {
                "group": (False, False),
                "region": (False, True),
                "national": (False, True),
                "open": (True, True),
            }[level]
            for viewer, allowed in zip((anonymous, educator), may_read, strict=True):
                page = await viewer.get(path)
                if not allowed:
                    assert page.status_code == 404, (level, page.status_code)
                    assert NOTES["zoe"] not in page.text
                    continue
                assert page.status_code == 200, (level, page.status_code)
                _assert_shared(page.text, level)
                assert "Fenna" not in page.text  # never the facilitator either
                assert ("CC BY 4.0" in page.text) is (level == "open")
                assert "Werkplaats Sociaal Domein Regio Zwolle" in text_of(page.text)
                # Even asking for the group version shows only the shared one.
                asked = await viewer.get(f"{path}?niveau=group")
                _assert_shared(asked.text, level)
        # Composing again updated the one outcome.
        assert outcome_id and (await fa.get(f"/uitkomsten/{outcome_id}")).status_code == 200
        # Zoë withdraws her consent through her harvest link: it counts at once.
        await _harvest(server, public_id, "zoe", people["zoe"], consent="no")
        withdrawn = text_of((await anonymous.get(f"/uitkomsten/{outcome_id}")).text)
        assert NOTES["zoe"] not in withdrawn and TAKEAWAYS["zoe"] not in withdrawn
        assert "Korte lijnen helpen." in withdrawn
        session_page = await fa.get(f"/sessies/{public_id}")
        assert f'href="/sessies/{public_id}/uitkomst"' in session_page.text
    finally:
        for client in (fa, educator, anonymous):
            await client.aclose()


async def test_the_compose_form_explains_mistakes_and_stores_nothing_half(server: Server) -> None:
    created = await server.create_session(
        title="Moreel beraad", goals=["reflecteren"], region="zwolle"
    )
    public_id = str(created["session"])
    compose = f"/sessies/{public_id}/uitkomst"
    fa = await _logged_in(server, "fa@example.org")
    try:
        # A session that never ran has nothing to compose.
        page = await fa.get(compose)
        assert "nog niet begonnen" in text_of(page.text)
        assert not form_fields_or_none(page.text, compose)
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        refused = await post_form(fa, compose, [("csrf_token", token), ("op", "save")])
        assert refused.status_code == 409

        facilitator = Client(server, public_id, str(created["participant"]), str(created["token"]))
        await facilitator.connect()
        await facilitator.do("f-start", "phase.next")
        joined = (await server.join(str(created["join_code"]), PEOPLE["fatima"][0])).json()
        fatima = Client(server, public_id, joined["participant"], joined["token"])
        await _harvest(server, public_id, "fatima", fatima)  # consent: region

        # Product rows are added and removed with buttons, keeping what was typed.
        page = await fa.get(compose)
        fields = change(form_fields(page.text, compose), **{"product-1-title": "Eerste"})
        added = await post_form(fa, compose, [*fields, ("op", "add-product")])
        fields = change(form_fields(added.text, compose), **{"product-2-title": "Tweede"})
        assert [v for k, v in fields if k.endswith("-title")] == ["Eerste", "Tweede"]
        assert re.search(r'id="f-product-2-title"[^>]*autofocus', added.text)
        removed = await post_form(fa, compose, [*fields, ("op", "remove-product-1")])
        fields = form_fields(removed.text, compose)
        assert [v for k, v in fields if k.endswith("-title")] == ["Tweede"]
        # Levels nobody consented to cannot be chosen.
        assert re.search(r'value="national"[^>]*disabled', removed.text)

        # Wrong input: the form again, with what was typed and what is allowed; nothing stored.
        wrong = change(
            fields,
            summary="Blijft staan",
            **{"product-1-url": "javascript:alert(1)", "product-1-title": ""},
        )
        wrong = [(k, v) for k, v in wrong if k != "sharing"] + [("sharing", "open")]
        answer = await post_form(fa, compose, [*wrong, ("op", "save")])
        assert answer.status_code == 422
        text = text_of(answer.text)
        assert "Geef dit product een titel." in text
        assert "begint met https://" in text
        assert "Niemand gaf toestemming om dit zo breed te delen." in text
        assert 'aria-invalid="true"' in answer.text and 'href="#f-product-1-url"' in answer.text
        assert "Blijft staan" in answer.text and "javascript:alert(1)" in answer.text
        assert "Bekijk de opgeslagen uitkomst" not in text_of((await fa.get(compose)).text)

        # Fixed, it is saved; a level within Fatima's consent is fine.
        fixed = change(wrong, **{"product-1-url": "https://example.org/x", "product-1-title": "T"})
        fixed = [(k, v) for k, v in fixed if k != "sharing"] + [("sharing", "region")]
        saved = await post_form(fa, compose, [*fixed, ("op", "save")])
        assert saved.status_code == 303
        assert "Bekijk de opgeslagen uitkomst" in text_of((await fa.get(compose)).text)
    finally:
        await fa.aclose()


def form_fields_or_none(html: str, action: str) -> list[tuple[str, str]] | None:
    """The form's fields, or None when the page has no such form."""
    try:
        return form_fields(html, action)
    except IndexError:
        return None
