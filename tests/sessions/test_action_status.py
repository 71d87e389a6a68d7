"""The pure parts of actions that come back: an action's status from the logged changes
(sessions/groups/action_status.py), the agenda's terugblik phase and the compose form's action
rows (sessions/outcome/action_rows.py)."""

from __future__ import annotations

import datetime as dt

from starlette.datastructures import FormData

from sessions import events as ev
from sessions.groups.action_status import Change, statuses
from sessions.groups.review import REVIEW_PHASE, ActionRow, with_review_phase
from sessions.outcome import action_rows
from sessions.outcome.form import ComposeForm


def test_an_action_is_open_until_a_change_and_the_latest_change_decides() -> None:
    jan, feb = dt.date(2027, 1, 31), dt.date(2027, 2, 28)
    changes = [
        # Given out of order: sessions in order, seq order within, decide.
        Change(3, 5, "a1", "done"),
        Change(2, 9, "a1", "carried", jan),
        Change(2, 4, "a2", "done"),
        Change(3, 2, "a2", "carried"),  # done last time, carried over now: open again
        Change(2, 7, "a3", "carried", jan),
        Change(3, 1, "a3", "carried"),  # carried again without a date: keeps the last one
        Change(2, 3, "a4", "carried", feb),
        Change(2, 8, "a4", "carried", jan),
    ]
    found = statuses(changes)
    assert found["a1"].done and not found["a1"].open
    assert found["a2"].open and found["a2"].carried and found["a2"].due is None
    assert found["a3"].open and found["a3"].due == jan
    assert found["a4"].due == jan  # seq 8 after seq 3
    assert "a5" not in found  # no change: open, with its own date
    assert statuses([]) == {}


def test_the_terugblik_comes_first_unless_the_script_has_one() -> None:
    talk = ev.AgendaPhase("Casus", 30, "round")
    harvest = ev.AgendaPhase("Oogsten", 10, "harvest")
    assert with_review_phase([talk, harvest]) == (REVIEW_PHASE, talk, harvest)
    own = ev.AgendaPhase("Adviezen van vorige keer", 15, "review")
    assert with_review_phase([talk, own, harvest]) == (talk, own, harvest)
    assert REVIEW_PHASE.tool == "review" and REVIEW_PHASE.minutes == 10


def test_action_rows_are_read_checked_and_empty_rows_ignored() -> None:
    form = ComposeForm.submitted(
        FormData(
            [
                ("action-2-text", "  Agenda   rondsturen "),
                ("action-2-owner", ""),
                ("action-1-text", "Bel de wijkcoach"),
                ("action-1-owner", "mAnna"),
                ("action-1-due", "31-1-2027"),
                ("action-3-text", ""),
                ("action-3-due", "2027-02-01"),
                ("action-x-text", "kapot"),
                ("actions", "free text is not read for a group"),
            ]
        ),
        listed=True,
    )
    rows, problems = action_rows.checked(form.action_rows, {"mAnna", "mBram"})
    assert problems == []
    assert rows == [
        ActionRow("Bel de wijkcoach", "mAnna", dt.date(2027, 1, 31)),
        ActionRow("Agenda rondsturen", None, None),
    ]
    # The outcome's free text: the texts only, no owners.
    assert form.composition().actions == "Bel de wijkcoach\nAgenda rondsturen"
    assert action_rows.summary(rows) == form.composition().actions
    assert form.apply_op("more-actions") is None and form.action_focus == 4
    assert len(form.action_rows) == 3 + action_rows.BLANK_ROWS


def test_bad_action_rows_say_what_is_wrong() -> None:
    rows = [
        {"text": "x" * 501, "owner": "", "due": ""},
        {"text": "Bel", "owner": "mStranger", "due": ""},
        {"text": "Mail", "owner": "", "due": "morgen"},
        {"text": "Zaal", "owner": "", "due": "31-2-2027"},  # no such day
    ]
    _, problems = action_rows.checked(rows, {"mAnna"})
    assert [p.field for p in problems] == [
        "action-1-text",
        "action-2-owner",
        "action-3-due",
        "action-4-due",
    ]
    assert problems[0].params == {"n": 1, "max": 500}
    many = [{"text": f"Actie {n}", "owner": "", "due": ""} for n in range(31)]
    assert [p.field for p in action_rows.checked(many, set())[1]] == ["actions"]


def test_a_session_outside_a_group_keeps_its_free_text() -> None:
    form = ComposeForm.submitted(FormData([("actions", "Bellen"), ("action-1-text", "x")]))
    assert not form.listed and form.action_rows == []
    assert form.composition().actions == "Bellen"
    assert form.apply_op("more-actions") is None and form.action_focus is None
