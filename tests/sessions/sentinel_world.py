"""The world of the sharing gate's sentinel test: the sessions, the module, every route fetched."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

from tests.identifying_texts import SENTENCES
from tests.server.test_cli import WERKPLAATS
from tests.sessions.live import Client, Server, joined
from tests.sessions.pages import answer_harvest, change, form_fields, post_form, text_of
from tests.sessions.sentinels import (
    CHART,
    CLUSTER,
    EDUCATOR,
    MORE_NOTES,
    OWN_NOTES,
    PATIENCE,
    PEOPLE,
    SECOND_PERSON,
    SECOND_QUESTION,
    SECOND_TITLE,
    TAKEAWAYS,
    TITLE,
    composition,
)
from tests.sessions.test_outcome_end_to_end import _logged_in, _main, _place


@dataclass
class Fetched:
    status: int
    text: str


@dataclass
class World:
    server: Server
    session: str = ""  # the live session's public id
    outcome: str = ""  # its outcome, shared "open"
    second: str = ""  # the region-level outcome
    module: str = ""  # the educator's module (slug)
    shared: dict[str, Fetched] = field(default_factory=dict)  # beyond the group
    group: dict[str, Fetched] = field(default_factory=dict)  # the group's own view
    # Per visitor: the outcome links on the region page and what each answered that visitor.
    region_links: dict[str, dict[str, int]] = field(default_factory=dict)


async def build_world(world: World) -> None:
    try:
        await _run_session(world)
        await _run_second_session(world)
        await _module(world)
        await _fetch_everything(world)
    finally:
        await Client.close_all()


# The sessions ---------------------------------------------------------------------------------


async def _run_session(world: World) -> None:
    server = world.server
    created = await server.create_session(
        title=TITLE, goals=["reflecteren", "kennis-delen"], region="zwolle"
    )
    world.session = public_id = str(created["session"])
    fa = Client(server, public_id, str(created["participant"]), str(created["token"]))
    await fa.connect()
    people = {key: await joined(server, created, name) for key, name in PEOPLE.items()}
    await fa.do("f-start", "phase.next")

    for key, client in people.items():
        await client.do(f"{key}-own", "note.add", text=OWN_NOTES[key])
    for key, text in MORE_NOTES.items():
        await people[key].do(f"{key}-more", "note.add", text=text)
    writers = list(people.values())
    for n, sentence in enumerate(SENTENCES):
        await writers[n % len(writers)].do(f"third-{n}", "note.add", text=sentence.text)
    total = len(OWN_NOTES) + len(MORE_NOTES) + len(SENTENCES)
    await fa.do("f-cluster", "cluster.create", title=CLUSTER)
    await fa.wait_for(lambda: len(fa.state.notes) == total and len(fa.state.clusters) == 1)
    cluster = next(iter(fa.state.clusters))
    clustered = [OWN_NOTES["joost"], SENTENCES[0].text, SENTENCES[1].text]
    notes = [note_id for note_id, note in fa.state.notes.items() if note.text in clustered]
    for n, note_id in enumerate(notes):
        await fa.do(f"f-cl-{n}", "note.cluster", note=note_id, cluster=cluster)

    await fa.do("f-chart", "chart.configure", **CHART)
    for n, (key, client) in enumerate(people.items()):
        await _place(client, f"{key}-now", "now", 0.2 + n / 10, 0.3)
        await _place(client, f"{key}-want", "desired", 0.7, 0.5 + n / 10)
    await fa.do("f-reveal", "chart.reveal")
    await fa.do("f-round", "round.start", order=[c.participant for c in people.values()])

    for key, client in people.items():
        await _harvest(server, public_id, client, TAKEAWAYS[key], "open")

    fa_http = await _patient_login(server, "fa@example.org")
    try:
        world.outcome = await _compose(fa_http, public_id, composition(), "open")
    finally:
        await fa_http.aclose()


async def _run_second_session(world: World) -> None:
    server = world.server
    created = await server.create_session(
        title=SECOND_TITLE, goals=["reflecteren"], region="zwolle"
    )
    public_id = str(created["session"])
    fa = Client(server, public_id, str(created["participant"]), str(created["token"]))
    await fa.connect()
    await fa.do("f-start", "phase.next")
    pieter = await joined(server, created, SECOND_PERSON)
    await pieter.do("p-note", "note.add", text="Pieter Zandbergen ziet de wachtlijst groeien")
    await _harvest(server, public_id, pieter, "Eerder bellen", "region")
    fa_http = await _patient_login(server, "fa@example.org")
    try:
        world.second = await _compose(
            fa_http,
            public_id,
            {"summary": "Vervolg op de wachtlijst.", "questions": SECOND_QUESTION},
            "region",
        )
    finally:
        await fa_http.aclose()


async def _patient_login(server: Server, email: str) -> httpx.AsyncClient:
    """Logged in, and waiting as long as a first de-identification may take (deduce loads its
    model once per process)."""
    client = await _logged_in(server, email)
    client.timeout = PATIENCE
    return client


async def _harvest(
    server: Server, public_id: str, client: Client, takeaway: str, consent: str
) -> None:
    """The participant answers the harvest on its page, with the link's cookie."""
    await answer_harvest(
        server.url,
        public_id,
        client.token,
        takeaway=takeaway,
        consent=consent,
        ratings={"rating-reflecteren": "4"},
        patience=PATIENCE,
    )


async def _compose(
    fa: httpx.AsyncClient, public_id: str, values: dict[str, str], level: str
) -> str:
    """The facilitator composes the outcome on its page (adding product rows as needed) and
    saves it at `level`; the outcome's public id."""
    action = f"/sessies/{public_id}/uitkomst"
    page = await fa.get(action)
    assert page.status_code == 200, text_of(page.text)
    fields = form_fields(page.text, action)
    while any(k not in dict(fields) for k in values if k.startswith("product-")):
        page = await post_form(fa, action, [*fields, ("op", "add-product")])
        assert page.status_code == 200, text_of(page.text)
        fields = form_fields(page.text, action)
    fields = change(fields, **values)
    fields = [(k, v) for k, v in fields if k != "sharing"] + [("sharing", level)]
    saved = await post_form(fa, action, [*fields, ("op", "save")])
    assert saved.status_code == 303, text_of(saved.text)
    found = re.fullmatch(r"/uitkomsten/([\w-]+)\?opgeslagen=1", saved.headers["location"])
    assert found, saved.headers["location"]
    return found.group(1)


# The module -----------------------------------------------------------------------------------


async def _module(world: World) -> None:
    educator = await _patient_login(world.server, EDUCATOR[0])
    try:
        page = await educator.get("/modules/nieuw")
        assert page.status_code == 200, text_of(page.text)
        fields = change(
            form_fields(page.text, "/modules/nieuw"),
            **{
                "title": "Schuldhulp in de wijk",
                "audience": "Tweedejaars social work",
                "objectives": "Je herkent wat een wachtlijst met bewoners doet",
                "case-1-outcome": world.outcome,
                "case-1-note": "Lees de casus en de belwijzer",
                "case-2-outcome": world.second,
                "case-2-note": "Alleen voor de regio",
                "reflection": "Wat doe jij als de wachtlijst groeit?",
            },
        )
        saved = await post_form(educator, "/modules/nieuw", fields)
        assert saved.status_code == 303, text_of(saved.text)
        found = re.fullmatch(r"/modules/([\w-]+)\?opgeslagen=1", saved.headers["location"])
        assert found, saved.headers["location"]
        world.module = found.group(1)
        page = await educator.get(f"/modules/{world.module}")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        shared = await post_form(
            educator, f"/modules/{world.module}/delen", [("csrf_token", token), ("shared", "1")]
        )
        assert shared.status_code == 303, text_of(shared.text)
    finally:
        await educator.aclose()


# Fetching -------------------------------------------------------------------------------------


async def _fetch_everything(world: World) -> None:
    server = world.server
    anonymous = server.http()
    anonymous.timeout = PATIENCE
    educator = await _patient_login(server, EDUCATOR[0])
    fa = await _patient_login(server, "fa@example.org")
    visitors = {"anonymous": anonymous, "educator": educator}
    try:

        async def get(label: str, client: httpx.AsyncClient, path: str, main: bool = False) -> None:
            answer = await client.get(path, follow_redirects=True)
            text = answer.text
            if main:  # logged in: the page's content, not the header naming the account
                text = re.sub(r'<nav class="breadcrumbs".*?</nav>', "", _main(text), flags=re.S)
            world.shared[f"{label} GET {path}"] = Fetched(answer.status_code, text)

        outcome, second, module = world.outcome, world.second, world.module
        for who, client in visitors.items():
            logged_in = who != "anonymous"
            await get(who, client, f"/uitkomsten/{outcome}", logged_in)
            await get(who, client, f"/uitkomsten/{outcome}?niveau=group", logged_in)
            for page in ("/bibliotheek", "/library"):
                for q in ("", "wiegersma", "henk", "jansen", "moussaoui", "wachtlijst"):
                    await get(who, client, f"{page}?q={q}" if q else page, logged_in)
            for q in ("", "wiegersma", "jansen", "henk", "111222333", "wachtlijst"):
                await get(who, client, f"/api/outcomes?q={q}" if q else "/api/outcomes")
            for page in ("/regios/zwolle", "/regions/zwolle"):
                await get(who, client, page, logged_in)
            await get(who, client, "/regios", logged_in)
            await get(who, client, "/", logged_in)
            await get(who, client, "/catalogus/intervisie", logged_in)
            region = await client.get("/regios/zwolle")
            links = sorted(set(re.findall(r'href="/uitkomsten/([^"?#]+)"', region.text)))
            world.region_links[who] = {
                link: (await client.get(f"/uitkomsten/{link}")).status_code for link in links
            }
        await get("educator", educator, f"/uitkomsten/{second}", True)
        for level in ("region", "national", "open"):
            await get("facilitator preview", fa, f"/uitkomsten/{outcome}?niveau={level}", True)

        # An outcome by id in the API: none today (404, and not in the OpenAPI document); if
        # one is added, it is searched like the rest.
        for who, client in visitors.items():
            probe = await client.get(f"/api/outcomes/{outcome}")
            if probe.status_code != 404:
                world.shared[f"{who} GET /api/outcomes/{{id}}"] = Fetched(*_status_text(probe))
        openapi = (await anonymous.get("/api/openapi.json")).json()
        for path, operations in openapi["paths"].items():
            if "get" not in operations:
                continue
            concrete = path.replace("{slug}", "intervisie")
            concrete = re.sub(r"\{[^}]+\}", outcome, concrete)
            await get("anonymous (openapi)", anonymous, concrete)
            await get("educator (openapi)", educator, concrete)

        for path in (
            "/modules",
            "/modules/nieuw",
            f"/modules/{module}",
            f"/modules/{module}/bewerken",
            f"/modules/{module}/versies/1",
        ):
            await get("educator", educator, path, True)
        for fmt in ("md", "html", "json"):
            await get("educator", educator, f"/modules/{module}/export.{fmt}")
        own = await educator.get(f"/modules/{module}")
        token = re.search(r'href="/modules/gedeeld/([^"]+)"', own.text)
        assert token, text_of(own.text)
        await get("anonymous", anonymous, f"/modules/gedeeld/{token.group(1)}")

        world.group["compose"] = Fetched(
            *_status_text(await fa.get(f"/sessies/{world.session}/uitkomst"))
        )
        world.group["outcome"] = Fetched(*_status_text(await fa.get(f"/uitkomsten/{outcome}")))
    finally:
        for client in (anonymous, educator, fa):
            await client.aclose()


def _status_text(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.text


def cli_exports(world: World) -> None:
    for fmt in ("md", "html", "json"):
        done = subprocess.run(
            [WERKPLAATS, "export", "module", world.module, "--format", fmt],
            env=world.server.env,
            capture_output=True,
        )
        world.shared[f"werkplaats export module --format {fmt}"] = Fetched(
            _cli_status(done), done.stdout.decode() + done.stderr.decode()
        )
    out = world.server.data_dir / "exports"
    done = subprocess.run(
        [WERKPLAATS, "export", "module", "--all", "--format", "md", "--output", str(out)],
        env=world.server.env,
        capture_output=True,
    )
    text = "\n".join(p.read_text() for p in sorted(out.glob("*"))) if out.is_dir() else ""
    world.shared["werkplaats export module --all --format md"] = Fetched(
        _cli_status(done), text + done.stderr.decode()
    )


def _cli_status(done: subprocess.CompletedProcess[bytes]) -> int:
    """A command's exit status as the HTTP status the tests expect of a success (200)."""
    return 200 if done.returncode == 0 else 1000 + done.returncode


def searchable(fetched: Fetched) -> str:
    """What an answer says, with no escape hiding a name: a JSON answer as its decoded strings,
    Markdown without its backslash escapes ("06\\-12345678" is "06-12345678"), a library page
    without the visitor's own query echoed in its search field and links."""
    text = fetched.text
    try:
        text = "\n".join(_strings(json.loads(text)))
    except ValueError:
        pass
    text = re.sub(r'<input\b[^>]*\bname="q"[^>]*>', "", text)
    text = re.sub(r'href="[^"]*[?&]q=[^"]*"', "", text)
    return re.sub(r"\\(?=[^\w\s])", "", text)


def _strings(value: object) -> Iterator[str]:
    """Every string in a JSON value, keys too."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
