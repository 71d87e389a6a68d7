"""The catalogue's JSON API, as a client program uses it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalogue.seed import Content
from tests.catalogue.test_evidence_ranking import MIXED, add_sessions
from tests.helpers import csrf_token

REQUEST = {
    "goals": ["reflecteren", "casus-oplossen"],
    "group_size": 6,
    "minutes": 100,
    "modality": "online",
    "roles": ["professionals"],
}


async def test_goals_lists_every_goal_with_names(
    client: httpx.AsyncClient, seeded: list[str], content: Content
) -> None:
    response = await client.get("/api/goals")
    assert response.status_code == 200
    goals = response.json()["goals"]
    assert [g["slug"] for g in goals] == [g.slug for g in content.goals]
    assert goals[0]["name"] and goals[0]["name_en"] and goals[0]["description"]


async def test_variants_lists_and_filters(
    client: httpx.AsyncClient, seeded: list[str], content: Content
) -> None:
    everything = (await client.get("/api/variants")).json()["variants"]
    assert len(everything) == len(content.variants)
    filtered = await client.get(
        "/api/variants", params={"goal": "dilemmas-bespreken", "modality": "online"}
    )
    slugs = {v["slug"] for v in filtered.json()["variants"]}
    assert "moreel-beraad" in slugs
    assert all(v["goals"]["dilemmas-bespreken"] >= 2 for v in filtered.json()["variants"])
    assert all("online" in v["modalities"] for v in filtered.json()["variants"])
    sized = (await client.get("/api/variants", params={"group_size": 40})).json()["variants"]
    assert all(v["group_size"]["min"] <= 40 <= v["group_size"]["max"] for v in sized)
    assert "intervisie" not in {v["slug"] for v in sized}
    found = (await client.get("/api/variants", params={"q": "cafe"})).json()["variants"]
    assert "world-cafe" in {v["slug"] for v in found}


async def test_variants_refuses_unknown_filters_by_name(
    client: httpx.AsyncClient, seeded: list[str]
) -> None:
    response = await client.get(
        "/api/variants", params={"goal": "vliegen", "modality": "telepathie", "group_size": "veel"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_query"
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert "onbekend doel 'vliegen'" in fields["goal"]
    assert "on-site, online, hybrid" in fields["modality"]
    assert "heel getal" in fields["group_size"]


async def test_one_variant_has_its_full_script(
    client: httpx.AsyncClient, seeded: list[str]
) -> None:
    response = await client.get("/api/variants/intervisie")
    assert response.status_code == 200
    variant = response.json()
    assert variant["licence"] == "CC BY-SA 4.0"
    assert variant["version"] == 1
    assert variant["phases"][-1]["tool"] == "harvest"
    assert all(
        {"name", "purpose", "minutes", "tool", "facilitator", "participants"} <= set(phase)
        for phase in variant["phases"]
    )
    missing = await client.get("/api/variants/bestaat-niet")
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_variant"


async def test_match_ranks_with_reasons_and_lists_exclusions(
    client: httpx.AsyncClient, seeded: list[str], content: Content
) -> None:
    response = await client.post("/api/match", json=REQUEST)
    assert response.status_code == 200
    body = response.json()
    ranked = [r["slug"] for r in body["results"]]
    assert "intervisie" in ranked[:3]
    assert len(ranked) + len(body["excluded"]) == len(content.variants)
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    top = body["results"][0]
    assert set(top["goals"]) == {"reflecteren", "casus-oplossen"}
    assert top["evidence"]["reflecteren"] == {
        "sessions": 0,
        "regions": 0,
        "level": "weinig ervaring",
        "mean": None,
        "interval": None,
        "rating": None,
        "rating_interval": None,
    }
    assert top["weights"]["reflecteren"] == {"description": 1.0, "evidence": 0.0}
    # How sure the catalogue is, in words and as the score's standard deviation; without
    # sessions nothing is suggested apart from the ranking.
    assert top["certainty"] == (
        "Hier is voor deze doelen nog geen ervaring mee: "
        "de plek in de lijst komt alleen uit de beschrijving."
    )
    assert top["uncertainty"] > 0
    assert top["explore"] is False and top["explore_reason"] is None
    assert sum(r["explore"] for r in body["results"]) <= 1
    assert any(reason.startswith("dient het doel Reflecteren") for reason in top["reasons"])
    excluded = {e["slug"]: e["reasons"] for e in body["excluded"]}
    assert "een groep van 6 is kleiner dan het minimum van 12" in excluded["world-cafe"]


async def test_match_speaks_english_when_asked(
    client: httpx.AsyncClient, seeded: list[str]
) -> None:
    body = (
        await client.post(
            "/api/match", json={**REQUEST, "group_size": 40}, headers={"accept-language": "en"}
        )
    ).json()
    excluded = {e["slug"]: e["reasons"] for e in body["excluded"]}
    assert "a group of 40 is larger than the maximum of 10" in excluded["intervisie"]
    assert body["results"][0]["certainty"] == (
        "No experience with this for these goals yet: its place comes from the description alone."
    )


async def test_match_accepts_weights(client: httpx.AsyncClient, seeded: list[str]) -> None:
    ask = {**REQUEST, "goals": {"dilemmas-bespreken": 3, "reflecteren": 1}}
    body = (await client.post("/api/match", json=ask)).json()
    top = [r["slug"] for r in body["results"][:3]]
    assert "moreel-beraad" in top


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"goals": ["vliegen"]}, "goals", "onbekend doel 'vliegen'; bekende doelen: kennis-delen"),
        ({"modality": "zoom"}, "modality", "kies uit: on-site, online, hybrid"),
        ({"roles": ["koning"]}, "roles", "onbekende rol 'koning'; kies uit: professionals"),
        ({"group_size": 0}, "group_size", "0 is te klein; het minste is 1"),
        ({"group_size": -3}, "group_size", "te klein"),
        ({"group_size": 5000}, "group_size", "5000 is onrealistisch groot; het meeste is 1000"),
        ({"group_size": "zes"}, "group_size", "moet een heel getal zijn van 1 tot en met 1000"),
        ({"minutes": 0}, "minutes", "0 is te klein"),
        ({"minutes": 2.5}, "minutes", "moet een heel getal zijn"),
        ({"goals": {"reflecteren": 0}}, "goals", "kies minstens één doel met een gewicht boven 0"),
        ({"extra": 1}, "extra", "onbekend veld; toegestaan: goals, group_size"),
    ],
)
async def test_match_names_what_is_wrong_and_what_is_allowed(
    client: httpx.AsyncClient,
    seeded: list[str],
    change: dict[str, object],
    field: str,
    fragment: str,
) -> None:
    response = await client.post("/api/match", json={**REQUEST, **change})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    messages = [e["message"] for e in body["errors"] if e["field"] == field]
    assert any(fragment in message for message in messages), body


async def test_match_refuses_what_is_not_json(client: httpx.AsyncClient, seeded: list[str]) -> None:
    malformed = await client.post(
        "/api/match", content=b'{"goals": [', headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 400 and malformed.json()["code"] == "malformed_json"
    forged = await client.post("/api/match", data={"goals": "reflecteren"})
    assert forged.status_code == 403 and forged.json()["code"] == "csrf_failed"
    token = await csrf_token(client)
    form = await client.post(
        "/api/match", data={"goals": "reflecteren"}, headers={"x-csrf-token": token}
    )
    assert form.status_code == 415 and form.json()["code"] == "unsupported_media_type"
    huge = await client.post(
        "/api/match",
        content=b"[" + b"1," * 40_000 + b"1]",
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413 and huge.json()["code"] == "too_large"
    not_object = await client.post("/api/match", json=[1, 2])
    assert not_object.status_code == 422
    assert not_object.json()["errors"][0]["field"] == "(body)"


async def test_regions_are_listed(client: httpx.AsyncClient, seeded: list[str]) -> None:
    regions = (await client.get("/api/regions")).json()["regions"]
    assert {r["slug"] for r in regions} == {"zuid-holland-zuid", "zwolle", "gelderse-vallei"}
    assert all(r["themes"] for r in regions)


async def test_the_openapi_document_is_valid_and_describes_the_api(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/api/openapi.json")).json()
    validate(document)
    assert {
        "/api/goals",
        "/api/variants",
        "/api/variants/{slug}",
        "/api/match",
        "/api/regions",
    } <= set(document["paths"])
    request_schema = document["components"]["schemas"]["MatchRequest"]
    assert request_schema["properties"]["modality"]["enum"] == ["on-site", "online", "hybrid"]


def conforms(document: dict[str, Any], name: str, value: object) -> None:
    """`value` is valid against the OpenAPI document's schema `name`."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    Draft202012Validator(schema).validate(value)


async def test_the_match_and_variant_payloads_are_as_the_openapi_document_says(
    client: httpx.AsyncClient, seeded: list[str], db: async_sessionmaker[AsyncSession]
) -> None:
    await add_sessions(db, "intervisie", "reflecteren", [5.0])
    await add_sessions(db, "intervisie", "praktijkvraag-onderzoeken", [5.0])
    document = (await client.get("/api/openapi.json")).json()
    schemas = document["components"]["schemas"]

    matched = (await client.post("/api/match", json=MIXED)).json()
    conforms(document, "MatchResponse", matched)
    described = set(schemas["MatchResponse"]["properties"]["results"]["items"]["properties"])
    assert {key for r in matched["results"] for key in r} == described
    assert sum(r["explore"] for r in matched["results"]) == 1

    variant = (await client.get("/api/variants/intervisie")).json()
    conforms(document, "Variant", variant)
    evidence = variant["evidence"]["reflecteren"]
    described = set(schemas["Evidence"]["properties"]) | set(
        schemas["VariantEvidence"]["allOf"][1]["properties"]
    )
    assert set(evidence) == described
    assert evidence["situations"] == [
        {"modality": None, "group_size_band": None, "sessions": 1, "mean": 1.0, "rating": 5.0}
    ]
    situation = schemas["Situation"]["properties"]
    assert situation["group_size_band"]["enum"] == ["small", "medium", "large", None]


async def test_the_variants_filters_are_described_as_they_are_checked(
    client: httpx.AsyncClient, seeded: list[str]
) -> None:
    document = (await client.get("/api/openapi.json")).json()
    parameters = document["paths"]["/api/variants"]["get"]["parameters"]
    (size,) = [p["schema"] for p in parameters if p["name"] == "group_size"]
    assert (size["minimum"], size["maximum"]) == (1, 1000)
    assert (await client.get("/api/variants?group_size=1000")).status_code == 200
    assert (await client.get("/api/variants?group_size=1001")).status_code == 422
