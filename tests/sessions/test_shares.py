"""Per-participant shares of a session's limits (issue 14): one participant cannot fill the
board or the chat so that nobody else can add to it. Driven through decide() and apply(), as the
server does it (tests/sessions/test_state.py's Session)."""

from __future__ import annotations

import pytest

from sessions import commands as c
from sessions.decide import (
    MAX_CHAT,
    MAX_CHAT_PER_PERSON,
    MAX_NOTES,
    MAX_NOTES_PER_PERSON,
    Refused,
)
from tests.sessions.test_state import Session


def _refusal(session: Session, actor: str, command: c.Command) -> Refused:
    with pytest.raises(Refused) as refused:
        session.do(actor, command)
    return refused.value


def test_one_participant_cannot_fill_the_board() -> None:
    assert MAX_NOTES_PER_PERSON * 2 < MAX_NOTES  # a share leaves room for the others
    session = Session()
    for n in range(MAX_NOTES_PER_PERSON):
        session.do("p1", c.AddNote(f"n{n}", f"briefje {n}"))
    refusal = _refusal(session, "p1", c.AddNote("over", "nog een"))
    assert refusal.code == "too_many_yours"
    assert f"{MAX_NOTES_PER_PERSON} notes" in refusal.message
    # Someone else still can; and deleting one of your own frees a place.
    session.do("p2", c.AddNote("p2-1", "ook ik"))
    first = next(nid for nid, note in session.state.notes.items() if note.author == "p1")
    session.do("p1", c.DeleteNote("del", first))
    session.do("p1", c.AddNote("again", "weer een"))
    # Anonymous and private notes count too (the server knows whose they are).
    refusal = _refusal(session, "p1", c.AddNote("anon", "anoniem", anonymous=True, private=True))
    assert refusal.code == "too_many_yours"


def test_one_participant_cannot_fill_the_chat() -> None:
    assert MAX_CHAT_PER_PERSON * 2 < MAX_CHAT
    session = Session()
    for n in range(MAX_CHAT_PER_PERSON):
        session.do("p1", c.PostChat(f"m{n}", f"bericht {n}"))
    refusal = _refusal(session, "p1", c.PostChat("over", "nog een"))
    assert refusal.code == "too_many_yours"
    assert f"{MAX_CHAT_PER_PERSON} messages" in refusal.message
    session.do("p2", c.PostChat("p2", "ik kan nog"))
    session.do("ob", c.PostChat("ob", "ik ook"))  # an observer has the same share


def test_facilitators_are_not_held_to_a_share() -> None:
    session = Session()
    for n in range(MAX_NOTES_PER_PERSON + 5):
        session.do("fa", c.AddNote(f"n{n}", f"briefje {n}"))
    for n in range(MAX_CHAT_PER_PERSON + 5):
        session.do("fa", c.PostChat(f"m{n}", f"bericht {n}"))
