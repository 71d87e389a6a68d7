"""The facilitator's review of the sharing gate on the compose page (issue 13).

A real server process (SQLite and PostgreSQL): a participant writes a note that names her
client, a place and a phone number; the compose page shows each replacement marked, and offers
to show a place after all, never a person or a participant. Saving stores the choice with the
outcome (audited); words marked to hide are hidden in every shared version. Forged choices
(undo a person, undo a participant) change nothing; too many words to hide are refused with a
message and nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text as sql

from server.db import create_engine
from tests.sessions.live import PATIENT, Client, Server
from tests.sessions.pages import change, form_fields, post_form, text_of
from tests.sessions.test_outcome_end_to_end import _harvest, _logged_in, _main

NOTE = "Anneke belde mevrouw Jansen in Zwolle op 06-12345678 over de buurtkamer."
SUMMARY = "We spraken in het buurthuis aan de Lindelaan over de buurtkamer."


@pytest.fixture(autouse=True)
async def _close_clients() -> AsyncIterator[None]:
    yield
    await Client.close_all()


async def _session(server: Server) -> str:
    created = await server.create_session(title="Intervisie Oost", goals=["reflecteren"])
    public_id = str(created["session"])
    fa = Client(server, public_id, str(created["participant"]), str(created["token"]))
    await fa.connect()
    joined = await server.join(str(created["join_code"]), "Anneke Bosma")
    assert joined.status_code == 201, joined.text
    anneke = Client(server, public_id, joined.json()["participant"], joined.json()["token"])
    await anneke.connect()
    await fa.do("f-start", "phase.next")
    await anneke.do("a-note", "note.add", text=NOTE)
    await fa.wait_for(lambda: len(fa.state.notes) == 1)
    await _harvest(server, public_id, "zoe", anneke, consent="open")  # zoe: a takeaway text
    return public_id


def _fields(page: str, public_id: str, **changes: str) -> list[tuple[str, str]]:
    fields = change(form_fields(page, f"/sessies/{public_id}/uitkomst"), summary=SUMMARY)
    fields = [(k, v) for k, v in fields if k not in ("sharing", "keep", "hide", *changes)]
    return [*fields, ("sharing", "open"), *changes.items()]


async def _audit_reviews(server: Server) -> list[str]:
    engine = create_engine(server.database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                sql("SELECT detail FROM audit_log WHERE action = 'outcome.review' ORDER BY id")
            )
            return [str(r[0]) for r in rows]
    finally:
        await engine.dispose()


async def test_the_facilitator_sees_every_replacement_and_may_show_only_a_place(
    server: Server,
) -> None:
    public_id = await _session(server)
    fa = await _logged_in(server, "fa@example.org")
    anonymous = httpx.AsyncClient(base_url=server.url, timeout=PATIENT)
    try:
        page = await fa.get(f"/sessies/{public_id}/uitkomst")
        assert page.status_code == 200
        review = re.search(r'<fieldset id="f-hide".*?</fieldset>', page.text, re.S)
        assert review, text_of(page.text)
        marked = re.findall(r'<mark class="gate-mark gate-(\w+)"[^>]*>([^<]*)</mark>', review[0])
        assert ("participant", "Deelnemer …") in marked  # its letter depends on the level
        assert ("person", "[persoon]") in marked
        assert ("place", "[plaats]") in marked
        assert ("phone", "[telefoonnummer]") in marked
        # Only the place may be shown after all.
        assert re.findall(r'name="keep" value="([^"]*)"', review[0]) == ["Zwolle"]

        # Save: show Zwolle, hide the street; forged: show Anneke and mevrouw Jansen too.
        fields = _fields(page.text, public_id, hide="Lindelaan")
        fields += [("keep", "Zwolle"), ("keep", "Anneke"), ("keep", "mevrouw Jansen")]
        saved = await post_form(fa, f"/sessies/{public_id}/uitkomst", [*fields, ("op", "save")])
        assert saved.status_code == 303, text_of(saved.text)
        outcome = saved.headers["location"].split("?")[0]

        shared = text_of(_main((await anonymous.get(outcome)).text))
        assert "Zwolle" in shared and "buurtkamer" in shared
        assert "[verborgen]" in shared and "Lindelaan" not in shared
        for hidden in ("Anneke", "Bosma", "Jansen", "06-12345678"):
            assert hidden not in shared, hidden
        assert "Deelnemer A belde [persoon] in Zwolle op [telefoonnummer]" in shared

        group = text_of(_main((await fa.get(outcome)).text))  # the group's own view
        assert NOTE in group and SUMMARY in group

        # The choice is stored with the outcome and shown again; the audit log has ids only.
        again = await fa.get(f"/sessies/{public_id}/uitkomst")
        assert re.search(r'name="keep" value="Zwolle" checked', again.text)
        assert ">Lindelaan</textarea>" in again.text
        reviews = await _audit_reviews(server)
        assert len(reviews) == 1 and "Lindelaan" not in reviews[0] and "Zwolle" not in reviews[0]

        # Too many words to hide: a message, and the stored outcome stays as it was.
        words = "\n".join(f"woord{n}" for n in range(60))
        refused = await post_form(
            fa,
            f"/sessies/{public_id}/uitkomst",
            [*_fields(again.text, public_id, hide=words), ("keep", "Zwolle"), ("op", "save")],
        )
        assert refused.status_code == 422
        assert "Hoogstens 50 woorden" in text_of(refused.text), text_of(refused.text)
        shared_again = text_of(_main((await anonymous.get(outcome)).text))
        assert shared_again == shared
        assert len(await _audit_reviews(server)) == 1
    finally:
        await fa.aclose()
        await anonymous.aclose()
