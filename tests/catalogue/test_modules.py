"""Curriculum modules: versions, sharing by link, visibility and refusals, on SQLite and
PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from catalogue.modules.models import ModuleRow, ModuleVersion
from server.erasure import ERASED_NAME, ErasureAsk, Person
from tests.catalogue.modules_helpers import create_module, educator_setup, module_form
from tests.helpers import log_in, make_user, submit


async def test_an_educator_builds_edits_and_shares_a_module(
    seeded: list[str], db: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> None:
    ids = await educator_setup(db, client)
    form = await client.get("/modules/nieuw")
    assert form.status_code == 200
    assert 'href="/modules"' in form.text  # in the menu, for educators
    assert ids["open"] in form.text and ids["region"] in form.text
    assert ids["group"] not in form.text  # not the educator's to see
    slug = await create_module(client, ids)
    page = await client.get(f"/modules/{slug}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;alert(1)" in page.text
    edit = await client.get(f"/modules/{slug}/bewerken")
    # the practice's own script was filled in, to adapt
    assert "intervisie" in edit.text and " | " in edit.text
    response = await submit(
        client,
        f"/modules/{slug}/bewerken",
        f"/modules/{slug}/bewerken",
        module_form(ids, title="Grenzen, tweede versie", **{"case-2-outcome": ""}),
    )
    assert response.status_code == 303
    async with db() as session:
        module = await session.scalar(select(ModuleRow).where(ModuleRow.slug == slug))
        assert module is not None
        numbers = list(
            await session.scalars(
                select(ModuleVersion.number).where(ModuleVersion.module_id == module.id)
            )
        )
    assert sorted(numbers) == [1, 2]
    assert "tweede versie" in (await client.get(f"/modules/{slug}")).text
    old = await client.get(f"/modules/{slug}/versies/1")
    assert old.status_code == 200 and "tweede versie" not in old.text
    assert (await client.get(f"/modules/{slug}/versies/9")).status_code == 404
    listing = await client.get("/modules")
    assert "tweede versie" in listing.text

    shared = await submit(client, f"/modules/{slug}", f"/modules/{slug}/delen", {"shared": "1"})
    assert shared.status_code == 303
    async with db() as session:
        module = await session.scalar(select(ModuleRow).where(ModuleRow.slug == slug))
        assert module is not None and module.share_token
        token = module.share_token
    transport = client._transport
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as anonymous:
        assert (await anonymous.get(f"/modules/gedeeld/{token}")).status_code == 200
        assert (await anonymous.get(f"/modules/{slug}")).status_code in (302, 303, 401)
        assert (await anonymous.get(f"/modules/{slug}/export.md")).status_code in (302, 303, 401)
        assert (await anonymous.get("/modules/gedeeld/nope")).status_code == 404
        await submit(client, f"/modules/{slug}", f"/modules/{slug}/delen", {"shared": "0"})
        assert (await anonymous.get(f"/modules/gedeeld/{token}")).status_code == 404


async def test_a_module_is_only_for_its_owner_and_educators(
    seeded: list[str], db: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> None:
    ids = await educator_setup(db, client)
    slug = await create_module(client, ids)
    await make_user(db, "ed2@example.org", ("educator",), "Tweede Docent")
    transport = client._transport
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        await log_in(other, "ed2@example.org")
        assert (await other.get(f"/modules/{slug}")).status_code == 404
        assert (await other.get(f"/modules/{slug}/export.json")).status_code == 404
        assert "Grenzen" not in (await other.get("/modules")).text
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as facilitator:
        await log_in(facilitator, "fenna@example.org")
        assert (await facilitator.get("/modules")).status_code == 403


async def test_a_wrong_module_is_refused_and_nothing_is_stored(
    seeded: list[str], db: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> None:
    ids = await educator_setup(db, client)
    bad = module_form(
        ids,
        title="",
        **{
            "case-1-outcome": ids["group"],  # not visible to this educator
            "exercise-1-variant": "bestaat-niet",
            "exercise-2-script": "Start | tien | x",
            "exercise-3-variant": "fishbowl",
            "exercise-3-script": f"Start | ²{'9' * 5000} | x",
        },
    )
    response = await submit(client, "/modules/nieuw", "/modules/nieuw", bad)
    assert response.status_code == 422
    fields = (
        "title",
        "case-1-outcome",
        "exercise-1-variant",
        "exercise-2-script",
        "exercise-3-script",
    )
    for field in fields:
        assert f'id="f-{field}" ' in response.text and f"<code>{field}</code>" in response.text
    assert "&lt;script&gt;" in response.text and "<script>alert" not in response.text
    async with db() as session:
        assert list(await session.scalars(select(ModuleRow))) == []


async def test_erasing_an_educator_takes_their_name_from_their_module_versions(
    seeded: list[str],
    db: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    app: Starlette,
) -> None:
    ids = await educator_setup(db, client)
    slug = await create_module(client, ids)
    async with db() as session:
        [version] = await session.scalars(select(ModuleVersion))
        assert version.author_name == "Els Educator"
    ask = ErasureAsk(Person.by_account("els@example.org"))
    report = await app.state.eraser(db, replace(ask, dry_run=True), app, None)
    assert report.tables["module_versions"] == 1  # the preview names the table
    done = await app.state.eraser(db, ask, app, None)
    assert done.tables["module_versions"] == 1
    async with db() as session:
        [version] = await session.scalars(select(ModuleVersion))
        assert version.author_name == ERASED_NAME
        module = await session.scalar(select(ModuleRow).where(ModuleRow.slug == slug))
        assert module is not None  # the module stays, without its author's name
    again = await app.state.eraser(db, ask, app, None)
    assert not again.changed  # idempotent
