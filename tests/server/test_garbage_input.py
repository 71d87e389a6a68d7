"""Garbage into every form, query and JSON body, by a caller who may use the route (so its
validation is reached): never a server error, and a refusal (4xx) changes nothing stored.

One world (tests/server/test_authorization_matrix.py's) serves the whole sweep; the routes that
could take the callers' own access away (roles, erasure, withdrawal, logging out) come last.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import traceback
from collections.abc import Sequence
from html import unescape
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.server.test_authorization_matrix import (
    ANONYMOUS,
    EDUCATOR,
    NOT_COORDINATORS,
    NOT_IN_SESSION,
    PARTICIPANT,
    ROUTES,
    Entry,
    World,
    _csrf,
    _everything,
    world,
)
from tests.sessions.pages import form_fields

__all__ = ["world"]  # the fixture, imported so that pytest finds it here

LONG = "x" * 100_000
HUGE = "9" * 40
# Values that are wrong for a number, a choice, a date and a slug alike.
BAD_VALUES = ("", "abc", "-1", HUGE, "1e999", "zzz-onbekend", " ", LONG)
# Query parameters the pages and the API read (grep query_params), plus the match form's.
QUERY_NAMES = (
    "q doel werkvorm thema regio van tot pagina page niveau groep code lang next variant goal "
    "modality group_size minutes roles goal.samen-leren action opgeslagen ingetrokken state error"
).split()
# Logging out, and the routes that may take the sweep's callers their access, go last.
LAST = (
    "/logout",
    "/uitkomsten/{outcome}/intrekken",
    "/groepen/{group}/leden/{bram}/wissen",
    "/groepen/{group}/begeleiders/{account}/verwijderen",
    "/beheer/wissen",
    "/beheer/accounts/{account}/rollen",
    "/beheer/accounts/{account}/tweestaps/reset",
    "/account/tweestaps/uit",
)
# Pages whose GET shows the form of another action (the POST has no page of its own).
FORM_PAGES = {
    "/beheer/accounts/{account}/rollen": "/beheer/accounts",
    "/beheer/accounts/{account}/regios": "/beheer/accounts",
    "/beheer/accounts/{account}/tweestaps/reset": "/beheer/accounts",
    "/beheer/accounts/uitnodigen": "/beheer/accounts",
    "/sessies/{session}/maximum": "/sessies/{session}",
    "/sessies/{session}/plan": "/sessies/{session}",
    "/groepen/{group}/instellingen": "/groepen/{group}",
    "/groepen/{group}/begeleiders": "/groepen/{group}",
    "/groepen/{group}/begeleiders/{account}/verwijderen": "/groepen/{group}",
    "/groepen/{group}/meedoen": "/groepen/{group}",
    "/regios/zwolle/themas": "/regios/zwolle",
    "/regios/zwolle/themas/{theme}": "/regios/zwolle",
    "/regios/zwolle/themas/{theme}/verwijderen": "/regios/zwolle",
    "/regios/zwolle/kennisvragen/1/opgepakt": "/regios/zwolle",
    "/regios/zwolle/kennisvragen/1/heropenen": "/regios/zwolle",
    "/modules/{module}/delen": "/modules/{module}",
    "/account/taal": "/account",
    "/account/tweestaps/uit": "/account/tweestaps",
    "/agenda": "/agenda",
    "/regios": "/regios",
    "/logout": "/",
    "/join": "/join?code={code}",
}
JSON_BODIES: dict[str, list[Any]] = {
    "/api/match": [
        {"goals": "x"},
        {"goals": {"samen-leren": "veel"}},
        {"goals": {"samen-leren": -1}},
        {"goals": {"samen-leren": 1e308}},
        {"goals": {"zzz": 1}},
        {"goals": {"samen-leren": 1}, "group_size": "abc"},
        {"goals": {"samen-leren": 1}, "group_size": -1},
        {"goals": {"samen-leren": 1}, "group_size": 10**30},
        {"goals": {"samen-leren": 1}, "minutes": 10**30},
        {"goals": {"samen-leren": 1}, "modality": "zzz"},
        {"goals": {"samen-leren": 1}, "roles": "x"},
        {"goals": {"samen-leren": 1}, "roles": [1, None]},
        {"goals": {LONG: 1}},
    ],
    "/api/sessions": [
        {"title": 1},
        {"title": ["a"]},
        {"title": ""},
        {"title": LONG},
        {"title": "T", "modality": "zzz"},
        {"title": "T", "variant": "zzz-onbekend"},
        {"title": "T", "variant": 5},
        {"title": "T", "goals": "x"},
        {"title": "T", "goals": ["zzz-onbekend"]},
        {"title": "T", "capacity": -1},
        {"title": "T", "capacity": 10**30},
        {"title": "T", "breakout_size": "vier"},
        {"title": "T", "anonymous_notes": "ja"},
        {"title": "T", "region": "zzz-onbekend"},
        {"title": "T", "region": "zwolle", "theme": "zzz-onbekend"},
        {"title": "T", "video_url": "javascript:alert(1)"},
        {"title": "T", "video_url": LONG},
        {"title": "T", "max_participants": 0},
        {"title": "T", "planned_start": "gisteren"},
        {"title": "T", "planned_start": "2030-01-01T10:00:00+01:00"},
        {"title": "T", "planned_start": "2030-01-01T10:00:00"},
        {
            "title": "T",
            "planned_start": "2030-01-01T10:00:00+01:00",
            "planned_end": "2029-01-01T10:00:00+01:00",
        },
        {
            "title": "T",
            "planned_start": "9999-12-31T23:00:00-14:00",
            "planned_end": "9999-12-31T23:59:59-14:00",
        },
    ],
    "/api/sessions/{code}/join": [
        {"name": 1},
        {"name": ""},
        {"name": LONG},
        {"name": "Nieuw", "location": "zzz"},
        {"name": "Nieuw", "location": 1},
        {"name": "Nieuw", "extra": 1},
    ],
}
NOT_OBJECTS = [b"[]", b'"x"', b"1", b"null", b"{", b"", b"{}", b'{"a": 1}']


def _caller(world: World, template: str, entry: Entry) -> tuple[str, httpx.AsyncClient]:
    """Someone the route lets through: the session's facilitator, a coordinator, its participant,
    an educator (modules) or nobody logged in (logging in, invitations, resets)."""
    if entry.why_anyone:
        if template.startswith(
            ("/login", "/wachtwoord", "/uitnodiging", "/join", "/api/sessions/")
        ):
            return ANONYMOUS, world.callers[ANONYMOUS]
        return "owner", world.owner
    if entry.refuses == NOT_IN_SESSION:
        if template.startswith("/s/"):
            return PARTICIPANT, world.callers[PARTICIPANT]
        return "owner", world.owner
    if entry.refuses == NOT_COORDINATORS:
        if "{session}" in entry.path or "{group}" in entry.path:
            return "owner", world.owner
        return "coordinator", world.coordinator
    if EDUCATOR not in entry.refuses:
        return EDUCATOR, world.callers[EDUCATOR]
    return "owner", world.owner


_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
_NAME = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"")


def _form_names(html: str, action: str) -> list[str]:
    """The name of every field of the forms posting to `action` (checked or not)."""
    found: dict[str, None] = {}
    for attributes, inside in _FORM.findall(html):
        if f'action="{action}"' in attributes:
            found |= dict.fromkeys(unescape(name) for name in _NAME.findall(inside))
    found.pop("csrf_token", None)
    return list(found)


Fields = Sequence[tuple[str, str]]


def _form_cases(base: Fields, names: Sequence[str]) -> list[tuple[str, Fields]]:
    """Garbage forms: nothing, every field empty or repeated, then each field wrong alone in
    the form as the page fills it in."""
    cases: list[tuple[str, Fields]] = [
        ("no fields", []),
        ("all empty", [(name, "") for name in names]),
        ("all repeated", [pair for name, v in base for pair in ((name, v), (name, "zzz"))]),
        ("all non-numeric", [(name, "abc") for name in names]),
        ("all negative", [(name, "-1") for name in names]),
        ("all huge", [(name, HUGE) for name in names]),
    ]
    for name in names:
        others = [(n, v) for n, v in base if n != name]
        cases.append((f"without {name}", others))
        for bad in BAD_VALUES:
            shown = "100000 x" if bad == LONG else repr(bad)
            cases.append((f"{name}={shown}", [*others, (name, bad)]))
    return cases


class Sweep:
    def __init__(self, db: async_sessionmaker[AsyncSession]) -> None:
        self.db = db
        self.stored: dict[str, list[tuple[Any, ...]]] = {}
        self.wrong: list[str] = []
        self.count = 0

    async def start(self) -> None:
        self.stored = await _everything(self.db)

    async def send(
        self, what: str, client: httpx.AsyncClient, method: str, path: str, **kw: Any
    ) -> None:
        self.count += 1
        try:
            response = await client.request(method, path, **kw)
        except Exception as error:  # the app raised: what a browser sees as a 500
            where = traceback.extract_tb(error.__traceback__)[-1]
            self.wrong.append(
                f"{method} {path} [{what}]: raised {error!r:.200} "
                f"at {where.filename}:{where.lineno}"
            )
            self.stored = await _everything(self.db)
            return
        status = response.status_code
        after = await _everything(self.db)
        if status >= 500:
            self.wrong.append(f"{method} {path} [{what}]: {status}")
        elif 400 <= status < 500 and status != 429 and after != self.stored:
            changed = [t for t in after if after[t] != self.stored.get(t)]
            self.wrong.append(f"{method} {path} [{what}]: {status} but changed {changed}")
        self.stored = after


async def test_garbage_never_makes_a_server_error_and_a_refusal_changes_nothing(
    world: World, db: async_sessionmaker[AsyncSession]
) -> None:
    ids = {**world.ids}
    # Planned, so that its invitation form has fields to spoil.
    day = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    plan = {"planned_date": day, "planned_start": "10:00", "planned_end": "12:00"}
    planned = await world.owner.post(
        f"/sessies/{ids['session']}/plan", data={**plan, "csrf_token": await _csrf(world.owner)}
    )
    assert planned.status_code == 303, planned.text[:300]
    sweep = Sweep(db)
    await sweep.start()
    routes = sorted(
        ((method, template, entry) for (method, template), entry in ROUTES.items()),
        key=lambda route: route[2].path in LAST,
    )
    for method, template, entry in routes:
        if method not in ("GET", "POST"):
            continue
        who, client = _caller(world, template, entry)
        path = entry.path.format(**ids)
        if method == "GET":
            if template.startswith(("/static", "/metrics")):
                continue
            base = path.split("?")[0]
            for bad in BAD_VALUES:
                if bad == LONG:  # one at a time, as long as a URL can be (httpx: 64 KiB)
                    for name in QUERY_NAMES:
                        long = f"{base}?{name}={LONG[:60_000]}"
                        await sweep.send(f"{who} {name}=long", client, "GET", long)
                    continue
                query = urlencode([(name, bad) for name in QUERY_NAMES])
                await sweep.send(f"{who} all={bad!r}", client, "GET", f"{base}?{query}")
            repeated = urlencode([(n, v) for n in QUERY_NAMES for v in ("1", "zzz")])
            await sweep.send(f"{who} repeated", client, "GET", f"{base}?{repeated}")
            continue
        if template.startswith("/api/"):
            headers = {"content-type": "application/json"}
            for raw in NOT_OBJECTS:
                await sweep.send(
                    f"{who} {raw!r}", client, "POST", path, content=raw, headers=headers
                )
            for body in JSON_BODIES[entry.path]:
                shown = json.dumps(body)[:80]
                await sweep.send(f"{who} {shown}", client, "POST", path, json=body)
            form = {"content-type": "application/x-www-form-urlencoded"}
            await sweep.send(f"{who} form", client, "POST", path, content=b"title=T", headers=form)
            continue
        page = FORM_PAGES.get(entry.path, entry.path.split("?")[0]).format(**ids)
        html = (await client.get(page)).text
        names = _form_names(html, path)
        fields = [(n, v) for n, v in form_fields(html, path) if n != "csrf_token"] if names else []
        if not names:  # no page shows this form (or not to this caller)
            fields = list(entry.data.items())
            names = [name for name, _ in fields]
        token = await _csrf(client)
        for what, case in _form_cases(fields, names):
            body = urlencode([*case, ("csrf_token", token)])
            await sweep.send(
                f"{who} {what}",
                client,
                "POST",
                path,
                content=body,
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
        await sweep.send(
            f"{who} JSON instead of a form",
            client,
            "POST",
            path,
            content=json.dumps({**dict(fields), "csrf_token": token}),
            headers={"content-type": "application/json"},
        )
        await sweep.send(
            f"{who} multipart",
            client,
            "POST",
            path,
            files={"upload": ("a.txt", b"abc")},
            data={**dict(fields), "csrf_token": token},
        )
    assert sweep.wrong == [], "\n".join([f"{len(sweep.wrong)} of {sweep.count}", *sweep.wrong])
