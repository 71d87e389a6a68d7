"""Saving, loading and listing outcomes, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalogue.outcomes.actions import save_outcome, set_consent
from catalogue.outcomes.composition import Composition, Product, SessionFacts
from catalogue.outcomes.models import KnowledgeQuestion, OutcomeRating, OutcomeRow
from catalogue.outcomes.queries import list_outcomes, load_outcome, outcome_of_session
from catalogue.outcomes.sharing import shared_version
from catalogue.schema import ContentError
from server.models import AuditEntry
from sessions.models import LiveSession
from tests.helpers import make_user

CAPTURED: dict[str, Any] = {
    "clusters": [],
    "unclustered": [{"text": "een briefje", "by": "p1", "votes": 2, "anonymous": False}],
    "round": {"order": ["p1", "p2"], "passed": []},
    "chart": None,
    "attendance": {"room": 0, "remote": 2, "total": 2},
    "takeaways": [{"text": "meenemen", "by": "p2"}],
}
CONSENTS = {"p1": "open", "p2": "no"}
RATINGS = {"reflecteren": (2, 4.5), "kennis-delen": (1, 3.0)}


async def _session(db: async_sessionmaker[AsyncSession], user_id: int, name: str = "s1") -> int:
    async with db() as session:
        row = LiveSession(
            public_id=f"pub-{name}",
            join_code=name.upper().ljust(6, "X")[:6],
            title="Intervisie",
            variant_slug="intervisie",
            created_by=user_id,
            last_seq=0,
        )
        session.add(row)
        await session.commit()
        return row.id


def _facts(session_id: int | None, **changes: Any) -> SessionFacts:
    values: dict[str, Any] = {
        "session_id": session_id,
        "title": "Intervisie team Noord",
        "held_on": dt.datetime(2026, 12, 1, 14, tzinfo=dt.UTC),
        "variant_slug": "intervisie",
        "region_slug": "zwolle",
        "theme_slug": None,
        "goals": ("reflecteren", "kennis-delen"),
    }
    values.update(changes)
    return SessionFacts(**values)


async def _save(
    db: async_sessionmaker[AsyncSession],
    facts: SessionFacts,
    composition: Composition,
    actor_id: int | None,
    consents: dict[str, str] | None = None,
    ratings: dict[str, tuple[int, float]] | None = None,
) -> OutcomeRow:
    async with db() as session:
        return await save_outcome(
            session,
            facts,
            composition,
            CAPTURED,
            CONSENTS if consents is None else consents,
            RATINGS if ratings is None else ratings,
            actor_id,
        )


async def _count(db: async_sessionmaker[AsyncSession], model: Any) -> int:
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _audit(db: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, str, str]]:
    async with db() as session:
        rows = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(r.action, r.target, r.actor, r.detail) for r in rows]


async def test_an_outcome_is_saved_with_its_ratings_and_questions(
    db: async_sessionmaker[AsyncSession],
) -> None:
    user = await make_user(db)
    session_id = await _session(db, user.id)
    composition = Composition(
        summary="Samenvatting",
        insights="Inzicht",
        actions="Actie",
        products=(Product("Gids", "Een gids", "https://example.org/gids"),),
        questions=("Hoe houden we grenzen vast?", "Wie betaalt?"),
        sharing="group",
    )
    row = await _save(db, _facts(session_id), composition, user.id)
    async with db() as session:
        loaded = await load_outcome(session, row.public_id)
        assert await load_outcome(session, "nope") is None
        by_session = await outcome_of_session(session, session_id)
    assert loaded is not None and by_session is not None
    assert by_session.row.public_id == row.public_id
    assert loaded.row.created_by == user.id and loaded.row.session_id == session_id
    assert [(r.goal_slug, r.raters, r.mean) for r in loaded.ratings] == [
        ("kennis-delen", 1, 3.0),
        ("reflecteren", 2, 4.5),
    ]
    assert [(q.text, q.region_slug) for q in loaded.questions] == [
        ("Hoe houden we grenzen vast?", "zwolle"),
        ("Wie betaalt?", "zwolle"),
    ]
    document = loaded.document()
    assert document["products"] == [
        {"title": "Gids", "text": "Een gids", "url": "https://example.org/gids"}
    ]
    assert document["consents"] == CONSENTS and document["held_on"] == "2026-12-01"
    assert document["ratings"]["reflecteren"] == {"raters": 2, "mean": 4.5}
    # What is stored is what the shared versions are made from.
    gated = loaded.shared()
    assert gated is not None
    shared = shared_version(gated, "open")
    assert [n["text"] for n in shared["unclustered"]] == ["een briefje"]
    assert shared["takeaways"] == [] and shared["left_out"] == 2
    assert await _audit(db) == []  # kept within the group: nothing was shared


async def test_saving_again_updates_the_outcome_and_keeps_addressed_questions(
    db: async_sessionmaker[AsyncSession],
) -> None:
    user = await make_user(db)
    session_id = await _session(db, user.id)
    first = await _save(
        db,
        _facts(session_id),
        Composition(questions=("Blijft", "Verdwijnt"), sharing="region"),
        user.id,
    )
    addressed = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
    async with db() as session:
        question = await session.scalar(
            select(KnowledgeQuestion).where(KnowledgeQuestion.text == "Blijft")
        )
        assert question is not None
        question.addressed_at = addressed
        await session.commit()
    again = await _save(
        db,
        _facts(session_id, region_slug="deventer", title="Nieuwe titel"),
        Composition(summary="Nu wel", questions=("Nieuw", "Blijft"), sharing="open"),
        user.id,
        ratings={"reflecteren": (3, 2.0)},
    )
    assert again.public_id == first.public_id
    assert await _count(db, OutcomeRow) == 1
    async with db() as session:
        loaded = await load_outcome(session, first.public_id)
    assert loaded is not None
    assert (loaded.row.title, loaded.row.summary, loaded.row.sharing) == (
        "Nieuwe titel",
        "Nu wel",
        "open",
    )
    kept = {q.text: (q.addressed_at, q.region_slug) for q in loaded.questions}
    assert kept == {"Blijft": (addressed, "deventer"), "Nieuw": (None, "deventer")}
    assert [(r.goal_slug, r.raters, r.mean) for r in loaded.ratings] == [("reflecteren", 3, 2.0)]
    target = f"outcome:{first.public_id}"
    assert await _audit(db) == [
        ("sharing.change", target, f"account:{user.id}", "none -> region"),
        ("sharing.change", target, f"account:{user.id}", "region -> open"),
    ]
    await _save(db, _facts(session_id), Composition(sharing="open"), user.id)
    assert len(await _audit(db)) == 2  # the same level again is no change


@pytest.mark.parametrize(
    ("composition", "field", "message"),
    [
        (Composition(summary="x" * 5001), "summary", "at most 5000"),
        (Composition(actions="x" * 5001), "actions", "at most 5000"),
        (
            Composition(products=(Product(""),)),
            "product-1-title",
            "title",
        ),
        (
            Composition(products=(Product("a", url="javascript:alert(1)"),)),
            "product-1-url",
            "https://",
        ),
        (
            Composition(products=(Product("a", url="https://localhost"),)),
            "product-1-url",
            "https://",
        ),
        (
            Composition(products=(Product("a", "x" * 2001),)),
            "product-1-text",
            "2000",
        ),
        (
            Composition(products=tuple(Product("a") for _ in range(21))),
            "products",
            "20",
        ),
        (Composition(questions=("q",) * 21), "questions", "20"),
        (Composition(questions=("q" * 501,)), "questions", "500"),
        (
            Composition(sharing="world"),
            "sharing",
            "group, region, national or open",
        ),
        (Composition(sharing="national"), "sharing", "Nobody consented"),
    ],
)
async def test_a_wrong_composition_is_refused_and_nothing_is_stored(
    db: async_sessionmaker[AsyncSession],
    composition: Composition,
    field: str,
    message: str,
) -> None:
    user = await make_user(db)
    session_id = await _session(db, user.id)
    with pytest.raises(ContentError) as refused:
        await _save(db, _facts(session_id), composition, user.id, consents={"p1": "region"})
    problem = refused.value.problems[0]
    assert problem.field == field
    assert message in problem.message % problem.params
    for model in (OutcomeRow, OutcomeRating, KnowledgeQuestion, AuditEntry):
        assert await _count(db, model) == 0


@pytest.mark.parametrize(
    ("consents", "ratings"),
    [({"p1": "everywhere"}, {}), ({}, {"reflecteren": (0, 3.0)}), ({}, {"reflecteren": (2, 6)})],
)
async def test_consents_and_ratings_out_of_range_are_refused(
    db: async_sessionmaker[AsyncSession],
    consents: dict[str, str],
    ratings: dict[str, tuple[int, float]],
) -> None:
    user = await make_user(db)
    session_id = await _session(db, user.id)
    with pytest.raises(ValueError, match=r"unknown consent|out of range"):
        await _save(db, _facts(session_id), Composition(), user.id, consents, ratings)
    assert await _count(db, OutcomeRow) == 0


async def test_outcomes_are_listed_newest_first_by_variant_region_and_level(
    db: async_sessionmaker[AsyncSession],
) -> None:
    user = await make_user(db)
    days = [dt.datetime(2026, 11, day, tzinfo=dt.UTC) for day in (1, 3, 2)]
    saved = []
    for n, (held_on, variant, region, level) in enumerate(
        zip(
            days,
            ("intervisie", "intervisie", "moreel-beraad"),
            ("zwolle", "deventer", "zwolle"),
            ("open", "group", "region"),
            strict=True,
        )
    ):
        session_id = await _session(db, user.id, f"s{n}")
        facts = _facts(session_id, held_on=held_on, variant_slug=variant, region_slug=region)
        saved.append(await _save(db, facts, Composition(sharing=level), user.id))
    async with db() as session:

        async def ids(**filters: Any) -> list[str]:
            return [r.public_id for r in await list_outcomes(session, **filters)]

        assert await ids() == [saved[1].public_id, saved[2].public_id, saved[0].public_id]
        assert await ids(variant="intervisie") == [saved[1].public_id, saved[0].public_id]
        assert await ids(region="zwolle") == [saved[2].public_id, saved[0].public_id]
        assert await ids(sharing=("region", "open")) == [saved[2].public_id, saved[0].public_id]
        assert await ids(variant="intervisie", region="zwolle", limit=1) == [saved[0].public_id]


async def test_an_outcome_outlives_its_session_and_follows_a_changed_consent(
    db: async_sessionmaker[AsyncSession],
) -> None:
    user = await make_user(db)
    session_id = await _session(db, user.id)
    row = await _save(db, _facts(session_id), Composition(sharing="open"), user.id)
    async with db() as session:
        assert await set_consent(session, session_id, "p1", "region")
        assert not await set_consent(session, session_id + 99, "p1", "no")
        with pytest.raises(ValueError, match="unknown consent"):
            await set_consent(session, session_id, "p1", "maybe")
        await session.commit()
        live = await session.get(LiveSession, session_id)
        await session.delete(live)
        await session.commit()
    async with db() as session:
        loaded = await load_outcome(session, row.public_id)
    assert loaded is not None and loaded.row.session_id is None
    assert loaded.row.consents == {"p1": "region", "p2": "no"}
    gated = loaded.shared()
    assert gated is not None
    assert [n["text"] for n in shared_version(gated, "open")["unclustered"]] == []
