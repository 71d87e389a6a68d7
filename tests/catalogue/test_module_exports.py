"""Curriculum modules' exports: licence, attribution, no names, the CLI, the printable page,
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import termios
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalogue.outcomes import actions
from catalogue.outcomes import composition as outcome_composition
from server.models import AuditEntry
from tests.catalogue.modules_helpers import (
    CAPTURED,
    CONSENTS,
    EVIL,
    NAMES,
    WERKPLAATS,
    create_module,
    educator_setup,
    withdraw_and_erase,
)
from tests.helpers import log_in, make_user, submit


def _check_export(text: str, fmt: str, ids: dict[str, str]) -> None:
    if fmt == "md":
        text = text.replace("\\", "")  # read past the escapes
    assert "CC BY-SA 4.0" in text and "CC BY 4.0" in text
    assert "Werkplaats Sociaal Domein Zuid-Holland Zuid" in text  # the region, never a person
    for name in (*NAMES, "Els Educator", "Fenna de Vries"):
        assert name not in text, (fmt, name)
    assert "Grenzen stellen helpt" in text  # the consenting participant's note is kept
    for left_out in (ids["region"], ids["later"], ids["gone"]):
        assert left_out in text
    assert "Regiocasus" not in text and "Later ingetrokken" not in text


async def test_every_export_has_licence_attribution_and_no_names(
    seeded: list[str], db: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> None:
    ids = await educator_setup(db, client)
    slug = await create_module(client, ids)
    await withdraw_and_erase(db, ids)

    md = await client.get(f"/modules/{slug}/export.md")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    _check_export(md.text, "md", ids)
    assert "<script>" not in md.text and "<b>" not in md.text
    assert "](https" not in md.text and "\\<script\\>" in md.text
    assert "niet open gedeeld" in md.text or "not shared openly" in md.text
    assert "ingetrokken" in md.text or "withdrawn" in md.text

    html = await client.get(f"/modules/{slug}/export.html")
    assert html.status_code == 200
    _check_export(html.text, "html", ids)
    assert "<script>" not in html.text and "&lt;script&gt;alert(1)" in html.text
    assert "<b>vet" not in html.text and '/static/print.css"' in html.text

    raw = await client.get(f"/modules/{slug}/export.json")
    assert raw.status_code == 200
    _check_export(raw.text, "json", ids)
    data = raw.json()
    assert data["licence"]["name"] == "CC BY-SA 4.0"
    assert [case["outcome"] for case in data["cases"]] == [ids["open"]]
    assert data["cases"][0]["licence"]["name"] == "CC BY 4.0"
    assert data["cases"][0]["note"] == f"Let op {EVIL}"  # data, exactly as written
    assert {item["outcome"]: item["reason"] for item in data["left_out"]} == {
        ids["region"]: "not_open",
        ids["later"]: "withdrawn",
        ids["gone"]: "missing",
    }
    assert [p["minutes"] for p in data["exercises"][1]["phases"]] == [10, 30]
    assert data["exercises"][0]["phases"]  # the practice's own script
    assert (await client.get(f"/modules/{slug}/export.pdf")).status_code == 404

    async with db() as session:
        entries = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "export"))
        )
    assert [e.target for e in entries] == [f"module:{slug}/1"] * 3
    assert all(e.actor.startswith("account:") for e in entries)


def _cli(*args: str, database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WERKPLAATS_DATABASE_URL": database_url,
        "WERKPLAATS_DATA_DIR": str(tmp_path),
    }
    return subprocess.run(
        [WERKPLAATS, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


async def test_the_cli_exports_modules_and_refuses_bad_arguments(
    seeded: list[str],
    db: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    database_url: str,
    tmp_path: Path,
) -> None:
    ids = await educator_setup(db, client)
    slug = await create_module(client, ids)
    second = await create_module(client, ids)
    await withdraw_and_erase(db, ids)

    for fmt in ("md", "html", "json"):
        done = _cli(
            "export", "module", slug, "--format", fmt, database_url=database_url, tmp_path=tmp_path
        )
        assert done.returncode == 0, done.stderr
        _check_export(done.stdout, fmt, ids)
    out = tmp_path / "module.md"
    done = _cli(
        "export", "module", slug, "--format", "md", "--output", str(out),
        database_url=database_url, tmp_path=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0 and "CC BY-SA 4.0" in out.read_text(encoding="utf-8")
    folder = tmp_path / "alle"
    done = _cli(
        "export", "module", "--all", "--format", "json", "--output", str(folder),
        database_url=database_url, tmp_path=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in folder.iterdir()) == sorted([f"{slug}.json", f"{second}.json"])
    # Not a terminal: no progress bar (no carriage returns in a log), one summary line.
    assert done.stderr == f"exported 2 modules to {folder}\n"

    unknown = _cli(
        "export", "module", "nope", "--format", "md", database_url=database_url, tmp_path=tmp_path
    )
    assert unknown.returncode == 2 and "no module 'nope'" in unknown.stderr
    bad_format = _cli(
        "export", "module", slug, "--format", "pdf", database_url=database_url, tmp_path=tmp_path
    )
    assert bad_format.returncode == 2 and "invalid choice: 'pdf'" in bad_format.stderr
    neither = _cli(
        "export", "module", "--format", "md", database_url=database_url, tmp_path=tmp_path
    )
    assert neither.returncode == 2 and "SLUG, or --all" in neither.stderr
    async with db() as session:
        entries = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "export"))
        )
    assert len(entries) == 6 and all(e.actor == "cli" for e in entries)
    assert json.loads((folder / f"{slug}.json").read_text(encoding="utf-8"))["slug"] == slug


def _on_a_terminal(command: list[str], env: dict[str, str]) -> str:
    """Run a command with stderr on a pseudo-terminal, as when a person runs it; what it
    showed there. It must succeed and write nothing on stdout."""
    main, terminal = pty.openpty()
    # 24 rows of 80 columns: a new pseudo-terminal has no size, and a bar needs a width.
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    try:
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=terminal)
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the process ended and closed the terminal (EIO)
                break
            if not chunk:
                break
            shown += chunk
        assert process.wait(timeout=60) == 0
        assert process.stdout is not None and process.stdout.read() == b""
        process.stdout.close()
    finally:
        os.close(main)
    return shown.decode()


async def test_exporting_every_module_on_a_terminal_shows_a_progress_bar(
    seeded: list[str],
    db: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    database_url: str,
    tmp_path: Path,
) -> None:
    ids = await educator_setup(db, client)
    slugs = [await create_module(client, ids) for _ in range(3)]
    folder = tmp_path / "alle"
    env = {
        **os.environ,
        "WERKPLAATS_DATABASE_URL": database_url,
        "WERKPLAATS_DATA_DIR": str(tmp_path),
    }
    command = [WERKPLAATS, "export", "module", "--all", "--format", "md", "--output", str(folder)]
    text = _on_a_terminal(command, env)
    assert "\r" in text  # the bar is redrawn in place
    assert "exporting: 100%" in text and "3/3" in text
    assert text.rstrip().endswith(f"exported 3 modules to {folder}")
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{slug}.md" for slug in slugs)


async def test_the_printable_page_uses_the_static_print_stylesheet(
    seeded: list[str], db: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> None:
    ids = await educator_setup(db, client)
    slug = await create_module(client, ids)
    css = await client.get("/static/print.css")
    assert css.status_code == 200 and "@page" in css.text and "A4" in css.text
    for page in (f"/modules/{slug}", f"/modules/{slug}/export.html", "/modules/nieuw"):
        text = (await client.get(page)).text
        assert "<style" not in text and " style=" not in text and "<script" not in text, page
    await make_user(db, "co@example.org", ("coordinator",), "Co Ordinator")
    transport = client._transport
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as coordinator:
        await log_in(coordinator, "co@example.org")
        assert slug in (await coordinator.get("/modules")).text
        assert (await coordinator.get(f"/modules/{slug}/bewerken")).status_code == 200


async def test_names_typed_into_an_outcome_are_scrubbed_from_every_export(
    seeded: list[str], db: async_sessionmaker[AsyncSession], client: httpx.AsyncClient
) -> None:
    """The facilitator typed a participant's name (and her name before a rename) into the
    summary: the outcome page replaces it, and so must every export."""
    from sessions.models import LiveSession, SessionEvent
    from sessions.queries import display_names

    facilitator = await make_user(db)
    await make_user(db, "els@example.org", ("educator",), "Els Educator")
    async with db() as session:
        live = LiveSession(public_id="liveX", join_code="XYZXYZ", title="T", last_seq=2)
        session.add(live)
        await session.flush()
        for seq, body in enumerate(
            (
                {
                    "type": "participant.joined",
                    "participant": "p2",
                    "name": "Jansje Pietersen",
                    "role": "participant",
                    "location": "remote",
                },
                {"type": "participant.renamed", "participant": "p2", "name": "Jans"},
            ),
            start=1,
        ):
            session.add(
                SessionEvent(
                    session_id=live.id,
                    seq=seq,
                    type=body["type"],
                    actor="p2",
                    at=0.0,
                    body=json.dumps(body),
                )
            )
        await session.commit()
        facts = outcome_composition.SessionFacts(
            session_id=live.id,
            title="Open casus",
            held_on=dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC),
            variant_slug="intervisie",
            region_slug="zuid-holland-zuid",
            goals=(),
        )
        composition = outcome_composition.Composition(
            summary="Jansje Pietersen bracht de casus in; Jans had het eerder gezien.",
            sharing="open",
        )
        names = await display_names(session, live.id)  # as the compose page passes them
        row = await actions.save_outcome(
            session, facts, composition, CAPTURED, CONSENTS, {}, facilitator.id, names=names
        )
        public_id = row.public_id
    await log_in(client, "els@example.org")
    response = await submit(
        client,
        "/modules/nieuw",
        "/modules/nieuw",
        {
            "title": "Namen",
            "audience": "hbo",
            "objectives": "x",
            "case-1-outcome": public_id,
            "exercise-1-variant": "intervisie",
            "reflection": "y",
            "note": "n",
        },
    )
    assert response.status_code == 303, response.text
    slug = response.headers["location"].split("?")[0].rsplit("/", 1)[1]
    for fmt in ("md", "html", "json"):
        export = await client.get(f"/modules/{slug}/export.{fmt}")
        assert export.status_code == 200
        text = export.text if fmt != "json" else json.dumps(export.json(), ensure_ascii=False)
        assert re.search(r"Deelnemer [A-Z] bracht de casus in", text), fmt
        for name in ("Jansje", "Pietersen", "Jans "):
            assert name not in text, (fmt, name)
