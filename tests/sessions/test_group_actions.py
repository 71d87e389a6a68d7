"""Actions that come back, on SQLite and PostgreSQL: a group session's outcome is composed with
action rows (owner, date) on its page; they are saved for the group, the outcome's free text
holds their texts only; the next session's terugblik loads the open ones, and a change logged
there (done, carried over) decides what the session after that gets."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from catalogue.outcomes.models import OutcomeRow
from server.models import User
from sessions import events as ev
from sessions.actions import SessionSetup, create_session
from sessions.groups import actions as group_actions
from sessions.groups.models import GroupAction, GroupMember
from sessions.groups.review import member_linked, open_actions, review_opening
from sessions.models import LiveSession
from sessions.state import State
from tests.sessions.pages import (
    end,
    facilitator,
    form_fields,
    join,
    new_session,
    other_client,
    post_form,
    state_of,
    text_of,
)

pytestmark = pytest.mark.usefixtures("seeded")


async def _session_row(db: async_sessionmaker[AsyncSession], public_id: str) -> LiveSession:
    async with db() as session:
        row = await session.scalar(select(LiveSession).where(LiveSession.public_id == public_id))
    assert row is not None
    return row


async def _group_session(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> tuple[str, int, dict[str, str]]:
    """A group's session that ran and ended, with Anna and Bram as members: its public id,
    the group's id, and name -> member id."""
    app: Starlette = client._transport.app  # type: ignore[attr-defined]
    await facilitator(client, db)
    public_id, code = await new_session(client, title="Intervisie traject Oost")
    for name in ("Anna", "Bram", "Carla"):  # Carla joins, but is no member of the group
        async with other_client(app) as participant:
            assert (await join(participant, code, name)).status_code == 303
    state = await state_of(app, db, public_id)
    ids = {person.name: pid for pid, person in state.people.items()}
    row = await _session_row(db, public_id)
    async with db() as session:
        user = await session.scalar(select(User).where(User.email == "fenna@example.org"))
        assert user is not None
        group = await group_actions.create_group(session, "Traject Oost", user.id)
        await group_actions.attach_session(session, group.id, row.id)
        members = {
            name: (
                await group_actions.enrol(session, group.id, row.id, ids[name], name, None)
            ).member_id
            for name in ("Anna", "Bram")
        }
        group_id = group.id
        await session.commit()
    await end(app, db, public_id)
    return public_id, group_id, members


async def test_a_group_session_s_actions_get_owners_and_dates_and_come_back(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    app: Starlette = client._transport.app  # type: ignore[attr-defined]
    public_id, group_id, members = await _group_session(client, db)
    page = await client.get(f"/sessies/{public_id}/uitkomst")
    assert page.status_code == 200
    # A list editor instead of the free text: owners are the group or a member who was there.
    assert 'name="actions"' not in page.text
    owners = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', page.text)
    assert ("", "de groep") in owners
    assert {(members["Anna"], "Anna"), (members["Bram"], "Bram")} <= set(owners)
    assert "Carla" not in {name for _, name in owners}
    fields = form_fields(page.text, f"/sessies/{public_id}/uitkomst")
    filled = dict(
        [
            ("action-1-text", "Bel de wijkcoach over de wachtlijst"),
            ("action-1-owner", members["Anna"]),
            ("action-1-due", "2027-01-31"),
            ("action-2-text", "Agenda rondsturen"),
            ("action-2-owner", members["Bram"]),
            ("action-3-text", "Zaal reserveren"),
        ]
    )
    fields = [(k, filled.get(k, v)) for k, v in fields if k != "op"] + [("op", "save")]

    # Bad input: a clear message, and nothing saved.
    for name, value, message in (
        ("action-1-due", "morgen", "schrijf de datum als dag-maand-jaar"),
        ("action-2-owner", "mSomeoneElse", "kies de groep of iemand die bij deze sessie was"),
        ("action-3-text", "x" * 501, "hoogstens 500 tekens"),
    ):
        bad = [(k, value if k == name else v) for k, v in fields]
        refused = await post_form(client, f"/sessies/{public_id}/uitkomst", bad)
        assert refused.status_code == 422
        assert message in text_of(refused.text)
        async with db() as session:
            assert (await session.scalars(select(GroupAction))).all() == []
            assert (await session.scalars(select(OutcomeRow))).all() == []

    saved = await post_form(client, f"/sessies/{public_id}/uitkomst", fields)
    assert saved.status_code == 303, text_of(saved.text)
    async with db() as session:
        outcome = await session.scalar(select(OutcomeRow))
        assert outcome is not None
        # The free text the sharing gate, library and exports read: texts only, no names.
        assert outcome.actions == (
            "Bel de wijkcoach over de wachtlijst\nAgenda rondsturen\nZaal reserveren"
        )
    opened = await review_opening_of(db, group_id)
    assert [(a.text, a.owner, a.owner_name, a.due) for a in opened] == [
        ("Bel de wijkcoach over de wachtlijst", members["Anna"], "Anna", "2027-01-31"),
        ("Agenda rondsturen", members["Bram"], "Bram", None),
        ("Zaal reserveren", None, None, None),
    ]
    # Composing again shows the rows as saved, and saving unchanged rows keeps their ids.
    again = await client.get(f"/sessies/{public_id}/uitkomst")
    refill = form_fields(again.text, f"/sessies/{public_id}/uitkomst")
    assert ("action-1-due", "2027-01-31") in refill
    resaved = await post_form(
        client,
        f"/sessies/{public_id}/uitkomst",
        [(k, v) for k, v in refill if k != "op"] + [("op", "save")],
    )
    assert resaved.status_code == 303
    assert [a.id for a in await review_opening_of(db, group_id)] == [a.id for a in opened]

    # The next session: its terugblik loads them; Anna marks hers done, Bram carries his over.
    engine = app.state.session_engine
    async with db() as session:
        user = await session.scalar(select(User).where(User.email == "fenna@example.org"))
        assert user is not None
        extra = await review_opening(session, group_id)
    setup = SessionSetup(
        "Intervisie traject Oost 2", (), (), "online", None, 4, False, False, "intervisie"
    )
    second = await create_session(db, engine, setup, user.id, "Fenna", extra=extra)
    async with db() as session:
        await group_actions.attach_session(session, group_id, second.id)
        await session.commit()
    anna, bram = "pAnna2", "pBram2"
    await engine.submit(
        second.id,
        None,
        None,
        lambda s, now: [
            ev.ParticipantJoined(anna, "Anna", "participant", "remote"),
            member_linked(anna, members["Anna"]),
            ev.ParticipantJoined(bram, "Bram", "participant", "remote"),
            member_linked(bram, members["Bram"]),
        ],
    )
    state: State = await engine.state(second.id)
    assert [a.text for a in state.review.actions] == [a.text for a in opened]
    first, second_action, third = (a.id for a in opened)
    await engine.submit(second.id, anna, "c1", lambda s, now: [ev.ActionDone(first)])
    await engine.submit(
        second.id, bram, "c2", lambda s, now: [ev.ActionCarried(second_action, "2027-03-01")]
    )
    left = await review_opening_of(db, group_id)
    assert [(a.text, a.due) for a in left] == [
        ("Agenda rondsturen", "2027-03-01"),
        ("Zaal reserveren", None),
    ]
    async with db() as session:
        carried = await open_actions(session, group_id)
    assert [a.carried for a in carried] == [True, False]
    assert third in {a.public_id for a in carried}

    # An erased member's actions fall to the group.
    async with db() as session:
        member = await session.scalar(
            select(GroupMember).where(GroupMember.member_id == members["Bram"])
        )
        await session.delete(member)
        await session.commit()
    assert [(a.owner, a.owner_name) for a in await review_opening_of(db, group_id)] == [
        (None, None),
        (None, None),
    ]


async def review_opening_of(
    db: async_sessionmaker[AsyncSession], group_id: int
) -> tuple[ev.ReviewItem, ...]:
    async with db() as session:
        opening = await review_opening(session, group_id)
    if not opening:
        return ()
    [body] = opening
    assert isinstance(body, ev.ReviewOpened)
    return body.actions


async def test_a_session_outside_a_group_keeps_the_free_text_actions(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    app: Starlette = client._transport.app  # type: ignore[attr-defined]
    await facilitator(client, db)
    public_id, _ = await new_session(client, title="Losse intervisie")
    await end(app, db, public_id)
    page = await client.get(f"/sessies/{public_id}/uitkomst")
    assert 'name="actions"' in page.text and "action-1-text" not in page.text
