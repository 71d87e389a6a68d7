"""Evidence from outcomes in the real database moves the ranking, as the issues describe.

Outcomes are generated straight into the outcome tables (as catalogue/outcomes/actions.py writes
them): a variant that keeps failing a goal falls below one it used to beat; one unlucky session
moves no rank; the match page says how much each counted and how sure the catalogue is; a
variant with a few good sessions is offered apart as a suggestion to try, never as number 1;
the variant page and the API show the evidence, also per situation, and what the levels mean.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalogue.evidence.queries import load_evidence
from catalogue.evidence.summary import SessionRating, evidence_table
from catalogue.matching.belief import LEAST_SPREAD, PRIOR_SESSIONS, TYPICAL_SPREAD
from catalogue.outcomes.models import SHARING_LEVELS, OutcomeRating, OutcomeRow
from tests.catalogue.test_pages import text_of

pytestmark = pytest.mark.usefixtures("seeded")

# A small online group of professionals that wants to reflect.
REQUEST: dict[str, Any] = {
    "goals": ["reflecteren"],
    "group_size": 6,
    "minutes": 100,
    "modality": "online",
    "roles": ["professionals"],
}
PAGE_PARAMS = [
    ("goal.reflecteren", "2"),
    ("group_size", "6"),
    ("minutes", "100"),
    ("modality", "online"),
    ("roles", "professionals"),
]
REGIONS = ("zwolle", "gelderse-vallei", "zuid-holland-zuid")
GOOD_RECORD = (4.0, 4.5, 4.0, 4.5, 4.0, 4.2)  # six sessions, on average 4.2 of 5


async def add_sessions(
    db: async_sessionmaker[AsyncSession],
    variant: str | None,
    goal: str,
    means: Sequence[float],
    regions: Sequence[str | None] = REGIONS[:2],
    raters: int = 6,
    modality: str | None = None,
    group_size: int | None = None,
) -> list[SessionRating]:
    """One outcome per mean, its goal rated with that mean, held in the situation given (None:
    not known); regions and sharing levels in turn (outcomes shared with the group only count
    as evidence too)."""
    made = []
    async with db() as session:
        for i, mean in enumerate(means):
            region = regions[i % len(regions)]
            outcome = OutcomeRow(
                public_id=uuid.uuid4().hex[:20],
                variant_slug=variant,
                region_slug=region,
                goals=[goal],
                title=f"Sessie {i + 1}",
                held_on=dt.datetime(2026, 10, 1, tzinfo=dt.UTC) + dt.timedelta(days=i),
                sharing=SHARING_LEVELS[i % len(SHARING_LEVELS)],
                modality=modality,
                group_size=group_size,
            )
            session.add(outcome)
            await session.flush()
            session.add(
                OutcomeRating(outcome_id=outcome.id, goal_slug=goal, raters=raters, mean=mean)
            )
            if variant is not None:
                made.append(
                    SessionRating(variant, goal, region, raters, mean, modality, group_size)
                )
        await session.commit()
    return made


async def ranking(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.post("/api/match", json=REQUEST)
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def place(results: list[dict[str, Any]], slug: str) -> int:
    return [r["slug"] for r in results].index(slug)


def result(results: list[dict[str, Any]], slug: str) -> dict[str, Any]:
    return results[place(results, slug)]


async def test_a_variant_that_keeps_failing_a_goal_falls_below_one_it_used_to_beat(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    before = await ranking(client)
    # Intervisie serves reflecting strongly (3 of 3) and leads; participatief actieonderzoek
    # serves it fairly (2 of 3) and ranks far below.
    assert place(before, "intervisie") == 0
    assert place(before, "participatief-actieonderzoek") > 5

    failing = (1.0, 2.0, 1.5, 1.0, 2.0, 1.5, 1.0, 2.0, 1.5, 1.0, 2.0, 1.5)  # twelve sessions
    await add_sessions(db, "intervisie", "reflecteren", failing, REGIONS)

    after = await ranking(client)
    assert place(after, "intervisie") > place(after, "participatief-actieonderzoek")
    failed = result(after, "intervisie")
    assert failed["evidence"]["reflecteren"]["sessions"] == 12
    assert failed["evidence"]["reflecteren"]["regions"] == 3
    assert failed["evidence"]["reflecteren"]["level"] == "in gebruik"  # used, but not good
    assert failed["evidence"]["reflecteren"]["rating"] == 1.5
    # The description counts as PRIOR_SESSIONS sessions of the typical spread; these twelve
    # sessions agree closely, so their spread is taken as the least (0.5 rating points), and
    # each weighs more than a session of the description.
    evidence = 12 / LEAST_SPREAD**2
    share = evidence / (PRIOR_SESSIONS / TYPICAL_SPREAD**2 + evidence)
    assert share == pytest.approx(0.939, abs=0.001)
    assert failed["weights"]["reflecteren"] == {
        "evidence": round(share, 3),
        "description": round(1 - share, 3),
    }
    expected = 100 * ((1 - share) * 1.0 + share * (1.5 - 1) / 4)  # curated 3 of 3 is 1.0
    assert failed["score"] == pytest.approx(expected, abs=0.05)
    # Twelve sessions in three regions, rated poorly: the catalogue says so, in words.
    assert failed["certainty"] == (
        "In 12 sessies in 3 regio's slecht beoordeeld (gemiddeld 1,5 van 5)."
    )
    # The others keep their scores: evidence of one variant moves no other.
    others = {r["slug"]: r["score"] for r in before if r["slug"] != "intervisie"}
    assert {r["slug"]: r["score"] for r in after if r["slug"] != "intervisie"} == others

    # The page ranks the same way.
    page = await client.get("/welke-werkvorm", params=PAGE_PARAMS)
    assert page.status_code == 200
    order = re.findall(r'<h3><a href="/catalogus/([a-z0-9-]+)">', page.text)
    assert order == [r["slug"] for r in after]


async def test_one_unlucky_session_moves_no_rank(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    """A variant with a good record (six sessions) gets one session rated 1 by everyone: the
    ranking stays as it was (issue 17). Where the database keeps each session, the one that
    stands far from the others is set aside; either way the session is counted, kept or set
    aside."""
    slug = "ervaringsdeskundige-dialoog"
    await add_sessions(db, slug, "reflecteren", GOOD_RECORD)
    before = await ranking(client)

    await add_sessions(db, slug, "reflecteren", [1.0], REGIONS[2:])
    after = await ranking(client)

    assert place(after, slug) == place(before, slug)
    assert [r["slug"] for r in after] == [r["slug"] for r in before]
    found = (await client.get(f"/api/variants/{slug}")).json()["evidence"]["reflecteren"]
    assert found["sessions"] + found["set_aside"] == 7


async def test_the_match_page_says_how_much_each_counted(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await add_sessions(db, "intervisie", "reflecteren", GOOD_RECORD)
    params = [*PAGE_PARAMS, ("goal.casus-oplossen", "1")]
    page = await client.get("/welke-werkvorm", params=params)
    assert page.status_code == 200
    text = text_of(page.text)
    # Next to the points per goal, and among the reasons: six sessions that agree weigh more
    # than the description (PRIOR_SESSIONS sessions of the typical spread).
    assert (
        "uit 6 sessies: gemiddeld 4,2 van 5, goed beoordeeld in de praktijk; "
        "telt voor 88 % mee, de beschrijving voor 12 %"
    ) in text
    assert (
        "ervaring met Reflecteren uit 6 sessies: gemiddeld 4,2 van 5 "
        "(telt voor 88 % mee, de beschrijving voor 12 %)"
    ) in text
    assert "nog geen sessies: de beschrijving telt voor 100 % mee" in text
    assert (
        "nog geen ervaring met Casus oplossen uit eerdere sessies: "
        "de beschrijving telt voor 100 % mee"
    ) in text
    # How sure, in words, right under the title: for intervisie from its sessions, for the
    # others from their description alone.
    assert "Intervisie In 6 sessies in 2 regio's goed beoordeeld (gemiddeld 4,2 van 5)." in text
    assert (
        "Hier is voor deze doelen nog geen ervaring mee: "
        "de plek in de lijst komt alleen uit de beschrijving."
    ) in text

    english = await client.post("/api/match", json=REQUEST, headers={"accept-language": "en"})
    intervisie = result(english.json()["results"], "intervisie")
    assert (
        "experience with Reflecting from 6 sessions: on average 4.2 of 5 "
        "(counts for 88%, the description for 12%)"
    ) in intervisie["reasons"]
    assert intervisie["certainty"] == (
        "Rated well in 6 sessions in 2 regions (on average 4.2 of 5)."
    )
    dutch = result(await ranking(client), "intervisie")
    assert dutch["certainty"] == "In 6 sessies in 2 regio's goed beoordeeld (gemiddeld 4,2 van 5)."
    assert dutch["weights"]["reflecteren"] == {"description": 0.115, "evidence": 0.885}
    assert 0 < dutch["uncertainty"] < result(await ranking(client), "moreel-beraad")["uncertainty"]


# Two goals that no practice serves strongly together: participatief actieonderzoek leads,
# intervisie follows at 50 points.
MIXED: dict[str, Any] = {**REQUEST, "goals": ["reflecteren", "praktijkvraag-onderzoeken"]}
MIXED_PAGE = [
    ("goal.reflecteren", "1"),
    ("goal.praktijkvraag-onderzoeken", "1"),
    *PAGE_PARAMS[1:],
]


async def test_a_practice_with_a_few_good_sessions_is_suggested_apart_never_first(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    before = (await client.post("/api/match", json=MIXED)).json()["results"]
    assert [r["slug"] for r in before[:3]] == [
        "participatief-actieonderzoek",
        "verhalenmethode",
        "intervisie",
    ]
    assert not any(r["explore"] for r in before)  # nothing could beat number 1 by enough
    assert {r["explore_reason"] for r in before} == {None}

    # One session each for both goals, rated 5: intervisie climbs to second place, and the
    # catalogue is still unsure enough of it that it might well beat number 1.
    await add_sessions(db, "intervisie", "reflecteren", [5.0])
    await add_sessions(db, "intervisie", "praktijkvraag-onderzoeken", [5.0])
    after = (await client.post("/api/match", json=MIXED)).json()["results"]
    suggested = [r for r in after if r["explore"]]
    assert [r["slug"] for r in suggested] == ["intervisie"]
    assert after[0]["slug"] == "participatief-actieonderzoek" and not after[0]["explore"]
    assert place(after, "intervisie") == 1
    intervisie = result(after, "intervisie")
    assert intervisie["explore_reason"] == (
        "Het proberen waard: hierover weet de catalogus minder dan over nummer 1, en misschien "
        "past het beter (tot 75 punten, tegen 67). Probeer je het en geeft de groep in de oogst "
        "een cijfer? Dan leert de catalogus ervan."
    )
    assert intervisie["certainty"] == (
        "Hier is nog weinig ervaring mee (1 sessie): "
        "de plek in de lijst komt vooral uit de beschrijving."
    )
    assert {r["explore_reason"] for r in after if not r["explore"]} == {None}

    english = await client.post("/api/match", json=MIXED, headers={"accept-language": "en"})
    assert result(english.json()["results"], "intervisie")["explore_reason"] == (
        "Worth trying: the catalogue knows less about it than about number 1, and it may fit "
        "better (up to 75 points, against 67). When you try it and the group rates it in the "
        "harvest, the catalogue learns from it."
    )

    # The page shows it apart, after the first three results, marked as a suggestion; in the
    # ranked list it keeps its own place with a badge pointing there.
    page = await client.get("/welke-werkvorm", params=MIXED_PAGE)
    assert page.status_code == 200
    html = page.text
    order = re.findall(r'<h3><a href="/catalogus/([a-z0-9-]+)">', html)
    assert order == [r["slug"] for r in after]
    box = html.split('<section class="suggestion" id="suggestie"')[1].split("</section>")[0]
    assert html.index('id="suggestie"') > html.index('<a href="/catalogus/verhalenmethode">')
    assert html.index('id="suggestie"') < html.index(f'<a href="/catalogus/{order[3]}">')
    box_text = text_of("<x" + box)
    assert "Iets nieuws proberen?" in box_text
    assert 'href="/catalogus/intervisie"' in box
    assert "nummer 2 in de lijst, 67 van 100 punten" in box_text
    assert "Het proberen waard: hierover weet de catalogus minder dan over nummer 1" in box_text
    assert "Start een sessie met deze werkvorm" in box_text
    badges = re.findall(r'<a class="badge" href="#suggestie">([^<]*)</a>', html)
    assert badges == ["Suggestie om te proberen"]
    first = html.split('<ol class="match-results">')[1].split("</li>")[0]
    assert "Suggestie" not in first


async def test_without_a_suggestion_the_page_shows_none(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/welke-werkvorm", params=MIXED_PAGE)
    assert page.status_code == 200
    assert 'id="suggestie"' not in page.text and "Iets nieuws proberen?" not in page.text
    assert 'class="badge"' not in page.text


async def test_the_variant_page_shows_the_evidence_per_goal_with_a_chart(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await add_sessions(db, "intervisie", "reflecteren", GOOD_RECORD)
    await add_sessions(db, "intervisie", "casus-oplossen", [3.0])
    await add_sessions(db, "moreel-beraad", "reflecteren", [1.0, 1.0, 1.0])  # not this page's
    page = await client.get("/catalogus/intervisie")
    assert page.status_code == 200
    html, text = page.text, text_of(page.text)
    assert "Ervaringen uit eerdere sessies" in text
    # Six sessions in two regions, all good: 4.2 with a 90 % interval of 3.8 to 4.6. Where and
    # with how many they were held is not known for these outcomes: one situation, unknown.
    assert (
        "Reflecteren goed beoordeeld in de praktijk 6 sessies, 2 regio's "
        "4,2 (90%-interval 3,8–4,6) "
        "manier van samenkomen onbekend, groepsgrootte onbekend: 6 sessies, gemiddeld 4,2 van 5"
    ) in text, text
    assert (
        "Casus oplossen weinig ervaring 1 sessie, 1 regio 3,0 (één sessie: nog geen interval) "
        "manier van samenkomen onbekend, groepsgrootte onbekend: 1 sessie, gemiddeld 3,0 van 5"
    ) in text
    assert "apart gezet" not in text  # no session stood far from the others
    # What the levels mean, and that they are not the Dutch recognition of interventions.
    assert (
        "Weinig ervaring: minder dan 3 sessies, of in minder dan 2 regio's. "
        "In gebruik: in 3 sessies of meer, in 2 regio's of meer. "
        "Goed beoordeeld in de praktijk: in gebruik, in 5 sessies of meer, "
        "en de ondergrens van het 90%-interval is 3,5 of hoger."
    ) in text
    assert (
        "Let op: dit zijn niet de niveaus van de erkenning van interventies (Movisie, NJi). "
        "Daar beoordelen deskundigen de theorie en het onderzoek naar de effecten: "
        "„goed beschreven”, „goed onderbouwd” en "
        "„effectief volgens eerste, goede of sterke aanwijzingen”. "
        "Onze niveaus zeggen alleen hoe deelnemers de sessies met deze werkvorm hier hebben "
        "beoordeeld."
    ) in text
    assert "per manier van samenkomen en groepsgrootte" in text
    assert "Kennis delen nog geen ervaringen" in text  # intervisie serves it a little (1 of 3)
    assert "Innoveren" not in text.split("Ervaringen uit eerdere sessies")[1].split("Draaiboek")[0]
    # A chart per goal with evidence, described for screen readers, styled without style="".
    charts = re.findall(r"<svg [^>]*role=\"img\"[^>]*>.*?</svg>", html, re.S)
    assert len(charts) == 2
    assert '<title id="ev-reflecteren-title">Reflecteren: gemiddeld 4,2 van 5</title>' in html
    assert (
        '<desc id="ev-reflecteren-desc">90%-interval van 3,8 tot 4,6, uit 6 sessies</desc>' in html
    )
    assert '<desc id="ev-casus-oplossen-desc">Uit één sessie: geen interval</desc>' in html
    assert "style=" not in html
    assert "<rect" in charts[0] and "<rect" not in charts[1]  # one session: only the dot

    api = (await client.get("/api/variants/intervisie")).json()["evidence"]
    assert api["reflecteren"]["sessions"] == 6
    assert api["reflecteren"]["level"] == "goed beoordeeld"
    assert api["reflecteren"]["situations"] == [
        {"modality": None, "group_size_band": None, "sessions": 6, "mean": 0.8, "rating": 4.2}
    ]
    assert api["reflecteren"]["set_aside"] == 0
    assert api["reflecteren"]["rating"] == 4.2
    assert api["reflecteren"]["rating_interval"] == pytest.approx([3.79, 4.61], abs=0.006)
    assert api["reflecteren"]["mean"] == pytest.approx(0.8)
    assert api["casus-oplossen"]["interval"] is None
    assert api["kennis-delen"] == {
        "sessions": 0,
        "regions": 0,
        "level": "weinig ervaring",
        "mean": None,
        "interval": None,
        "rating": None,
        "rating_interval": None,
        "situations": [],
        "set_aside": 0,
    }


async def test_evidence_is_shown_per_situation_with_the_sessions_set_aside(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    """Intervisie worked well in small online groups and poorly in larger groups on site; one
    small online session went wrong. The practice page and the API say so per situation, and
    the match page says how many sessions were held in the situation asked for."""
    good = (4.5, 4.5, 4.0, 4.5, 4.5, 4.5)
    await add_sessions(db, "intervisie", "reflecteren", good, modality="online", group_size=6)
    await add_sessions(db, "intervisie", "reflecteren", [1.0], modality="online", group_size=7)
    poor = (2.0, 2.5, 2.0, 3.0)  # four agree with each other: a finding, not outliers
    await add_sessions(db, "intervisie", "reflecteren", poor, modality="on-site", group_size=10)
    page = await client.get("/catalogus/intervisie")
    text = text_of(page.text)
    assert (
        "op locatie, een middelgrote groep (9 tot 20): 4 sessies, gemiddeld 2,4 van 5 "
        "online, een kleine groep (tot 8): 6 sessies, gemiddeld 4,4 van 5"
    ) in text, text
    assert "1 sessie apart gezet: die is heel anders beoordeeld dan alle andere" in text

    api = (await client.get("/api/variants/intervisie")).json()["evidence"]["reflecteren"]
    assert api["sessions"] == 10 and api["set_aside"] == 1
    assert api["situations"] == [
        {
            "modality": "on-site",
            "group_size_band": "medium",
            "sessions": 4,
            "mean": pytest.approx(0.344, abs=0.001),
            "rating": pytest.approx(2.38, abs=0.01),
        },
        {
            "modality": "online",
            "group_size_band": "small",
            "sessions": 6,
            "mean": pytest.approx(0.854, abs=0.001),
            "rating": pytest.approx(4.42, abs=0.01),
        },
    ]

    # Asked for a small online group, most sessions were held like that: one sentence.
    small = result(await ranking(client), "intervisie")
    assert small["certainty"] == "In 10 sessies in 2 regio's goed beoordeeld (gemiddeld 3,6 van 5)."
    # Asked for a larger group on site, most were held elsewhere: they count for less here.
    on_site = {**REQUEST, "group_size": 10, "modality": "on-site"}
    body = (await client.post("/api/match", json=on_site)).json()
    assert result(body["results"], "intervisie")["certainty"] == (
        "In 10 sessies in 2 regio's goed beoordeeld (gemiddeld 3,6 van 5). "
        "4 van die sessies waren in een situatie zoals die van jou "
        "(op locatie, een middelgrote groep (9 tot 20)): de andere tellen minder mee."
    )


async def test_the_database_sums_give_the_evidence_of_the_sessions(
    db: async_sessionmaker[AsyncSession],
) -> None:
    sessions = [
        *await add_sessions(db, "intervisie", "reflecteren", (3.0, 4.5, 2.25, 5.0, 4.0), REGIONS),
        *await add_sessions(db, "intervisie", "casus-oplossen", (2.0,), (None,)),
        *await add_sessions(db, "world-cafe", "kennis-delen", (4.0, 4.0, 3.5, 5.0), REGIONS[:1]),
    ]
    # Not evidence: nobody rated; an outcome of no variant.
    await add_sessions(db, "world-cafe", "reflecteren", (4.0,), raters=0)
    await add_sessions(db, None, "reflecteren", (4.0,))
    async with db() as session:
        loaded = await load_evidence(session)
        only = await load_evidence(session, "world-cafe")
    expected = evidence_table(sessions)
    assert set(loaded) == set(expected)
    for key, found in expected.items():
        got = loaded[key]
        assert (got.sessions, got.regions, got.level) == (
            found.sessions,
            found.regions,
            found.level,
        )
        assert got.mean == pytest.approx(found.mean)
        assert (got.low is None) == (found.low is None)
        if got.low is not None:
            assert (got.low, got.high) == pytest.approx((found.low, found.high))
    assert set(only) == {("world-cafe", "kennis-delen")}
