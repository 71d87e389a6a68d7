"""Groups (trajecten): a facilitator makes a group and starts its sessions; whoever joins one
becomes a member, recognised in the next session, which they join with one tap."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from server.erasure import ErasureAsk, Person
from sessions import events as ev
from sessions.groups.membership import member_cookie
from sessions.groups.models import Group, GroupAction, GroupMember, SessionMember
from sessions.models import LiveSession
from tests.helpers import csrf_token, log_in, make_user
from tests.sessions.harvest import participant_of, submit_events
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


async def make_group(client: httpx.AsyncClient, name: str = "Intervisiegroep Noord") -> str:
    """A group made on /groepen; its public id."""
    answer = await client.post(
        "/groepen",
        data={
            "name": name,
            "variant": "intervisie",
            "csrf_token": await csrf_token(client, "/groepen"),
        },
    )
    assert answer.status_code == 303, text_of(answer.text)
    return str(answer.headers["location"]).removeprefix("/groepen/")


async def group_session(client: httpx.AsyncClient, group: str, **values: str) -> tuple[str, str]:
    """A session of the group, started from the group's start form; public id and code."""
    return await new_session(client, query=f"?groep={group}", **values)


async def test_members_are_recognised_and_join_the_next_session_with_one_tap(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    await facilitator(client, db)
    group = await make_group(client)
    first, code = await group_session(client, group)
    page = text_of((await client.get(f"/sessies/nieuw?groep={group}")).text)
    assert "Intervisiegroep Noord" in page
    # The session's page leads back to its group.
    assert f'href="/groepen/{group}"' in (await client.get(f"/sessies/{first}")).text
    async with other_client(app) as anna, other_client(app) as outsider:
        joined = await join(anna, code, "Anna de Vries")
        assert joined.status_code == 303
        assert member_cookie(group) in anna.cookies
        await end(app, db, first)
        second, _ = await group_session(client, group)
        # The previous session's link offers the next session; one tap joins it.
        previous = await anna.get(f"/s/{first}")
        assert "De volgende sessie van Intervisiegroep Noord is er" in text_of(previous.text)
        fields = form_fields(previous.text, f"/groepen/{group}/meedoen")
        # So does the member's page of the group.
        mine = await anna.get(f"/groepen/{group}")
        assert mine.status_code == 200 and "Anna de Vries" in text_of(mine.text)
        assert form_fields(mine.text, f"/groepen/{group}/meedoen")
        tapped = await post_form(anna, f"/groepen/{group}/meedoen", fields)
        assert tapped.status_code == 303 and tapped.headers["location"] == f"/s/{second}"
        state = await state_of(app, db, second)
        names = [p.name for p in state.people.values() if p.role == "participant"]
        assert names == ["Anna de Vries"]
        # Tapping again does not add her twice.
        again = await post_form(anna, f"/groepen/{group}/meedoen", fields)
        assert again.status_code == 303
        state = await state_of(app, db, second)
        assert [p.name for p in state.people.values() if p.role == "participant"] == names
        # Someone outside the group sees nothing of it.
        refused = await outsider.get(f"/groepen/{group}")
        assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
        assert "Anna" not in refused.text
    async with db() as session:
        members = list(await session.scalars(select(GroupMember)))
        links = list(await session.scalars(select(SessionMember)))
    assert len(members) == 1
    assert {link.member_id for link in links} == {members[0].member_id}
    assert len(links) == 2


async def test_a_group_needs_a_name_and_only_its_facilitators_start_its_sessions(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    await facilitator(client, db)
    empty = await client.post(
        "/groepen", data={"name": "  ", "csrf_token": await csrf_token(client, "/groepen")}
    )
    assert empty.status_code == 422
    assert "Geef de groep een naam" in text_of(empty.text)
    group = await make_group(client)
    await make_user(db, email="other@example.org", roles=["facilitator"])
    async with other_client(app) as other:
        await log_in(other, "other@example.org")
        assert (await other.get(f"/sessies/nieuw?groep={group}")).status_code == 403
        assert (await other.get(f"/groepen/{group}")).status_code == 403
    added = await client.post(
        f"/groepen/{group}/begeleiders",
        data={"email": "other@example.org", "csrf_token": await csrf_token(client, "/groepen")},
    )
    assert added.status_code == 303
    async with other_client(app) as other:
        await log_in(other, "other@example.org")
        assert (await other.get(f"/sessies/nieuw?groep={group}")).status_code == 200
    assert (await client.get("/groepen/nope")).status_code == 404


async def test_erasing_a_member_removes_their_name_from_every_session_of_the_group(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    await facilitator(client, db)
    group = await make_group(client)
    first, code = await group_session(client, group)
    async with other_client(app) as anna, other_client(app) as bram:
        await join(anna, code, "Zeynep Kraaijeveld")
        await join(bram, code, "Bram")
        await end(app, db, first)
        second, _ = await group_session(client, group)
        page = await anna.get(f"/groepen/{group}")
        await post_form(
            anna, f"/groepen/{group}/meedoen", form_fields(page.text, f"/groepen/{group}/meedoen")
        )
        async with db() as session:
            member = await session.scalar(
                select(GroupMember).where(GroupMember.name == "Zeynep Kraaijeveld")
            )
        assert member is not None
        async with db() as session:
            first_id = await session.scalar(
                select(LiveSession.id).where(LiveSession.public_id == first)
            )
            group_id = await session.scalar(select(Group.id).where(Group.public_id == group))
            assert first_id is not None and group_id is not None
            session.add(
                GroupAction(
                    public_id="a-erase-test",
                    group_id=group_id,
                    session_id=first_id,
                    position=0,
                    text="Zeynep Kraaijeveld belt de wijkagent",
                    owner=member.member_id,
                )
            )
            await session.commit()
        # Bram is a member, not a facilitator: he cannot erase her.
        assert (
            await bram.get(f"/groepen/{group}/leden/{member.member_id}/wissen")
        ).status_code == 403
    confirm = await client.get(f"/groepen/{group}/leden/{member.member_id}/wissen")
    assert confirm.status_code == 200 and "2 sessies" in text_of(confirm.text)
    # It says what mentions become, as the erasure does it (server/erasure.py ERASED_MENTION).
    assert '"[naam verwijderd]"' in text_of(confirm.text)
    erased = await post_form(
        client,
        f"/groepen/{group}/leden/{member.member_id}/wissen",
        form_fields(confirm.text, f"/groepen/{group}/leden/{member.member_id}/wissen"),
    )
    assert erased.status_code == 303
    for public_id in (first, second):
        state = await state_of(app, db, public_id)
        names = {p.name for p in state.people.values() if p.role == "participant"}
        assert "Zeynep Kraaijeveld" not in names and "[verwijderd]" in names
    seen = text_of((await client.get(f"/groepen/{group}")).text)
    assert "Zeynep" not in seen and "Bram" in seen
    async with db() as session:
        left = list(await session.scalars(select(SessionMember.member_id)))
        action = await session.scalar(select(GroupAction))
    assert member.member_id not in left
    assert action is not None and "Zeynep" not in action.text and action.owner is None


async def test_joining_a_group_s_session_over_the_api_makes_a_member_too(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    await facilitator(client, db)
    group = await make_group(client)
    _, code = await group_session(client, group)
    async with other_client(app) as app_client:
        joined = await app_client.post(f"/api/sessions/{code}/join", json={"name": "Femke"})
        assert joined.status_code == 201, joined.text
        assert member_cookie(group) in joined.headers.get("set-cookie", "")
    async with db() as session:
        names = list(await session.scalars(select(GroupMember.name)))
    assert names == ["Femke"]


async def test_erasing_a_name_blanks_it_in_the_group_too_and_keeps_the_membership(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    await facilitator(client, db)
    group = await make_group(client)
    _, code = await group_session(client, group)
    async with other_client(app) as anna:
        await join(anna, code, "Zeynep Kraaijeveld")
    ask = ErasureAsk(Person.by_name("Zeynep Kraaijeveld"))
    report = await app.state.eraser(db, ask, app, None)
    assert report.tables.get("group_members") == 1
    async with db() as session:
        members = list(await session.scalars(select(GroupMember)))
    assert [m.name for m in members] == ["[verwijderd]"]
    assert "Zeynep" not in text_of((await client.get(f"/groepen/{group}")).text)


async def test_a_removed_member_does_not_come_back_with_one_tap_or_the_join_form(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    """The facilitator removed Anna from the session: neither the group's one tap nor the join
    form (in the browser that knows her) adds her again as someone new."""
    await facilitator(client, db)
    group = await make_group(client)
    public_id, code = await group_session(client, group)
    async with other_client(app) as anna:
        await join(anna, code, "Anna de Vries")
        removed = participant_of(app, anna, public_id)
        await submit_events(app, db, public_id, ev.ParticipantRemoved(removed))
        page = await anna.get(f"/groepen/{group}")
        tapped = await post_form(
            anna, f"/groepen/{group}/meedoen", form_fields(page.text, f"/groepen/{group}/meedoen")
        )
        assert tapped.status_code == 409, tapped.headers.get("location")
        assert "Je bent uit deze sessie gehaald." in text_of(tapped.text)
        again = await join(anna, code, "Anna")
        assert again.status_code == 409
        assert "Je bent uit deze sessie gehaald." in text_of(again.text)
        over_the_api = await anna.post(f"/api/sessions/{code}/join", json={"name": "Anna"})
        assert over_the_api.status_code == 409 and over_the_api.json()["code"] == "removed"
    state = await state_of(app, db, public_id)
    assert [p.removed for p in state.people.values() if p.role == "participant"] == [True]


async def test_the_one_tap_gives_no_outsider_the_join_code(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    """Only the group's members and facilitators may tap "meedoen": to anyone else who knows the
    group's address it hands out nothing, not the code of its session."""
    await facilitator(client, db)
    group = await make_group(client)
    _, code = await group_session(client, group)
    await make_user(db, email="greet@example.org", roles=["facilitator"], name="Greet")
    async with other_client(app) as anonymous, other_client(app) as greet:
        await log_in(greet, "greet@example.org")
        for who, outsider in (("anonymous", anonymous), ("another facilitator", greet)):
            token = await csrf_token(outsider, "/join")
            tapped = await outsider.post(f"/groepen/{group}/meedoen", data={"csrf_token": token})
            assert tapped.status_code in (303, 403), who
            assert code not in tapped.headers.get("location", ""), who
            assert code not in tapped.text, who
    # A facilitator of the group who is no member is sent to the join page with the code.
    tapped = await client.post(
        f"/groepen/{group}/meedoen", data={"csrf_token": await csrf_token(client, "/join")}
    )
    assert tapped.status_code == 303 and tapped.headers["location"] == f"/join?code={code}"


async def test_a_session_closed_to_newcomers_stops_a_member_s_tap(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    """docs/groups.md: closing a session to newcomers also stops the one tap of a member who is
    not in it yet; the join page they land on says so."""
    await facilitator(client, db)
    group = await make_group(client)
    first, code = await group_session(client, group)
    async with other_client(app) as anna:
        assert (await join(anna, code, "Anna de Vries")).status_code == 303
        await end(app, db, first)
        second, _ = await group_session(client, group)
        async with db() as session:
            row = await session.scalar(select(LiveSession).where(LiveSession.public_id == second))
        assert row is not None
        lock = [ev.JoinsLocked(True)]
        await app.state.session_engine.submit(row.id, None, None, lambda s, now: lock)
        page = await anna.get(f"/groepen/{group}")
        tapped = await post_form(
            anna, f"/groepen/{group}/meedoen", form_fields(page.text, f"/groepen/{group}/meedoen")
        )
        assert tapped.status_code == 303 and tapped.headers["location"].startswith("/join?code=")
        landed = await anna.get(tapped.headers["location"])
        assert "gesloten voor nieuwkomers" in text_of(landed.text)
        state = await state_of(app, db, second)
        assert [p.name for p in state.people.values() if p.role == "participant"] == []
