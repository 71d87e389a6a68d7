"""The sharing gate (catalogue/outcomes/gate.py) and the name matcher it uses: every form of a
participant's name, everyone else through deduce, the review, linear time whatever the names,
the same stored result on SQLite and PostgreSQL, and `werkplaats migrate` gating older
outcomes."""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import sessions  # noqa: F401  (live_sessions, which outcomes refer to)
from catalogue.outcomes import deidentify
from catalogue.outcomes.actions import save_outcome
from catalogue.outcomes.composition import Composition, Product, SessionFacts
from catalogue.outcomes.gate import Gate, Review, gate_document, pseudonyms, title_of
from catalogue.outcomes.models import KnowledgeQuestion, OutcomeRow, OutcomeText
from catalogue.outcomes.name_matcher import NameMatcher
from tests.server.test_cli import run

NAMES = {"p1": "Joost Wiegersma", "p2": "Zeynep Oudejans-Kraaijeveld", "p3": "Anneke Bosma"}


def _gate(review: Review | None = None) -> Gate:
    return Gate(NAMES, pseudonyms(NAMES), review or Review())


@pytest.mark.parametrize(
    "written",
    [
        "Joost Wiegersma",
        "joost wiegersma",
        "JOOST  WIEGERSMA",
        "joost\twiegersma",
        "Joost-Wiegersma",
        "joost_wiegersma",
        "joost.wiegersma",
        "joost%20wiegersma",
        "Wiegersma",
        "joost",
        "zeynep-oudejans-kraaijeveld",
        "Oudejans",
        "kraaijeveld",
        "Zeynep Oudejans Kraaijeveld",
        "anneke",
    ],
)
def test_a_participant_is_found_however_the_name_is_written(written: str) -> None:
    assert _gate().text(f"Toen zei {written} iets.") in {
        f"Toen zei {label} iets." for label in pseudonyms(NAMES).values()
    }


def test_common_words_and_particles_in_names_do_not_shred_a_text() -> None:
    names = {"a": "de", "b": "Roos", "c": "Bas van der Wal", "d": "Wil", "e": "Van Der"}
    gate = Gate(names, pseudonyms(names), find=lambda _: [])
    text = "de groep wil dat het van der kade komt; ik wil het zien."
    # "de" and "van der" are only particles; "wil" is a word (deduce's list) written small.
    assert gate.text(text) == text
    assert gate.text("Wil zei: Roos en Bas van der Wal") == (
        "Deelnemer D zei: Deelnemer B en Deelnemer C"
    )
    # A name part that is no common word is found written small too (it is likely her).
    assert gate.text("ik wil roos bellen") == "ik wil Deelnemer B bellen"


def test_matching_finds_only_whole_names_in_a_long_text_of_name_words() -> None:
    """Issue 14: a participant called "de" and "de groep" 30 times hung the library. Here:
    names that are words, many names, and a long text of them. (The matcher compares words,
    never builds a pattern from the names; tests/sessions/test_name_hang.py asks a real server.
    Speed is not asserted here: bench/gate.py measures it.)"""
    names = {f"p{n}": f"de {word}" for n, word in enumerate(["groep", "wijk", "buurt"] * 70)}
    names["x"] = "de"
    names["y"] = "Groep de Groep"
    matcher = NameMatcher(names.items(), parts=True)
    text = "de groep " * 20_000 + "Groep"
    found = matcher.find(text)
    # Only the capitalised "Groep": names of common words are found only where capitalised.
    assert [(m.start, m.end) for m in found] == [(len(text) - 5, len(text))]


def test_everyone_else_is_de_identified_and_a_participant_inside_a_person_goes_whole() -> None:
    gate = _gate()
    assert gate.text("Mijn cliënt Henk de Vries belde 06-12345678.") == (
        "Mijn cliënt [persoon] belde [telefoonnummer]."
    )
    assert gate.text("Mail naar h.devries@example.nl, BSN 111222333.") == (
        "Mail naar [e-mailadres], BSN [bsn]."
    )
    # "Anneke" is a participant's first name; "mevrouw Anneke Jansen" someone else.
    assert "Jansen" not in gate.text("Ik sprak mevrouw Anneke Jansen.")


def test_the_review_hides_words_and_undoes_only_places_and_institutions() -> None:
    review = Review(hide=("Lindelaan",), keep=("Zwolle", "Henk de Vries", "Joost Wiegersma"))
    gate = _gate(review)
    assert gate.text("In Zwolle aan de Lindelaan.") == "In Zwolle aan de [verborgen]."
    assert gate.text("Henk de Vries en Joost Wiegersma.") == "[persoon] en Deelnemer A."
    assert _gate().text("In Zwolle.") == "In [plaats]."


def test_a_link_that_names_someone_is_left_out_and_others_stay() -> None:
    gate = _gate()
    assert gate.url("https://example.org/verslagen/zeynep-oudejans-kraaijeveld") is None
    assert gate.url("https://example.org/Joost_Wiegersma.pdf") is None
    assert gate.url("https://example.org/gids/henk-de-vries") is None
    assert gate.url("https://example.org/werkwijze/intervisie") == (
        "https://example.org/werkwijze/intervisie"
    )


async def _save(db: async_sessionmaker[AsyncSession]) -> OutcomeRow:
    async with db() as session:
        return await save_outcome(
            session,
            SessionFacts(
                session_id=None,
                title="Casus van Joost Wiegersma",
                held_on=dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC),
                region_slug="zwolle",
            ),
            Composition(
                summary="joost  wiegersma en mevrouw Jansen (06-12345678) in Zwolle.",
                products=(Product("Verslag", "", "https://example.org/v/anneke-bosma"),),
                questions=("Wat vindt Fatima El Moussaoui ervan?",),
                sharing="open",
            ),
            {"unclustered": [{"text": "zei anneke ook", "by": "p3", "anonymous": False}]},
            {"p3": "open"},
            {},
            None,
            names=NAMES,
            review=Review(keep=("Zwolle",)),
        )


async def test_the_gate_stores_the_same_result_on_both_databases(
    db: async_sessionmaker[AsyncSession],
) -> None:
    """The stored gated version is exactly what the pure gate makes of the outcome (so SQLite
    and PostgreSQL store the same), the question's shared text and the index follow it."""
    row = await _save(db)
    async with db() as session:
        stored = await session.get(OutcomeRow, row.id)
        assert stored is not None and stored.gated is not None
        from catalogue.outcomes.queries import load_outcome

        outcome = await load_outcome(session, stored.public_id)
        assert outcome is not None
        expected = gate_document(outcome.document(), NAMES, Review(keep=("Zwolle",)))
        assert stored.gated == dict(expected)
        assert stored.gated["summary"].endswith("en [persoon] ([telefoonnummer]) in Zwolle.")
        assert stored.gated["products"][0]["url"] is None
        assert title_of(stored.gated) == "Casus van Deelnemer A"
        question = await session.scalar(select(KnowledgeQuestion))
        assert question is not None and question.shared_text == "Wat vindt [persoon] ervan?"
        index = await session.get(OutcomeText, row.id)
        assert index is not None
        for name in ("Joost", "Wiegersma", "Jansen", "anneke", "Fatima", "12345678"):
            assert name.lower() not in index.body.lower(), name
        assert "Zwolle" in index.body  # shown after all


async def test_migrate_gates_an_outcome_that_was_never_gated(
    database_url: str, tmp_path: Path, db: async_sessionmaker[AsyncSession]
) -> None:
    row = await _save(db)
    async with db() as session:
        await session.execute(update(OutcomeRow).values(gated=None))
        await session.execute(update(KnowledgeQuestion).values(shared_text=None))
        await session.commit()
    result = run("migrate", env=_env(database_url, tmp_path), timeout=300)
    assert result.returncode == 0, result.stderr
    assert "1 outcome(s) passed through the sharing gate" in result.stdout
    async with db() as session:
        stored = await session.get(OutcomeRow, row.id)
        assert stored is not None and stored.gated is not None
        # Without the session, its participants' names are not known: deduce still finds
        # the people, and the facilitator's review (stored with the outcome) still holds.
        assert "Jansen" not in stored.gated["summary"] and "Zwolle" in stored.gated["summary"]
        question = await session.scalar(select(KnowledgeQuestion))
        assert question is not None and question.shared_text == "Wat vindt [persoon] ervan?"
    again = run("migrate", env=_env(database_url, tmp_path), timeout=300)
    assert "sharing gate" not in again.stdout  # nothing left to gate


def _env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {"WERKPLAATS_DATABASE_URL": database_url, "WERKPLAATS_DATA_DIR": str(tmp_path)}


def test_deduce_is_built_once_and_then_only_checked() -> None:
    """With its cache in place, build() does not load the model (which takes seconds)."""
    program = (
        "from catalogue.outcomes import deidentify\n"
        "deidentify.build()\n"
        "print(deidentify._model is None)\n"
    )
    deidentify.build()
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=300, check=True
    )
    assert result.stdout == "True\n"


def test_loading_deduce_leaves_the_logging_of_the_process_alone() -> None:
    """deduce calls logging.basicConfig(stream=sys.stdout, level=DEBUG) when imported: every
    library's debug lines (database statements with their parameters, so texts people wrote)
    would go to stdout. Loading it through catalogue.outcomes.deidentify must not change the root
    logger, nor print anything, in a fresh process."""
    program = (
        "import logging, sys\n"
        "from catalogue.outcomes import deidentify\n"
        "deidentify.build()\n"
        "deidentify.find('Henk de Vries belde.')\n"
        "root = logging.getLogger()\n"
        "logging.getLogger('aiosqlite').debug('SELECT secret')\n"
        "print(len(root.handlers), root.level)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=300, check=True
    )
    assert result.stdout == f"0 {logging.WARNING}\n"
    assert "SELECT secret" not in result.stderr
