"""The harvest's pure parts: checking answers, who may answer, means, consents, saving."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalogue.outcomes.models import CONSENT_LEVELS, OutcomeRow
from server.db import utcnow
from sessions.harvest import answers
from sessions.harvest.actions import save_response
from sessions.harvest.answers import Answer, check, consents, rating_means, refusal
from sessions.harvest.pages import CONSENT_CHOICES
from sessions.models import HarvestResponse, LiveSession
from sessions.state import Person, State
from tests.sessions.harvest import audit, stored

# The pure parts -----------------------------------------------------------------------------


def test_the_live_count_counts_participants_only_and_no_one_twice() -> None:
    state = State(
        people={
            "u1": Person("Fatima", "facilitator", "remote"),
            "p1": Person("Anna", "participant", "remote"),
            "p2": Person("Bram", "participant", "remote"),
            "p3": Person("Cor", "observer", "remote"),
            "p4": Person("Dina", "participant", "remote", removed=True),
        }
    )
    # The facilitator's, the observer's (none) and the removed person's answers do not count.
    counted = answers.progress(state, ["u1", "p1", "p1", "p4"])
    assert (counted.answered, counted.expected) == (1, 2)
    assert answers.progress(State(), []) == answers.Progress(0, 0)


def test_check_accepts_ratings_for_the_sessions_goals_only() -> None:
    goals = ["reflecteren", "innoveren"]
    answer, problems = check(goals, {"reflecteren": " 5 ", "innoveren": ""}, " Veel ", "open")
    assert problems == [] and answer == Answer({"reflecteren": 5}, "Veel", "open")
    assert check(goals, {"reflecteren": 1}, None, "no")[0] == Answer({"reflecteren": 1}, "", "no")
    for bad in (0, 6, -1, True, 2.5, "2.0", "", "٣", "0003", None):
        answer, problems = check(goals, {"reflecteren": bad}, "", "no")
        if bad in ("", None):
            assert problems == [] and answer == Answer({}, "", "no")  # not rated
        else:
            assert answer is None and [p.field for p in problems] == ["rating-reflecteren"], bad
    answer, problems = check(goals, {"vliegen": "3"}, "", "no", names={"reflecteren": "R"})
    assert answer is None and problems[0].field == "ratings"
    assert problems[0].params == {"goal": "vliegen", "allowed": "R, innoveren"}
    assert check([], {"vliegen": "3"}, "", "no")[1][0].params["allowed"] == ""


def test_check_bounds_the_takeaway_and_knows_the_consent_levels() -> None:
    assert check([], {}, "a" * 2000, "no")[0] is not None
    assert check([], {}, "a\r\n" * 1000, "no")[0] is not None  # a line break counts once
    answer, problems = check([], {}, "a" * 2001, "no")
    assert answer is None and problems[0].params == {"length": 2001, "max": 2000}
    assert check([], {}, 12, "no")[1][0].field == "takeaway"
    for level in ("no", "region", "national", "open"):
        assert check([], {}, "", level)[0] == Answer({}, "", level)
    for bad in ("everyone", "group", "", None, "NO", 1):
        answer, problems = check([], {}, "", bad)
        assert answer is None and [p.field for p in problems] == ["consent"], bad
    # Every problem at once, nothing half.
    answer, problems = check(["reflecteren"], {"reflecteren": "9", "x": "1"}, "a" * 3000, "ja")
    assert answer is None
    assert sorted(p.field for p in problems) == [
        "consent",
        "rating-reflecteren",
        "ratings",
        "takeaway",
    ]


def test_the_page_offers_every_consent_level_narrowest_first() -> None:
    assert tuple(level for level, _, _ in CONSENT_CHOICES) == CONSENT_LEVELS


def test_who_may_answer() -> None:
    people = {
        "pa": Person("Anna", "participant", "room"),
        "po": Person("Olga", "observer", "remote"),
        "pr": Person("Rik", "participant", "room", removed=True),
        "u1": Person("Fenna", "facilitator", "room"),
    }
    ran = State(people=people, phase=0)
    assert refusal(ran, "pa") is None and refusal(ran, "u1") is None
    assert refusal(ran, "po") == answers.OBSERVER
    assert refusal(ran, "pr") == answers.REMOVED
    assert refusal(ran, None) == answers.NOT_IN_SESSION
    assert refusal(ran, "pz") == answers.NOT_IN_SESSION
    assert refusal(State(people=people), "pa") == answers.NEVER_RAN
    ended = State(people=people, phase=2, ended=True)
    assert refusal(ended, "pa") is None  # consent can change after the session


def test_rating_means_and_consents() -> None:
    rows = [
        HarvestResponse(participant="pa", ratings={"r": 4, "i": 2}, consent="open"),
        HarvestResponse(participant="pb", ratings={"r": 5}, consent="no"),
        HarvestResponse(participant="pc", ratings={"r": 3, "other": 5, "i": 9}, consent="region"),
    ]
    assert rating_means(rows, ["r", "i", "k"]) == {"r": (3, 4.0), "i": (1, 2.0)}
    assert consents(rows) == {"pa": "open", "pb": "no", "pc": "region"}
    assert rating_means([], ["r"]) == {}


@pytest.mark.parametrize("level", ["no", "region"])
async def test_save_response_audits_only_a_changed_level(
    db: async_sessionmaker[AsyncSession], level: str
) -> None:
    async with db() as session:
        row = LiveSession(public_id="pub1", join_code="ABCDEF", title="T", last_seq=0)
        session.add(row)
        await session.commit()
    async with db() as session:
        assert await save_response(session, row, "pa", Answer({}, "", level)) is None
    async with db() as session:
        assert await save_response(session, row, "pa", Answer({"r": 2}, "x", level)) == (level)
    expected = [] if level == "no" else [f"no -> {level}"]
    assert [e.detail for e in await audit(db)] == expected
    async with db() as session:
        with pytest.raises(ValueError):
            await save_response(session, row, "pa", Answer({}, "", "everyone"))


async def test_two_first_answers_at_once_leave_one_row(
    db: async_sessionmaker[AsyncSession],
) -> None:
    """Two tabs saving a first answer at the same moment: one wins, the other replaces it."""
    async with db() as session:
        row = LiveSession(public_id="pub2", join_code="BCDEFG", title="T", last_seq=0)
        session.add(row)
        await session.commit()

    async def save(consent: str) -> str | None:
        async with db() as session:
            return await save_response(session, row, "pa", Answer({}, "", consent))

    earlier = await asyncio.gather(save("region"), save("national"))
    [response] = await stored(db)
    assert response.consent in ("region", "national")
    assert sorted(e or "" for e in earlier) in (["", "region"], ["", "national"])
    details = [e.detail for e in await audit(db)]
    assert len(details) == 2 and details[-1].endswith(f"-> {response.consent}")


async def test_a_changed_consent_reaches_an_outcome_composed_before(
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with db() as session:
        row = LiveSession(public_id="pub2", join_code="BCDEFG", title="T", last_seq=0)
        session.add(row)
        await session.commit()
        session.add(
            OutcomeRow(
                public_id="out2",
                session_id=row.id,
                title="T",
                held_on=utcnow(),
                consents={"pa": "open", "pb": "region"},
            )
        )
        await session.commit()
    async with db() as session:
        await save_response(session, row, "pa", Answer({}, "", "open"))
    async with db() as session:
        await save_response(session, row, "pa", Answer({}, "", "no"))  # withdrawn
    async with db() as session:
        outcome = await session.scalar(select(OutcomeRow).where(OutcomeRow.public_id == "out2"))
        assert outcome is not None
        assert outcome.consents == {"pa": "no", "pb": "region"}
