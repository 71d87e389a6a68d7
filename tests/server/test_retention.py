"""Retention (issue 14): what is older than WERKPLAATS_RETENTION_DAYS goes, automatically.

The rule is tested pure; the run on a real server's database (SQLite and PostgreSQL), in
process with a `now` a year and more ahead, and as `werkplaats retain` on a database whose
clock was turned back. A kept outcome must not hold a participant's name afterwards, and the
whole database must not either.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalogue.outcomes.gate import gate_document
from catalogue.outcomes.models import KnowledgeQuestion, OutcomeRow, OutcomeText
from server.audit import record
from server.db import create_engine, sessionmaker
from server.models import AuditEntry, LoginSession, User
from server.settings import Settings, SettingsError
from sessions.groups import actions as group_actions
from sessions.groups.models import Group, GroupAction, GroupMember
from sessions.models import HarvestResponse, LiveSession, SessionEvent
from sessions.retention.actions import retain
from sessions.retention.rule import OutcomeAge, SessionAge, cutoff, plan
from tests.server.test_cli import run
from tests.sessions.live import BACKENDS, Client, Server, prepared_server, running

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


# The rule ---------------------------------------------------------------------------------------


def _session(
    id_: int, age_days: float, sharing: str | None = None, changed_days: float | None = None
) -> SessionAge:
    return SessionAge(
        id=id_,
        public_id=f"s{id_}",
        last_event=NOW - age_days * DAY,
        outcome_id=100 + id_ if sharing else None,
        outcome_sharing=sharing,
        outcome_changed=None if changed_days is None else NOW - changed_days * DAY,
    )


def test_a_session_goes_a_day_after_the_period_and_its_shared_outcome_stays() -> None:
    sessions = [
        _session(1, 366),  # no outcome
        _session(2, 400, "region"),  # shared: kept, pseudonymous
        _session(3, 400, "group"),  # the group's own: goes
        _session(4, 364, "open"),  # young enough
        _session(5, 500, "group", changed_days=10),  # composed again lately: stays
    ]
    decided = plan(sessions, [], NOW, 365)
    assert [s.id for s in decided.sessions] == [1, 2, 3]
    assert decided.outcomes_kept == [102]
    assert decided.outcomes_deleted == [103]
    assert decided.cutoff == NOW - 365 * DAY


def test_an_outcome_without_its_session_goes_on_the_same_terms() -> None:
    orphans = [
        OutcomeAge(7, "group", NOW - 400 * DAY),
        OutcomeAge(8, "national", NOW - 400 * DAY),
        OutcomeAge(9, "group", NOW - 3 * DAY),
    ]
    decided = plan([], orphans, NOW, 365)
    assert decided.outcomes_deleted == [7]
    assert decided.sessions == [] and decided.outcomes_kept == []


def test_zero_days_keeps_everything() -> None:
    decided = plan([_session(1, 9000, "group")], [OutcomeAge(7, "group", NOW)], NOW, 0)
    assert cutoff(NOW, 0) is None
    assert decided.empty and decided.cutoff is None


def test_the_setting() -> None:
    base = {"WERKPLAATS_SECRET_KEY": "k" + "abcdefghij" * 5}
    assert Settings.from_env(base).retention_days == 365
    assert Settings.from_env({**base, "WERKPLAATS_RETENTION_DAYS": "30"}).retention_days == 30
    assert Settings.from_env({**base, "WERKPLAATS_RETENTION_DAYS": "0"}).retention_days == 0
    for bad in ("-1", "een jaar", "1.5", "99999"):
        with pytest.raises(SettingsError, match="WERKPLAATS_RETENTION_DAYS"):
            Settings.from_env({**base, "WERKPLAATS_RETENTION_DAYS": bad})


# The run, on a real server's database ---------------------------------------------------------

NAME = "Ylva Quarengi-Dubbeldam"  # in no dictionary, so any hit is hers


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with prepared_server(request.param, tmp_path_factory.mktemp("retention")) as server:
        with running(server):
            yield server


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


@dataclass
class Held:
    public_id: str
    session_id: int
    outcome_id: int


async def hold_session(server: Server, name: str, sharing: str) -> Held:
    """A session in which `name` joins and writes, another mentions her, with a harvest and an
    outcome at `sharing` whose texts name her."""
    created = await server.create_session()
    public_id = str(created["session"])
    fa = Client(server, public_id, str(created["participant"]), str(created["token"]))
    await fa.connect()
    people = []
    for who in (name, "Bram Bakker"):
        joined = await server.join(str(created["join_code"]), who)
        assert joined.status_code == 201, joined.text
        data = joined.json()
        client = Client(server, public_id, data["participant"], data["token"])
        await client.connect()
        people.append(client)
    person, other = people
    await fa.do("f1", "phase.next")
    await person.do("p1", "note.add", text="Mijn casus over grenzen")
    await other.do("o1", "note.add", text=f"{name} heeft een goed punt")
    await other.do("o2", "chat.post", text=f"dank je {name}")
    engine = create_engine(server.database_url)
    try:
        async with sessionmaker(engine)() as db:
            session_id = await db.scalar(
                select(LiveSession.id).where(LiveSession.public_id == public_id)
            )
            assert session_id is not None
            outcome = OutcomeRow(
                public_id=f"r{public_id}",
                session_id=session_id,
                variant_slug="intervisie",
                goals=["reflecteren"],
                title=f"Intervisie met {name}",
                held_on=dt.datetime.now(dt.UTC),
                summary=f"{name} bracht een casus in over mevrouw Wilhelmina Oostergo.",
                insights="Afspraken in de Vogelwijk.",
                consents={person.participant: "region", other.participant: "open"},
                sharing=sharing,
                # As the sharing gate leaves it: pseudonyms, the client replaced, a hidden word.
                gated={
                    "title": "Intervisie met Deelnemer A",
                    "summary": "Deelnemer A bracht een casus in over [persoon].",
                    "insights": "Afspraken in de [verborgen].",
                    "actions": "",
                    "products": [],
                    "questions": [],
                    "captured": {},
                    "pseudonyms": {person.participant: "Deelnemer A"},
                    "gate": 1,
                },
                review={"hide": ["Vogelwijk"], "keep": []},
            )
            db.add(outcome)
            db.add(
                HarvestResponse(
                    session_id=session_id,
                    participant=person.participant,
                    ratings={"reflecteren": 4},
                    takeaway=f"Ik, {name}, neem mee: grenzen.",
                    consent="region",
                )
            )
            await db.flush()
            db.add(OutcomeText(outcome_id=outcome.id, body=f"Intervisie met {name}", title="x"))
            await db.commit()
            return Held(public_id, session_id, outcome.id)
    finally:
        await engine.dispose()


async def test_a_kept_outcome_reads_as_the_gate_made_it_with_its_pseudonyms(
    db: async_sessionmaker[AsyncSession],
) -> None:
    """The gate stores participants as mentions that each shared version names; what stays
    after retention is the gated text with the pseudonyms the gate gave ("Deelnemer A"),
    also in the group's own view, never a mention of a participant id."""
    document = {
        "title": "Intervisie met Anneke Jansen",
        "summary": "Anneke bracht een casus in.",
        "insights": "Anneke en Bram zagen het anders.",
        "actions": "",
        "products": [{"title": "Gids van Anneke", "text": "Bram schreef mee", "url": None}],
        "questions": ["Hoe helpt Anneke haar team?"],
        "captured": {
            "clusters": [
                {"title": "Anneke", "notes": [{"text": "Bram zei iets", "by": "p1"}], "votes": 0}
            ],
            "unclustered": [],
        },
    }
    gated = gate_document(document, {"p1": "Anneke Jansen", "p2": "Bram Bakker"})
    old = NOW - 400 * DAY
    async with db() as session, session.begin():
        live = LiveSession(public_id="oud", join_code="OUD123", title="Oud", created_at=old)
        session.add(live)
        await session.flush()
        outcome = OutcomeRow(
            public_id="uoud",
            session_id=live.id,
            title=document["title"],
            held_on=old,
            summary=document["summary"],
            insights=document["insights"],
            products=document["products"],
            captured=document["captured"],
            consents={"p1": "region", "p2": "region"},
            sharing="region",
            gated=dict(gated),
            updated_at=old,
        )
        session.add(outcome)
        await session.flush()
        session.add(
            KnowledgeQuestion(
                outcome_id=outcome.id,
                region_slug=None,
                text=document["questions"][0],
                shared_text="Hoe helpt Deelnemer A haar team?",
            )
        )
    await retain(db, 365, now=NOW)
    async with db() as session:
        kept = await session.scalar(select(OutcomeRow).where(OutcomeRow.public_id == "uoud"))
        assert kept is not None and kept.session_id is None
        assert kept.title == "Intervisie met Deelnemer A"
        assert kept.summary == "Deelnemer A bracht een casus in."
        assert kept.insights == "Deelnemer A en Deelnemer B zagen het anders."
        assert kept.products[0]["title"] == "Gids van Deelnemer A"
        assert kept.captured["clusters"][0]["title"] == "Deelnemer A"
        assert kept.captured["clusters"][0]["notes"][0]["by"] == "p1"  # authors stay ids
        texts = json.dumps(
            [kept.title, kept.summary, kept.insights, kept.products, kept.captured],
            ensure_ascii=False,
        )
        assert "deelnemer:" not in texts  # no mention of a participant id is left
        assert "anneke" not in texts.casefold() and "bram" not in texts.casefold()


async def whole_database(server: Server) -> str:
    from tests.sessions.erasure import dump

    return await dump(server)


async def test_retention_deletes_old_sessions_and_keeps_shared_outcomes_without_names(
    server: Server,
) -> None:
    shared = await hold_session(server, NAME, "region")
    private = await hold_session(server, NAME, "group")
    recent = await hold_session(server, "Bram Bakker", "group")
    engine = create_engine(server.database_url)
    db = sessionmaker(engine)
    later = dt.datetime.now(dt.UTC) + 400 * DAY
    try:
        async with db() as session, session.begin():
            # The third was composed again lately: it stays, with its session.
            await session.execute(
                update(OutcomeRow)
                .where(OutcomeRow.id == recent.outcome_id)
                .values(updated_at=later - 10 * DAY)
            )
            record(session, "export", "outcome:x", actor="cli")  # old by then
            # The private session was one of a group's: she is a member, with an action.
            fa_id = await session.scalar(select(User.id).where(User.email == "fa@example.org"))
            assert fa_id is not None
            group = await group_actions.create_group(session, "Traject", fa_id)
            await group_actions.attach_session(session, group.id, private.session_id)
            member = await group_actions.enrol(
                session, group.id, private.session_id, "p-ylva", NAME, None
            )
            session.add(
                GroupAction(
                    public_id="a-ylva",
                    group_id=group.id,
                    session_id=private.session_id,
                    position=0,
                    text=f"{NAME} belt de wijkcoach",
                    owner=member.member_id,
                )
            )
        async with db() as session, session.begin():
            young = AuditEntry(action="export", target="outcome:y", actor="cli", at=later - DAY)
            session.add(young)
            fa = await session.scalar(select(User.id).where(User.email == "fa@example.org"))
            assert fa is not None
            for token, expires in (("a" * 64, later - DAY), ("b" * 64, later + DAY)):
                session.add(LoginSession(token_hash=token, user_id=fa, expires_at=expires))
        assert NAME.casefold() in (await whole_database(server)).casefold()
        await Client.close_all()  # a year on, nobody is connected to these sessions

        dry = await retain(db, 365, dry_run=True, now=later)
        assert dry.plan.outcomes_kept == [shared.outcome_id]
        assert dry.plan.outcomes_deleted == [private.outcome_id]
        assert {s.public_id for s in dry.plan.sessions} >= {shared.public_id, private.public_id}
        assert recent.public_id not in {s.public_id for s in dry.plan.sessions}
        assert NAME.casefold() in (await whole_database(server)).casefold(), "a dry run changed"

        done = await retain(db, 365, now=later)
        assert done.purge_complete
        assert any("deleted:" in line for line in done.lines())
        async with db() as session:
            gone = {shared.session_id, private.session_id}
            assert not await session.scalar(
                select(func.count()).select_from(LiveSession).where(LiveSession.id.in_(gone))
            )
            for table in (SessionEvent, HarvestResponse):
                assert not await session.scalar(
                    select(func.count()).select_from(table).where(table.session_id.in_(gone))
                ), table.__tablename__
            kept = await session.get(OutcomeRow, shared.outcome_id)
            assert kept is not None and kept.session_id is None and kept.sharing == "region"
            assert NAME.split()[0] not in kept.title + kept.summary
            # What stays is what left the group: the gated texts, without the review.
            assert kept.title == "Intervisie met Deelnemer A"
            assert kept.summary == "Deelnemer A bracht een casus in over [persoon]."
            assert kept.insights == "Afspraken in de [verborgen]." and kept.review is None
            # Nor the client the facilitator wrote about, nor the word the facilitator hid.
            columns = OutcomeRow.__table__.columns
            row = json.dumps([getattr(kept, c.key) for c in columns], default=str)
            assert "oostergo" not in row.casefold() and "vogelwijk" not in row.casefold()
            assert await session.get(OutcomeRow, private.outcome_id) is None
            assert await session.get(OutcomeText, private.outcome_id) is None
            assert await session.get(OutcomeRow, recent.outcome_id) is not None
            assert await session.scalar(
                select(LiveSession.id).where(LiveSession.id == recent.session_id)
            )
            actions = [(a.target, a.actor) for a in await session.scalars(select(AuditEntry))]
            assert ("outcome:y", "cli") in actions and ("outcome:x", "cli") not in actions
            logins = set(await session.scalars(select(LoginSession.token_hash)))
            assert "a" * 64 not in logins and "b" * 64 in logins, "only the expired login goes"
            # Her membership went with the group's only session she was in, and its actions.
            assert not list(await session.scalars(select(GroupMember)))
            assert not list(await session.scalars(select(GroupAction)))
            assert await session.scalar(select(func.count()).select_from(Group)) == 1
        # Neither her name nor her surname is anywhere in the database any more.
        everything = (await whole_database(server)).casefold()
        assert "quarengi" not in everything and "ylva" not in everything

        again = await retain(db, 365, now=later)
        assert not again.changed and "nothing to delete" in again.lines()
    finally:
        await engine.dispose()


async def test_werkplaats_retain_runs_from_the_settings(server: Server) -> None:
    held = await hold_session(server, "Quirijn Zwanenburg", "group")
    env = {
        "WERKPLAATS_DATABASE_URL": server.database_url,
        "WERKPLAATS_DATA_DIR": str(server.data_dir),
    }
    await Client.close_all()
    engine = create_engine(server.database_url)
    try:
        # Turn this session's clock back 400 days, as if it had been held then.
        async with sessionmaker(engine)() as session, session.begin():
            await session.execute(
                text("UPDATE session_events SET at = at - :s WHERE session_id = :id"),
                {"s": 400 * 86400, "id": held.session_id},
            )
            await session.execute(
                update(OutcomeRow)
                .where(OutcomeRow.id == held.outcome_id)
                .values(updated_at=dt.datetime.now(dt.UTC) - 400 * DAY)
            )
        dry = run("retain", "--dry-run", env=env)
        assert dry.returncode == 0, dry.stderr
        assert "would delete: 1 session(s)" in dry.stdout
        assert held.public_id in dry.stdout

        off = run("retain", env={**env, "WERKPLAATS_RETENTION_DAYS": "0"})
        assert off.returncode == 0 and "retention is off" in off.stdout

        bad = run("retain", env={**env, "WERKPLAATS_RETENTION_DAYS": "een jaar"})
        assert bad.returncode == 2
        assert "WERKPLAATS_RETENTION_DAYS" in bad.stderr and "0 to keep everything" in bad.stderr

        done = run("retain", env=env)
        assert done.returncode == 0, done.stderr
        assert "deleted: 1 session(s)" in done.stdout
        async with sessionmaker(engine)() as session:
            assert await session.get(LiveSession, held.session_id) is None
            assert await session.get(OutcomeRow, held.outcome_id) is None
        assert "Zwanenburg".casefold() not in (await whole_database(server)).casefold()
    finally:
        await engine.dispose()
