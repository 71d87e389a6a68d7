"""Coordinators edit a variant in the browser: new versions, refusals, conflicts and roles."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from catalogue.seed import Content, seed
from tests.helpers import log_in, make_user

pytestmark = pytest.mark.usefixtures("seeded")

VARIANT = "/catalogus/intervisie"
EDIT = f"{VARIANT}/bewerken"
HISTORY = f"{VARIANT}/versies"
API = "/api/variants/intervisie"
PHASES = [
    "Opening",
    "Terugblik",
    "Vragen inbrengen",
    "Kiezen",
    "Vragenronde",
    "Analyse",
    "Adviesronde",
    "Reactie en oogst",
]
NOT_ALLOWED = "Je account heeft niet de rol die hiervoor nodig is."


@dataclass
class Form:
    """What a browser would send from one form on a page: every field, in page order."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    textareas: set[str] = field(default_factory=set)

    def __getitem__(self, name: str) -> str:
        return self.fields[name][0]

    def __setitem__(self, name: str, value: str | list[str]) -> None:
        self.fields[name] = [value] if isinstance(value, str) else value

    def as_browser_sends_it(self) -> Form:
        """The same form with textarea line breaks as CRLF, as browsers submit them."""
        fields = {
            name: [v.replace("\n", "\r\n") for v in values] if name in self.textareas else values
            for name, values in self.fields.items()
        }
        return Form(fields, set(self.textareas))


class _FormReader(HTMLParser):
    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.form: Form | None = None
        self.inside = False
        self.textarea: tuple[str, list[str]] | None = None
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []

    def _add(self, name: str, value: str) -> None:
        assert self.form is not None
        self.form.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("action") == self.action and self.form is None:
            self.form, self.inside = Form(), True
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._add(a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else ""))
        elif tag == "textarea":
            self.textarea = (a["name"], [])
        elif tag == "select":
            self.select, self.options = a["name"], []
        elif tag == "option" and self.select is not None:
            self.options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            name, parts = self.textarea
            text = "".join(parts)
            self._add(name, text.removeprefix("\n"))  # the HTML parser drops one leading newline
            assert self.form is not None
            self.form.textareas.add(name)
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.options if selected]
            self._add(self.select, (chosen or [self.options[0][0]])[0])
            self.select = None


def read_form(page: str, action: str = EDIT) -> Form:
    reader = _FormReader(action)
    reader.feed(page)
    assert reader.form is not None, f"no form posting to {action} on the page"
    return reader.form


def visible_text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def history_rows(page: str) -> list[str]:
    """The rows of the history table as text, newest first."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [visible_text(row) for row in body.split("<tr>")[1:]]


def script_phases(page: str) -> list[str]:
    """The phase names of the script timeline on a variant page, in order."""
    return [unescape(name) for name in re.findall(r"<h3>(.*?) <span class=\"phase-meta\">", page)]


def title_of(page: str) -> str:
    match = re.search(r"<h1>(.*?)(?: <span|</h1>)", page, re.S)
    assert match
    return unescape(match.group(1))


async def log_in_as(
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    email: str,
    name: str,
    role: str = "coordinator",
) -> None:
    await make_user(db, email=email, roles=[role], name=name)
    assert (await log_in(client, email)).status_code == 303


@asynccontextmanager
async def another_browser(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def open_form(client: httpx.AsyncClient) -> Form:
    page = await client.get(EDIT)
    assert page.status_code == 200
    return read_form(page.text)


async def send(client: httpx.AsyncClient, form: Form) -> httpx.Response:
    return await client.post(EDIT, data=form.fields)


async def version_numbers(client: httpx.AsyncClient) -> list[str]:
    rows = history_rows((await client.get(HISTORY)).text)
    return [row.split()[0] for row in rows]


@pytest.fixture
async def carla(client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]) -> str:
    """The test client, logged in as the coordinator Carla; returns her name."""
    await log_in_as(client, db, "carla@example.org", "Carla Coördinator")
    return "Carla Coördinator"


async def test_the_edit_form_starts_from_the_current_variant(
    client: httpx.AsyncClient, carla: str
) -> None:
    form = await open_form(client)
    assert form["title"] == "Intervisie"
    assert form["title_en"] == "Peer consultation"
    assert form["base_version"] == "1"
    assert [form[f"phase-{i}-name"] for i in range(1, 9)] == PHASES
    assert form["phase-8-tool"] == "harvest"
    assert form["group_min"] == "3" and form["group_max"] == "10"
    assert form.fields["modalities"] == ["on-site", "online", "hybrid"]
    assert form["goal.reflecteren"] == "3"
    assert form["phase-9-name"] == "" and form["phase-10-name"] == ""  # two spare rows


async def test_a_saved_edit_becomes_version_2_with_name_and_note(
    client: httpx.AsyncClient, carla: str
) -> None:
    form = await open_form(client)
    form["title"] = "Intervisie volgens de incidentmethode"
    form["note"] = "Titel noemt nu de methode"
    response = await send(client, form)
    assert response.status_code == 303
    assert response.headers["location"] == "/catalogus/intervisie?opgeslagen=2"

    page = await client.get(response.headers["location"])
    assert "Opgeslagen als versie 2." in page.text
    assert title_of(page.text) == "Intervisie volgens de incidentmethode"

    rows = history_rows((await client.get(HISTORY)).text)
    assert len(rows) == 2
    assert rows[0].startswith("2 (huidige)")
    assert "Carla Coördinator" in rows[0] and "Titel noemt nu de methode" in rows[0]
    assert rows[1].startswith("1 ")
    assert "catalogus (inhoudsbestanden)" in rows[1]
    assert "(inhoudsbestand)" not in rows[1]  # the author's name says so already, once

    old = await client.get(f"{HISTORY}/1")
    assert old.status_code == 200
    assert title_of(old.text) == "Intervisie"
    assert "Je bekijkt versie 1, opgeslagen door catalogus (inhoudsbestanden)" in old.text

    api = (await client.get(API)).json()
    assert api["version"] == 2
    assert api["saved_by"] == "Carla Coördinator"
    assert api["title"] == "Intervisie volgens de incidentmethode"


async def test_coordinators_see_an_edit_link_on_the_variant_page(
    client: httpx.AsyncClient, carla: str
) -> None:
    assert f'href="{EDIT}"' in (await client.get(VARIANT)).text


async def test_an_unchanged_form_saves_no_new_version(
    client: httpx.AsyncClient, carla: str
) -> None:
    response = await send(client, await open_form(client))
    assert response.status_code == 303
    assert response.headers["location"] == VARIANT
    assert await version_numbers(client) == ["1"]
    assert (await client.get(API)).json()["version"] == 1


async def test_an_unchanged_form_after_an_edit_saves_no_new_version(
    client: httpx.AsyncClient, carla: str
) -> None:
    form = await open_form(client)
    form["title"] = "Intervisie in een vaste groep"
    assert (await send(client, form)).headers["location"].endswith("?opgeslagen=2")
    response = await send(client, await open_form(client))
    assert response.status_code == 303
    assert response.headers["location"] == VARIANT
    assert "Opgeslagen als versie" not in (await client.get(response.headers["location"])).text
    assert await version_numbers(client) == ["2", "1"]


async def test_an_unchanged_form_sent_by_a_browser_saves_no_new_version(
    client: httpx.AsyncClient, carla: str
) -> None:
    form = await open_form(client)
    form["title"] = "Intervisie in een vaste groep"
    assert (await send(client, form)).headers["location"].endswith("?opgeslagen=2")
    response = await send(client, (await open_form(client)).as_browser_sends_it())
    assert response.status_code == 303
    assert response.headers["location"] == VARIANT
    assert await version_numbers(client) == ["2", "1"]


async def test_paragraphs_of_the_description_survive_an_edit_in_a_browser(
    client: httpx.AsyncClient, carla: str
) -> None:
    before = (await client.get(VARIANT)).text
    form = (await open_form(client)).as_browser_sends_it()
    form["title"] = "Intervisie in stappen"
    assert (await send(client, form)).status_code == 303
    after = (await client.get(VARIANT)).text
    assert title_of(after) == "Intervisie in stappen"
    assert "<p>Er bestaan veel methodes voor intervisie" in before
    assert "<p>Er bestaan veel methodes voor intervisie" in after  # still its own paragraph


async def test_phases_are_added_in_a_spare_row_and_removed_with_their_checkbox(
    client: httpx.AsyncClient, carla: str
) -> None:
    form = await open_form(client)
    form["phase-2-remove"] = "on"  # Terugblik
    form["phase-9-name"] = "Afsluiting"
    form["phase-9-minutes"] = "5"
    form["phase-9-tool"] = "harvest"
    form["phase-9-purpose"] = "Iedereen sluit af met één woord."
    form["phase-9-facilitator"] = "Vraag in een ronde om één woord."
    form["phase-9-participants"] = "Zeg één woord over vandaag."
    response = await send(client, form)
    assert response.status_code == 303
    assert response.headers["location"].endswith("?opgeslagen=2")

    page = (await client.get(VARIANT)).text
    expected = [name for name in PHASES if name != "Terugblik"] + ["Afsluiting"]
    assert script_phases(page) == expected
    assert "85 minuten" in page  # 90 - 10 (Terugblik) + 5 (Afsluiting)
    api = (await client.get(API)).json()
    assert [phase["name"] for phase in api["phases"]] == expected


async def test_an_untouched_spare_row_adds_no_phase(client: httpx.AsyncClient, carla: str) -> None:
    form = await open_form(client)
    form["title"] = "Intervisie (vaste groep)"
    assert (await send(client, form)).status_code == 303
    assert script_phases((await client.get(VARIANT)).text) == PHASES


INVALID_EDITS = [
    pytest.param({"title": "  "}, "title", "is leeg; vul hier iets in", id="empty-title"),
    pytest.param(
        {"group_min": "12"},
        "group_min",
        "moet min <= ideaal <= max zijn; het is 12, 6, 10",
        id="group-min-above-max",
    ),
    pytest.param(
        {"phase-3-minutes": "tien"},
        "phase-3-minutes",
        "moet een heel getal zijn van 1 tot en met 600, niet 'tien'",
        id="minutes-in-words",
    ),
    pytest.param(
        {"phase-8-tool": "round"},
        "phase-8-tool",
        "de laatste fase moet het hulpmiddel 'harvest' (oogsten) gebruiken",
        id="last-phase-not-a-harvest",
    ),
    pytest.param(
        {"modalities": ["on-site", "teleport"]},
        "summary",
        "onbekende waarde 'teleport'; kies uit: on-site, online, hybrid",
        id="unknown-modality",
    ),
    pytest.param(
        {"note": "x" * 501}, "note", "is te lang: hoogstens 500 tekens", id="note-too-long"
    ),
    # An emptied number of the group size or the duration (it was a server error).
    pytest.param({"group_min": ""}, "summary", "ontbreekt", id="group-min-empty"),
    pytest.param({"minutes_typical": " "}, "summary", "ontbreekt", id="minutes-typical-empty"),
]


@pytest.mark.parametrize(("change", "kept", "message"), INVALID_EDITS)
async def test_an_invalid_edit_is_refused_with_the_problem_named_and_the_input_kept(
    client: httpx.AsyncClient,
    carla: str,
    change: dict[str, str | list[str]],
    kept: str,
    message: str,
) -> None:
    form = await open_form(client)
    form["summary"] = "Een nieuwe samenvatting die niet verloren mag gaan."
    form["note"] = "mijn poging"
    for name, value in change.items():
        form[name] = value
    response = await send(client, form)
    assert response.status_code == 422
    assert message in unescape(response.text)
    assert "Verbeter dit alsjeblieft" in response.text

    again = read_form(response.text)
    assert again["summary"] == "Een nieuwe samenvatting die niet verloren mag gaan."
    assert again[kept] == form[kept]
    assert again["base_version"] == "1"
    assert await version_numbers(client) == ["1"]
    assert (await client.get(API)).json()["version"] == 1


async def test_a_stale_edit_is_refused_naming_who_saved_first_and_can_then_be_saved(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], app: Starlette, carla: str
) -> None:
    async with another_browser(app) as bram:
        await log_in_as(bram, db, "bram@example.org", "Bram Brouwer")
        carla_form = await open_form(client)
        bram_form = await open_form(bram)

        carla_form["title"] = "Intervisie (Carla)"
        assert (await send(client, carla_form)).status_code == 303

        bram_form["title"] = "Intervisie (Bram)"
        bram_form["note"] = "Bram zijn versie"
        refused = await send(bram, bram_form)
        assert refused.status_code == 409
        assert (
            "Carla Coördinator sloeg versie 2 op terwijl jij aan het bewerken was. "
            "Jouw wijzigingen zijn nog niet opgeslagen" in unescape(refused.text)
        )
        api = (await bram.get(API)).json()
        assert (api["version"], api["title"]) == (2, "Intervisie (Carla)")
        assert await version_numbers(bram) == ["2", "1"]

        retry = read_form(refused.text)
        assert retry["title"] == "Intervisie (Bram)"  # Bram's change is still in the form
        assert retry["note"] == "Bram zijn versie"
        assert retry["base_version"] == "2"
        saved = await send(bram, retry)
        assert saved.status_code == 303
        assert saved.headers["location"] == "/catalogus/intervisie?opgeslagen=3"
        api = (await bram.get(API)).json()
        assert (api["version"], api["title"], api["saved_by"]) == (
            3,
            "Intervisie (Bram)",
            "Bram Brouwer",
        )


async def test_anonymous_visitors_are_sent_to_log_in_and_save_nothing(
    client: httpx.AsyncClient, app: Starlette, db: async_sessionmaker[AsyncSession]
) -> None:
    async with another_browser(app) as coordinator:
        await log_in_as(coordinator, db, "carla@example.org", "Carla Coördinator")
        form = await open_form(coordinator)
    form["title"] = "Intervisie door een onbekende"

    page = await client.get(EDIT)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fcatalogus%2Fintervisie%2Fbewerken"

    await client.get("/login")  # the visitor's own CSRF token
    form["csrf_token"] = client.cookies["werkplaats_csrf"]
    post = await send(client, form)
    assert post.status_code == 303
    assert post.headers["location"].startswith("/login?next=")
    assert (await client.get(API)).json()["version"] == 1


@pytest.mark.parametrize("role", ["facilitator", "educator"])
async def test_facilitators_and_educators_may_not_edit(
    client: httpx.AsyncClient, app: Starlette, db: async_sessionmaker[AsyncSession], role: str
) -> None:
    async with another_browser(app) as coordinator:
        await log_in_as(coordinator, db, "carla@example.org", "Carla Coördinator")
        form = await open_form(coordinator)
    form["title"] = "Intervisie zonder coördinator"
    await log_in_as(client, db, "fenna@example.org", "Fenna de Vries", role=role)

    assert f'href="{EDIT}"' not in (await client.get(VARIANT)).text
    page = await client.get(EDIT)
    assert page.status_code == 403
    assert NOT_ALLOWED in page.text
    form["csrf_token"] = client.cookies["werkplaats_csrf"]
    post = await send(client, form)
    assert post.status_code == 403
    assert NOT_ALLOWED in post.text
    assert await version_numbers(client) == ["1"]
    assert (await client.get(API)).json()["title"] == "Intervisie"


async def test_a_title_with_markup_is_shown_as_text(client: httpx.AsyncClient, carla: str) -> None:
    form = await open_form(client)
    form["title"] = "<script>alert(1)</script>"
    assert (await send(client, form)).status_code == 303
    for page in (VARIANT, "/catalogus", HISTORY):
        text = (await client.get(page)).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, page
        assert "<script>alert(1)" not in text, page
    assert (await client.get(API)).json()["title"] == "<script>alert(1)</script>"


async def test_seeding_again_keeps_the_edit_and_says_so(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], content: Content, carla: str
) -> None:
    form = await open_form(client)
    form["title"] = "Intervisie, door Carla"
    assert (await send(client, form)).status_code == 303

    async with db() as session:
        report = await seed(session, content)
    line = next(line for line in report if line.startswith("variant intervisie:"))
    assert "kept the edit (version 2 by Carla Coördinator" in line
    assert "the file has not changed" in line

    assert title_of((await client.get(VARIANT)).text) == "Intervisie, door Carla"
    assert await version_numbers(client) == ["2", "1"]


async def test_an_old_version_page_describes_that_version(
    client: httpx.AsyncClient, carla: str
) -> None:
    form = await open_form(client)
    form["title"] = "Intervisie, nieuw"
    assert (await send(client, form)).status_code == 303
    old = (await client.get(f"{HISTORY}/1")).text
    assert "Versie 1 · catalogus (inhoudsbestanden)" in old
    assert "Versie 2 · Carla Coördinator" not in old
