"""A group's settings on its page: its name and usual practice, and taking a facilitator off
(never the last one who runs it)."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from server.accounts import grant_roles
from server.models import AuditEntry, User
from sessions.groups import actions as group_actions
from sessions.groups.models import Group, GroupFacilitator, GroupMember, SessionMember
from tests.helpers import csrf_token, log_in, make_user
from tests.sessions.groups.test_groups import group_session, make_group
from tests.sessions.pages import (
    change,
    facilitator,
    form_fields,
    join,
    other_client,
    post_form,
    sessions_in,
    start,
    text_of,
)


async def _settings(client: httpx.AsyncClient, group: str, **values: str) -> httpx.Response:
    """The settings form of the group's page, with some fields changed, sent."""
    page = await client.get(f"/groepen/{group}")
    assert page.status_code == 200, text_of(page.text)
    action = f"/groepen/{group}/instellingen"
    return await post_form(client, action, change(form_fields(page.text, action), **values))


async def _stored(db: async_sessionmaker[AsyncSession], group: str) -> tuple[str, str | None]:
    async with db() as session:
        row = await session.scalar(select(Group).where(Group.public_id == group))
    assert row is not None
    return row.name, row.variant_slug


async def _facilitators(db: async_sessionmaker[AsyncSession], group: str) -> set[str]:
    """The e-mail addresses of the group's facilitators."""
    async with db() as session:
        rows = await session.scalars(
            select(User.email)
            .join(GroupFacilitator, GroupFacilitator.user_id == User.id)
            .join(Group, Group.id == GroupFacilitator.group_id)
            .where(Group.public_id == group)
        )
        return set(rows)


async def _account(db: async_sessionmaker[AsyncSession], email: str) -> int:
    async with db() as session:
        user_id = await session.scalar(select(User.id).where(User.email == email))
    assert user_id is not None
    return user_id


async def _add(client: httpx.AsyncClient, group: str, email: str) -> None:
    added = await client.post(
        f"/groepen/{group}/begeleiders",
        data={"email": email, "csrf_token": await csrf_token(client, f"/groepen/{group}")},
    )
    assert added.status_code == 303, text_of(added.text)


async def _join_logged_in(client: httpx.AsyncClient, code: str, name: str) -> None:
    """Someone logged in joins a session with its code (the account becomes the member's)."""
    token = await csrf_token(client, f"/join?code={code}")
    joined = await client.post("/join", data={"code": code, "name": name, "csrf_token": token})
    assert joined.status_code == 303, text_of(joined.text)


def _remove_action(group: str, account: int) -> str:
    return f"/groepen/{group}/begeleiders/{account}/verwijderen"


async def _remove(client: httpx.AsyncClient, group: str, account: int) -> httpx.Response:
    """Press the button beside the facilitator on the group's page (or, where the page shows
    none, send what it would)."""
    page = await client.get(f"/groepen/{group}")
    action = _remove_action(group, account)
    if f'action="{action}"' in page.text:
        return await post_form(client, action, form_fields(page.text, action))
    token = await csrf_token(client, "/groepen")
    return await client.post(action, data={"csrf_token": token})


async def test_a_facilitator_renames_the_group_and_changes_its_usual_practice(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> None:
    await facilitator(client, db)
    group = await make_group(client)
    page = text_of((await client.get(f"/groepen/{group}")).text)
    assert "Vaste werkvorm: Intervisie" in page
    saved = await _settings(client, group, name="  Moreel beraad   Zuid ", variant="moreel-beraad")
    assert (
        saved.status_code == 303 and saved.headers["location"] == f"/groepen/{group}?opgeslagen=1"
    )
    page = text_of((await client.get(saved.headers["location"])).text)
    assert "De naam en werkvorm van de groep zijn opgeslagen." in page
    assert "Moreel beraad Zuid" in page and "Intervisiegroep Noord" not in page
    assert "Vaste werkvorm: Moreel beraad" in page
    listed = text_of((await client.get("/groepen")).text)
    assert "Moreel beraad Zuid — Moreel beraad" in listed
    assert "Intervisiegroep Noord" not in listed
    # The group's next session starts from its new name and practice.
    form = await client.get(f"/sessies/nieuw?groep={group}")
    fields = dict(form_fields(form.text, "/sessies/nieuw"))
    assert fields["title"] == "Moreel beraad Zuid (1)"
    assert fields["variant"] == "moreel-beraad"
    # Clearing the practice.
    cleared = await _settings(client, group, variant="")
    assert cleared.status_code == 303
    assert await _stored(db, group) == ("Moreel beraad Zuid", None)
    shown = await client.get(f"/groepen/{group}")
    page = text_of(shown.text)
    assert "Vaste werkvorm:" not in page
    assert '<p class="group-practice">Geen vaste werkvorm</p>' in shown.text
    assert "Moreel beraad Zuid — " not in text_of((await client.get("/groepen")).text)


async def test_wrong_settings_show_the_form_again_with_the_message_at_the_field_and_save_nothing(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], seeded: list[str]
) -> None:
    await facilitator(client, db)
    group = await make_group(client)
    before = await _stored(db, group)
    wrong = [
        ({"name": "   "}, "name", "Geef de groep een naam van hoogstens 120 tekens."),
        ({"name": "x" * 121}, "name", "Geef de groep een naam van hoogstens 120 tekens."),
        ({"variant": "zzz-onbekend"}, "variant", "Kies een werkvorm uit de lijst, of geen."),
    ]
    for values, field, message in wrong:
        answer = await _settings(client, group, **values)
        assert answer.status_code == 422, values
        assert message in text_of(answer.text), values
        # At the field: the field is marked and described by the message.
        assert f'aria-invalid="true" aria-describedby="settings-{field}-error"' in answer.text, (
            values
        )
        assert f'id="settings-{field}-error">{message}<' in answer.text, values
        assert await _stored(db, group) == before, values
    # What was typed is shown again, to correct.
    answer = await _settings(client, group, name="Nieuwe naam", variant="zzz-onbekend")
    assert 'value="Nieuwe naam"' in answer.text
    assert await _stored(db, group) == before


async def test_only_the_group_s_facilitators_and_coordinators_change_its_settings(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    await facilitator(client, db)
    group = await make_group(client)
    _, code = await group_session(client, group)
    fenna = await _account(db, "fenna@example.org")
    await make_user(db, email="greet@example.org", roles=["facilitator"], name="Greet")
    await make_user(db, email="cora@example.org", roles=["coordinator"], name="Cora")
    async with (
        other_client(app) as anna,
        other_client(app) as greet,
        other_client(app) as cora,
    ):
        await join(anna, code, "Anna de Vries")  # a member, without an account
        await log_in(greet, "greet@example.org")
        await _join_logged_in(
            greet, code, "Greet"
        )  # a member with an account, running other groups
        await log_in(cora, "cora@example.org")
        before = await _stored(db, group)
        for who, caller in (("member", anna), ("member with an account", greet)):
            page = await caller.get(f"/groepen/{group}")
            assert page.status_code == 200, who
            # Members see the group's practice, not its settings or the buttons.
            assert "Vaste werkvorm: Intervisie" in text_of(page.text), who
            assert "/instellingen" not in page.text and "/verwijderen" not in page.text, who
            token = await csrf_token(caller, "/join")
            data = {"name": "Overgenomen", "variant": "", "csrf_token": token}
            renamed = await caller.post(f"/groepen/{group}/instellingen", data=data)
            removed = await caller.post(_remove_action(group, fenna), data={"csrf_token": token})
            for answer in (renamed, removed):
                if who == "member":  # not logged in: the login page
                    assert answer.status_code == 303, who
                    assert answer.headers["location"].startswith("/login"), who
                else:
                    assert answer.status_code == 403, who
        async with other_client(app) as outsider:
            await make_user(db, email="henk@example.org", roles=["facilitator"], name="Henk")
            await log_in(outsider, "henk@example.org")
            token = await csrf_token(outsider, "/groepen")
            data = {"name": "Overgenomen", "csrf_token": token}
            assert (
                await outsider.post(f"/groepen/{group}/instellingen", data=data)
            ).status_code == 403
        assert await _stored(db, group) == before
        assert await _facilitators(db, group) == {"fenna@example.org"}
        # A coordinator counts as a facilitator of every group.
        assert (await _settings(cora, group, name="Door Cora")).status_code == 303
    assert (await _stored(db, group))[0] == "Door Cora"


async def test_a_facilitator_taken_off_the_group_loses_it_and_keeps_their_sessions(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    await facilitator(client, db)
    group = await make_group(client)
    await make_user(db, email="greet@example.org", roles=["facilitator"], name="Greet")
    greet_id = await _account(db, "greet@example.org")
    await _add(client, group, "greet@example.org")
    async with other_client(app) as greet:
        await log_in(greet, "greet@example.org")
        hers, _ = await group_session(greet, group)
        page = await client.get(f"/groepen/{group}")
        assert 'aria-label="Greet verwijderen als begeleider"' in page.text
        removed = await _remove(client, group, greet_id)
        assert removed.status_code == 303 and removed.headers["location"] == f"/groepen/{group}"
        assert await _facilitators(db, group) == {"fenna@example.org"}
        page = await client.get(f"/groepen/{group}")
        assert "Greet" not in text_of(page.text).split("Begeleiders")[-1]
        # Greet no longer sees the group, nor starts its sessions.
        assert (await greet.get(f"/groepen/{group}")).status_code == 403
        assert (await greet.get(f"/sessies/nieuw?groep={group}")).status_code == 403
        count = await sessions_in(db)
        refused = await start(greet, query="?variant=intervisie", group=group)
        assert refused.status_code == 403
        assert await sessions_in(db) == count
        assert group not in (await greet.get("/groepen")).text
        # The session she started stays hers, and the group's.
        assert (await greet.get(f"/sessies/{hers}")).status_code == 200
        assert f"/sessies/{hers}" in (await client.get(f"/groepen/{group}")).text
        # Taking her off again: she is no facilitator of the group.
        assert (await _remove(client, group, greet_id)).status_code == 404
        assert (await _remove(client, group, 2**40)).status_code == 404
    # Who was given access to the group's members, and taken off, by whom: in the audit log.
    fenna = await _account(db, "fenna@example.org")
    async with db() as session:
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    assert [(e.action, e.target, e.actor) for e in entries if e.action.startswith("group.")] == [
        ("group.facilitator_add", f"group:{group}/account:{greet_id}", f"account:{fenna}"),
        ("group.facilitator_remove", f"group:{group}/account:{greet_id}", f"account:{fenna}"),
    ]


async def test_a_facilitator_who_is_a_member_stays_a_member(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    await facilitator(client, db)
    group = await make_group(client)
    _, code = await group_session(client, group)
    await make_user(db, email="greet@example.org", roles=["facilitator"], name="Greet")
    greet_id = await _account(db, "greet@example.org")
    await _add(client, group, "greet@example.org")
    async with other_client(app) as greet:
        await log_in(greet, "greet@example.org")
        await _join_logged_in(greet, code, "Greet van Dam")
        async with db() as session:
            before = list(await session.scalars(select(GroupMember.member_id)))
            links = list(await session.scalars(select(SessionMember.member_id)))
        assert (await _remove(client, group, greet_id)).status_code == 303
        async with db() as session:
            assert list(await session.scalars(select(GroupMember.member_id))) == before
            assert list(await session.scalars(select(SessionMember.member_id))) == links
        page = await greet.get(f"/groepen/{group}")
        assert page.status_code == 200 and "Greet van Dam (jij)" in text_of(page.text)
        assert "/instellingen" not in page.text


async def test_the_last_facilitator_who_runs_the_group_is_never_taken_off(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    await facilitator(client, db)
    group = await make_group(client)
    fenna = await _account(db, "fenna@example.org")
    # Alone: no button, a hint, and the request refused with a message.
    page = await client.get(f"/groepen/{group}")
    assert _remove_action(group, fenna) not in page.text
    assert "Een groep heeft altijd een begeleider" in text_of(page.text)
    refused = await _remove(client, group, fenna)
    assert refused.status_code == 409
    assert (
        "Fenna de Vries is de laatste begeleider van deze groep. "
        "Voeg eerst een andere begeleider toe." in text_of(refused.text)
    )
    assert await _facilitators(db, group) == {"fenna@example.org"}
    # Nor by a coordinator.
    await make_user(db, email="cora@example.org", roles=["coordinator"], name="Cora")
    async with other_client(app) as cora:
        await log_in(cora, "cora@example.org")
        assert (await _remove(cora, group, fenna)).status_code == 409
    # Another facilitator whose account no longer runs groups does not count.
    await make_user(db, email="greet@example.org", roles=["facilitator"], name="Greet")
    await _add(client, group, "greet@example.org")
    async with db() as session:
        coordinator = await session.scalar(select(User).where(User.email == "cora@example.org"))
        assert coordinator is not None
        await grant_roles(
            session, coordinator, await _account(db, "greet@example.org"), ["educator"]
        )
    page = await client.get(f"/groepen/{group}")
    assert "Greet (niet actief als begeleider)" in text_of(page.text)
    assert (await _remove(client, group, fenna)).status_code == 409
    assert await _facilitators(db, group) == {"fenna@example.org", "greet@example.org"}
    # Greet herself can be taken off.
    assert (
        await _remove(client, group, await _account(db, "greet@example.org"))
    ).status_code == 303
    assert await _facilitators(db, group) == {"fenna@example.org"}


async def test_a_facilitator_takes_themselves_off_when_another_runs_the_group(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    await facilitator(client, db)
    group = await make_group(client)
    fenna = await _account(db, "fenna@example.org")
    await make_user(db, email="greet@example.org", roles=["facilitator"], name="Greet")
    await _add(client, group, "greet@example.org")
    page = await client.get(f"/groepen/{group}")
    assert "Stoppen als begeleider" in text_of(page.text)
    left = await _remove(client, group, fenna)
    assert left.status_code == 303 and left.headers["location"] == "/groepen"
    assert await _facilitators(db, group) == {"greet@example.org"}
    assert (await client.get(f"/groepen/{group}")).status_code == 403
    assert group not in (await client.get("/groepen")).text
    async with other_client(app) as greet:
        await log_in(greet, "greet@example.org")
        assert (await greet.get(f"/groepen/{group}")).status_code == 200
        assert (
            await _remove(greet, group, await _account(db, "greet@example.org"))
        ).status_code == 409


async def test_two_facilitators_taking_each_other_off_at_once_leave_one(
    app: Starlette,
    client: httpx.AsyncClient,
    db: async_sessionmaker[AsyncSession],
    seeded: list[str],
) -> None:
    await facilitator(client, db)
    group = await make_group(client)
    fenna = await _account(db, "fenna@example.org")
    await make_user(db, email="greet@example.org", roles=["facilitator"], name="Greet")
    greet_id = await _account(db, "greet@example.org")
    await _add(client, group, "greet@example.org")
    async with other_client(app) as greet:
        await log_in(greet, "greet@example.org")
        fenna_token = await csrf_token(client, f"/groepen/{group}")
        greet_token = await csrf_token(greet, f"/groepen/{group}")
        answers = await asyncio.gather(
            client.post(_remove_action(group, greet_id), data={"csrf_token": fenna_token}),
            greet.post(_remove_action(group, fenna), data={"csrf_token": greet_token}),
        )
    # The second is refused: as the last facilitator's removal, or as no longer running the
    # group when the first was done before it was let in.
    first, second = sorted(answer.status_code for answer in answers)
    assert first == 303 and second in (403, 409)
    assert len(await _facilitators(db, group)) == 1
    # The same, with the two transactions side by side, again and again.
    async with db() as session:
        group_id = await session.scalar(select(Group.id).where(Group.public_id == group))
    assert group_id is not None

    async def take_off(user_id: int) -> str:
        async with db() as session:
            try:
                await group_actions.remove_facilitator(session, group_id, user_id)
            except group_actions.LastFacilitator:
                return "refused"
        return "removed"

    for _ in range(10):
        async with db() as session:
            for user_id in (fenna, greet_id):
                await group_actions.add_facilitator(session, group_id, user_id)
            await session.commit()
        outcomes = await asyncio.gather(take_off(fenna), take_off(greet_id))
        assert sorted(outcomes) == ["refused", "removed"]
        assert len(await _facilitators(db, group)) == 1
