"""Joins are bounded (issue 14, "Unlimited anonymous joins"; before, 1,000 joins from one
address all succeeded): one client address adds at most 60 new participants to one session in
an hour, and a session takes at most its maximum of participants (50 by default, or the room's
places when more), which the facilitator sets at creation (`max_participants`) and raises on
the session's page. Counted in the database and decided in the session's writer, so the bounds
hold under a parallel burst. Rejoining with a participant token is no new join.
On a real server process, both databases."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from server.settings import Settings
from sessions.joins import DEFAULT_MAX_PARTICIPANTS, MAX_PARTICIPANTS
from tests.helpers import csrf_token
from tests.sessions.live import Client, Server

PER_ADDRESS = 60
DEFAULT_MAXIMUM = 50
CEILING = 1000


async def _create(server: Server, **body: Any) -> httpx.Response:
    client = await server.facilitator()
    try:
        return await client.post("/api/sessions", json={"title": "Klas", **body})
    finally:
        await client.aclose()


async def _join(client: httpx.AsyncClient, code: str, name: str, address: str) -> httpx.Response:
    return await client.post(
        f"/api/sessions/{code}/join", json={"name": name}, headers={"X-Forwarded-For": address}
    )


async def _joins(server: Server, code: str, addresses: list[str]) -> list[httpx.Response]:
    """A join from each address, all at once."""
    limits = httpx.Limits(max_connections=20)
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=60) as client:
        return list(
            await asyncio.gather(
                *(_join(client, code, f"Deelnemer {i}", a) for i, a in enumerate(addresses))
            )
        )


def _codes(answers: list[httpx.Response]) -> Counter[str]:
    return Counter(
        "joined" if a.status_code == 201 else f"{a.status_code} {a.json()['code']}" for a in answers
    )


async def test_one_address_adds_at_most_sixty_participants_to_a_session(server: Server) -> None:
    created = await _create(server, max_participants=200)
    assert created.status_code == 201, created.text
    code = created.json()["join_code"]
    classroom = "203.0.113.5"  # a whole class behind one NAT address
    assert _codes(await _joins(server, code, [classroom] * 55)) == Counter(joined=55)
    # A burst of ten more: at most five get in, the rest are refused (never a few too many;
    # under a burst an attempt may be refused early, and does not count).
    burst = _codes(await _joins(server, code, [classroom] * 10))
    assert burst["joined"] <= 5 and burst["joined"] + burst["429 too_many_joins"] == 10, burst
    joined = 55 + burst["joined"]
    while (one := await _joins(server, code, [classroom]))[0].status_code == 201:
        joined += 1
    assert joined == PER_ADDRESS
    assert one[0].json()["code"] == "too_many_joins"
    assert 0 < int(one[0].headers["retry-after"]) <= 3600
    # Another address joins as before, and the same address joins another session.
    assert _codes(await _joins(server, code, ["198.51.100.8"])) == Counter(joined=1)
    other = (await _create(server)).json()["join_code"]
    assert _codes(await _joins(server, other, [classroom])) == Counter(joined=1)
    # The page says it in Dutch.
    async with httpx.AsyncClient(base_url=server.url) as browser:
        token = await csrf_token(browser)
        page = await browser.post(
            "/join",
            data={"code": code, "name": "Nog een", "csrf_token": token},
            headers={"X-Forwarded-For": classroom},
        )
    assert page.status_code == 429
    assert "Vanaf dit adres zijn al 60 deelnemers" in page.text


async def test_a_session_is_full_at_its_maximum_and_the_facilitator_raises_it(
    server: Server,
) -> None:
    created = await _create(server)
    assert created.status_code == 201, created.text
    session = created.json()
    code = session["join_code"]
    # Fifty by default (an online session), decided one join after another: a burst of 60 from
    # many addresses gets exactly 50 in.
    addresses = [f"192.0.2.{i % 30 + 1}" for i in range(60)]
    answers = await _joins(server, code, addresses)
    assert _codes(answers) == Counter({"joined": DEFAULT_MAXIMUM, "409 session_full": 10})
    first = next(a for a in answers if a.status_code == 201).json()

    # On the join page: who can do something about it.
    async with httpx.AsyncClient(base_url=server.url) as browser:
        token = await csrf_token(browser)
        page = await browser.post("/join", data={"code": code, "name": "Laat", "csrf_token": token})
    assert page.status_code == 409
    assert "Deze sessie is vol: er kunnen hoogstens 50 mensen meedoen." in page.text
    assert "begeleider" in page.text

    # Someone who already joined comes back with their token: no new join, still welcome.
    back = Client(server, session["session"], first["participant"], first["token"])
    await back.connect()
    assert back.welcome["participant"] == first["participant"]
    await back.close()

    # The facilitator sees the maximum on the session's page and raises it.
    facilitator = await server.facilitator()
    try:
        page = await facilitator.get(f"/sessies/{session['session']}")
        assert page.text.count('name="max_participants"') == 1 and 'value="50"' in page.text
        assert "<form" not in page.text.split("<title>")[1].split("</title>")[0]
        token = await csrf_token(facilitator, f"/sessies/{session['session']}")
        for wrong in ("0", str(CEILING + 1), "veel"):
            refused = await facilitator.post(
                f"/sessies/{session['session']}/maximum",
                data={"max_participants": wrong, "csrf_token": token},
            )
            assert refused.status_code == 422, wrong
            assert f"1 tot en met {CEILING}" in refused.text
        raised = await facilitator.post(
            f"/sessies/{session['session']}/maximum",
            data={"max_participants": "52", "csrf_token": token},
        )
        assert raised.status_code == 303, raised.text
        assert 'value="52"' in (await facilitator.get(f"/sessies/{session['session']}")).text
    finally:
        await facilitator.aclose()
    again = await _joins(server, code, ["192.0.2.100"] * 3)
    assert _codes(again) == Counter({"joined": 2, "409 session_full": 1})

    # Lowered below the 52 already in: the refusal states the maximum, not a count.
    facilitator = await server.facilitator()
    try:
        token = await csrf_token(facilitator, f"/sessies/{session['session']}")
        lowered = await facilitator.post(
            f"/sessies/{session['session']}/maximum",
            data={"max_participants": "40", "csrf_token": token},
        )
        assert lowered.status_code == 303, lowered.text
    finally:
        await facilitator.aclose()
    async with httpx.AsyncClient(base_url=server.url) as browser:
        token = await csrf_token(browser)
        page = await browser.post(
            "/join", data={"code": code, "name": "Later", "csrf_token": token}
        )
    assert page.status_code == 409
    assert "er kunnen hoogstens 40 mensen meedoen" in page.text
    assert "er doen al 40" not in page.text


async def test_the_maximum_is_set_at_creation_within_the_ceiling(server: Server) -> None:
    for wrong in (0, CEILING + 1):
        refused = await _create(server, max_participants=wrong)
        assert refused.status_code == 422, refused.text
    below_room = await _create(server, modality="hybrid", capacity=30, max_participants=20)
    assert below_room.status_code == 422
    assert below_room.json()["code"] == "invalid_request"
    assert "capacity" in below_room.json()["message"]

    small = (await _create(server, max_participants=2)).json()["join_code"]
    answers = await _joins(server, small, ["192.0.2.200"] * 4)
    assert _codes(answers) == Counter({"joined": 2, "409 session_full": 2})

    # A room with more places than the default takes as many as it has places.
    # (the facilitator takes one of the room's places, as before).
    hall = await _create(server, modality="on-site", capacity=70)
    addresses = [f"198.51.100.{i % 20 + 1}" for i in range(72)]
    answers = await _joins(server, hall.json()["join_code"], addresses)
    assert _codes(answers) == Counter({"joined": 69, "409 room_full": 3})


async def test_the_openapi_document_says_so(server: Server) -> None:
    async with server.http() as client:
        document = (await client.get("/api/openapi.json")).json()
    create = document["paths"]["/api/sessions"]["post"]
    schema = create["requestBody"]["content"]["application/json"]["schema"]
    name = schema["$ref"].rpartition("/")[2]  # the body is described once, in components
    properties = document["components"]["schemas"][name]["properties"]
    number = next(t for t in properties["max_participants"]["anyOf"] if t["type"] == "integer")
    assert number["maximum"] == CEILING
    join = document["paths"]["/api/sessions/{code}/join"]["post"]["responses"]
    assert "session_full" in join["409"]["description"]
    assert "too_many_joins" in join["429"]["description"]


def test_the_documented_numbers_are_the_codes() -> None:
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    workspace = (root / "docs" / "workspace.md").read_text(encoding="utf-8")
    settings = Settings(database_url="sqlite://", secret_key="x" * 43)
    assert settings.joins_per_client_per_session == PER_ADDRESS
    assert (DEFAULT_MAX_PARTICIPANTS, MAX_PARTICIPANTS) == (DEFAULT_MAXIMUM, CEILING)
    assert f"At most {PER_ADDRESS} new participants per client address per session" in readme
    assert f"at most {DEFAULT_MAXIMUM} participants" in readme and "from 1 to 1,000" in readme
    assert f"at most {PER_ADDRESS} participants to one session in an hour" in workspace
    assert f"{DEFAULT_MAXIMUM} unless the facilitator set another" in workspace
