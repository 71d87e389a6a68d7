"""The pure parts of the harvest (sessions/harvest/answers.py): checking an answer, who may
give one, and what the outcome keeps of the answers."""

from __future__ import annotations

from sessions.harvest import answers
from sessions.harvest.answers import Answer, check, consents, rating_means, refusal
from sessions.models import HarvestResponse
from sessions.state import Person, State


def test_check_accepts_ratings_for_the_sessions_goals_only() -> None:
    goals = ["reflecteren", "innoveren"]
    answer, problems = check(goals, {"reflecteren": " 5 ", "innoveren": ""}, " Veel ", "open")
    assert problems == [] and answer == Answer({"reflecteren": 5}, "Veel", "open")
    assert check(goals, {"reflecteren": 1}, None, "no")[0] == Answer({"reflecteren": 1}, "", "no")
    for bad in (0, 6, -1, True, 2.5, "2.0", "", "٣", "0003", None):
        answer, problems = check(goals, {"reflecteren": bad}, "", "no")
        if bad in ("", None):
            assert problems == [] and answer == Answer({}, "", "no")  # not rated
        else:
            assert answer is None and [p.field for p in problems] == ["rating-reflecteren"], bad
    answer, problems = check(goals, {"vliegen": "3"}, "", "no", names={"reflecteren": "R"})
    assert answer is None and problems[0].field == "ratings"
    assert problems[0].params == {"goal": "vliegen", "allowed": "R, innoveren"}
    assert check([], {"vliegen": "3"}, "", "no")[1][0].params["allowed"] == ""


def test_check_bounds_the_takeaway_and_knows_the_consent_levels() -> None:
    assert check([], {}, "a" * 2000, "no")[0] is not None
    assert check([], {}, "a\r\n" * 1000, "no")[0] is not None  # a line break counts once
    answer, problems = check([], {}, "a" * 2001, "no")
    assert answer is None and problems[0].params == {"length": 2001, "max": 2000}
    assert check([], {}, 12, "no")[1][0].field == "takeaway"
    for level in ("no", "region", "national", "open"):
        assert check([], {}, "", level)[0] == Answer({}, "", level)
    for bad in ("everyone", "group", "", None, "NO", 1):
        answer, problems = check([], {}, "", bad)
        assert answer is None and [p.field for p in problems] == ["consent"], bad
    # Every problem at once, nothing half.
    answer, problems = check(["reflecteren"], {"reflecteren": "9", "x": "1"}, "a" * 3000, "ja")
    assert answer is None
    assert sorted(p.field for p in problems) == [
        "consent",
        "rating-reflecteren",
        "ratings",
        "takeaway",
    ]


def test_who_may_answer() -> None:
    people = {
        "pa": Person("Anna", "participant", "room"),
        "po": Person("Olga", "observer", "remote"),
        "pr": Person("Rik", "participant", "room", removed=True),
        "u1": Person("Fenna", "facilitator", "room"),
    }
    ran = State(people=people, phase=0)
    assert refusal(ran, "pa") is None and refusal(ran, "u1") is None
    assert refusal(ran, "po") == answers.OBSERVER
    assert refusal(ran, "pr") == answers.REMOVED
    assert refusal(ran, None) == answers.NOT_IN_SESSION
    assert refusal(ran, "pz") == answers.NOT_IN_SESSION
    assert refusal(State(people=people), "pa") == answers.NEVER_RAN
    ended = State(people=people, phase=2, ended=True)
    assert refusal(ended, "pa") is None  # consent can change after the session


def test_rating_means_and_consents() -> None:
    rows = [
        HarvestResponse(participant="pa", ratings={"r": 4, "i": 2}, consent="open"),
        HarvestResponse(participant="pb", ratings={"r": 5}, consent="no"),
        HarvestResponse(participant="pc", ratings={"r": 3, "other": 5, "i": 9}, consent="region"),
    ]
    assert rating_means(rows, ["r", "i", "k"]) == {"r": (3, 4.0), "i": (1, 2.0)}
    assert consents(rows) == {"pa": "open", "pb": "no", "pc": "region"}
    assert rating_means([], ["r"]) == {}
