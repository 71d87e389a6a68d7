"""The agenda and its time: setting the agenda, starting, pausing, resuming and extending
phases, ending the session, and asynchronous sessions moving on when a phase's date passes.

All phase timing the server knows is here (`_ends_at`, `advance_if_due`, the fold of the timer
fields). The last phase of an agenda is the harvest (sessions/harvest/), so this slice names
that agenda tool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import msgspec

from sessions.tools import base
from sessions.tools.base import Body, Command, Refused, Rule

if TYPE_CHECKING:
    from sessions.tools import State

AGENDA_TOOLS: tuple[base.Tool, ...] = ("harvest",)


class AgendaSet(Body, tag="agenda.set"):
    phases: tuple[base.AgendaPhase, ...]


class PhaseStarted(Body, tag="phase.started"):
    index: int
    ends_at: float | None  # epoch seconds, server time; None for a phase without a timer


class PhasePaused(Body, tag="phase.paused"):
    remaining: float  # seconds left when paused


class PhaseResumed(Body, tag="phase.resumed"):
    ends_at: float


class PhaseExtended(Body, tag="phase.extended"):
    ends_at: float | None  # when running
    remaining: float | None  # when paused


class SessionEnded(Body, tag="session.ended"):
    pass


Events = AgendaSet | PhaseStarted | PhasePaused | PhaseResumed | PhaseExtended | SessionEnded


class SetAgenda(Command, tag="agenda.set"):
    phases: Annotated[list[base.AgendaPhase], msgspec.Meta(min_length=1, max_length=40)]


class StartPhase(Command, tag="phase.start"):
    index: Annotated[int, msgspec.Meta(ge=0)]


class NextPhase(Command, tag="phase.next"):
    pass


class PreviousPhase(Command, tag="phase.previous"):
    pass


class PausePhase(Command, tag="phase.pause"):
    pass


class ResumePhase(Command, tag="phase.resume"):
    pass


class ExtendPhase(Command, tag="phase.extend"):
    minutes: Annotated[int, msgspec.Meta(ge=-60, le=120)]


class EndSession(Command, tag="session.end"):
    pass


Commands = (
    SetAgenda
    | StartPhase
    | NextPhase
    | PreviousPhase
    | PausePhase
    | ResumePhase
    | ExtendPhase
    | EndSession
)


def _set_agenda(
    state: State, actor: str, cmd: SetAgenda, now: float, new_id: base.IdMaker
) -> list[Events]:
    for phase in cmd.phases:
        if not 1 <= phase.minutes <= 600 or not phase.name.strip():
            raise Refused("invalid", "every phase needs a name and 1 to 600 minutes")
    if cmd.phases[-1].tool != "harvest":
        raise Refused("invalid", "the last phase must be a harvest")
    _check_closing(state, cmd.phases, now)
    return [AgendaSet(tuple(cmd.phases))]


LONGEST_DAYS = 92  # as sessions/planning.py LONGEST: a phase closes within 92 days


def _check_closing(state: State, phases: list[base.AgendaPhase], now: float) -> None:
    """Closing dates (`until`) belong to asynchronous sessions, close in the order of the
    phases, and at most LONGEST_DAYS from now; a date the agenda did not have yet must be in
    the future (a phase that already closed keeps its date through later edits)."""
    known = {phase.until for phase in state.phases if phase.until is not None}
    last: float | None = None
    for phase in phases:
        if phase.until is None:
            continue
        if not state.asynchronous:
            raise Refused("invalid", "only an asynchronous session's phases have closing dates")
        if phase.until not in known and phase.until <= now:
            raise Refused("invalid", "a new closing date must be in the future")
        if phase.until > now + LONGEST_DAYS * 86400:
            raise Refused("invalid", f"a phase can close at most {LONGEST_DAYS} days from now")
        if last is not None and phase.until <= last:
            raise Refused("invalid", "each phase must close after the phase before it")
        last = phase.until


def _ends_at(state: State, index: int, now: float) -> float | None:
    if state.asynchronous:
        # Phases over days close on their date (if the agenda gives one), not after minutes.
        return state.phases[index].until
    return now + 60 * state.phases[index].minutes


def _start_phase(
    state: State, actor: str, cmd: StartPhase, now: float, new_id: base.IdMaker
) -> list[Events]:
    if cmd.index >= len(state.phases):
        raise Refused(
            "no_such_phase", f"there is no phase {cmd.index}; the agenda has {len(state.phases)}"
        )
    return [PhaseStarted(cmd.index, _ends_at(state, cmd.index, now))]


def _next_phase(
    state: State, actor: str, cmd: NextPhase, now: float, new_id: base.IdMaker
) -> list[Events]:
    index = 0 if state.phase is None else state.phase + 1
    if index >= len(state.phases):
        raise Refused("no_next_phase", "this is the last phase; end the session instead")
    return [PhaseStarted(index, _ends_at(state, index, now))]


def _previous_phase(
    state: State, actor: str, cmd: PreviousPhase, now: float, new_id: base.IdMaker
) -> list[Events]:
    if state.phase is None or state.phase == 0:
        raise Refused("no_previous_phase", "there is no phase before this one")
    index = state.phase - 1
    return [PhaseStarted(index, _ends_at(state, index, now))]


def _pause(
    state: State, actor: str, cmd: PausePhase, now: float, new_id: base.IdMaker
) -> list[Events]:
    if state.ends_at is None:
        raise Refused("not_running", "no timer is running")
    return [PhasePaused(max(0.0, state.ends_at - now))]


def _resume(
    state: State, actor: str, cmd: ResumePhase, now: float, new_id: base.IdMaker
) -> list[Events]:
    if state.remaining is None:
        raise Refused("not_paused", "the timer is not paused")
    return [PhaseResumed(now + state.remaining)]


def _extend(
    state: State, actor: str, cmd: ExtendPhase, now: float, new_id: base.IdMaker
) -> list[Events]:
    seconds = 60 * cmd.minutes
    if state.ends_at is not None:
        return [PhaseExtended(max(now, state.ends_at + seconds), None)]
    if state.remaining is not None:
        return [PhaseExtended(None, max(0.0, state.remaining + seconds))]
    raise Refused("not_running", "no timer is running or paused")


def _end(
    state: State, actor: str, cmd: EndSession, now: float, new_id: base.IdMaker
) -> list[Events]:
    return [SessionEnded()]


RULES: dict[type[Command], Rule[Events]] = {
    SetAgenda: Rule(base.FACILITATORS, _set_agenda),
    StartPhase: Rule(base.FACILITATORS, _start_phase),
    NextPhase: Rule(base.FACILITATORS, _next_phase),
    PreviousPhase: Rule(base.FACILITATORS, _previous_phase),
    PausePhase: Rule(base.FACILITATORS, _pause),
    ResumePhase: Rule(base.FACILITATORS, _resume),
    ExtendPhase: Rule(base.FACILITATORS, _extend),
    EndSession: Rule(base.FACILITATORS, _end),
}


def advance_if_due(state: State, now: float) -> list[Events]:
    """An asynchronous session moves to its next phase when the current one's date has passed.

    Decided in the writer like any command, so two processes ticking at once advance it once.
    """
    due = state.ends_at is not None and state.ends_at <= now
    if not state.asynchronous or state.ended or state.phase is None or not due:
        return []
    following = state.phase + 1
    if following >= len(state.phases):
        return [SessionEnded()]
    return [PhaseStarted(following, _ends_at(state, following, now))]


def _agenda_set(state: State, event: base.Stamp, body: AgendaSet) -> None:
    state.phases = list(body.phases)
    if state.phase is not None and state.phase >= len(state.phases):
        state.phase = len(state.phases) - 1 if state.phases else None


def _phase_started(state: State, event: base.Stamp, body: PhaseStarted) -> None:
    state.phase = body.index
    state.ends_at = body.ends_at
    state.remaining = None


def _phase_paused(state: State, event: base.Stamp, body: PhasePaused) -> None:
    state.ends_at = None
    state.remaining = body.remaining


def _phase_resumed(state: State, event: base.Stamp, body: PhaseResumed) -> None:
    state.ends_at = body.ends_at
    state.remaining = None


def _phase_extended(state: State, event: base.Stamp, body: PhaseExtended) -> None:
    state.ends_at = body.ends_at
    state.remaining = body.remaining


def _session_ended(state: State, event: base.Stamp, body: SessionEnded) -> None:
    state.ended = True
    state.ends_at = None
    state.remaining = None


FOLD: dict[type[Body], base.Fold] = {
    AgendaSet: _agenda_set,
    PhaseStarted: _phase_started,
    PhasePaused: _phase_paused,
    PhaseResumed: _phase_resumed,
    PhaseExtended: _phase_extended,
    SessionEnded: _session_ended,
}

FIELDS: dict[type[Any], base.Fields] = {
    base.AgendaPhase: base.Fields(text=("name", "purpose", "instructions", "guidance")),
}
