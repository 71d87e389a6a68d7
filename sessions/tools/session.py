"""The session itself: its creation (title, agenda, goals, modality, ...) and its video link."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sessions.tools import base
from sessions.tools.base import Body, Command, Refused, Rule
from sessions.video import video_url_problem

if TYPE_CHECKING:
    from sessions.tools import State

AGENDA_TOOLS: tuple[base.Tool, ...] = ()
# A video-call link. Its form and length are checked by video_url_problem() (in decide() and on
# create), so every refusal says what is allowed; the frame limit bounds what is decoded.
VideoUrl = str


class SessionCreated(Body, tag="session.created"):
    title: str
    phases: tuple[base.AgendaPhase, ...]
    goals: tuple[str, ...]
    modality: base.Modality
    capacity: int | None  # places in the room (hybrid, on-site); None: no limit
    breakout_size: int
    anonymous_notes: bool
    asynchronous: bool
    region: str | None = None  # the Werkplaats (region slug) and the theme on its agenda
    theme: str | None = None
    video_url: str | None = None  # the video-call link, checked by video_url_problem
    # The minutes the practice usually takes (its variant's typical duration; None without a
    # variant): the cockpit sets the agenda's total against it.
    planned_minutes: int | None = None


class VideoSet(Body, tag="video.set"):
    """The session's video-call link changed (None: removed)."""

    url: str | None


Events = SessionCreated | VideoSet


class SetVideo(Command, tag="session.video"):
    """The session's video-call link (None: no link)."""

    url: VideoUrl | None


Commands = SetVideo


def _set_video(
    state: State, actor: str, cmd: SetVideo, now: float, new_id: base.IdMaker
) -> list[Events]:
    if cmd.url is not None:
        problem = video_url_problem(cmd.url)
        if problem is not None:
            raise Refused("invalid", problem)
    return [VideoSet(cmd.url)]


RULES: dict[type[Command], Rule[Events]] = {SetVideo: Rule(base.FACILITATORS, _set_video)}


def _session_created(state: State, event: base.Stamp, body: SessionCreated) -> None:
    state.title = body.title
    state.phases = list(body.phases)
    state.goals = list(body.goals)
    state.modality = body.modality
    state.capacity = body.capacity
    state.breakout_size = body.breakout_size
    state.anonymous_notes = body.anonymous_notes
    state.asynchronous = body.asynchronous
    state.region = body.region
    state.theme = body.theme
    state.video_url = body.video_url
    state.planned_minutes = body.planned_minutes


def _video_set(state: State, event: base.Stamp, body: VideoSet) -> None:
    state.video_url = body.url


FOLD: dict[type[Body], base.Fold] = {SessionCreated: _session_created, VideoSet: _video_set}

# The video links count as ids, as they always have for erasure (video.set was never among the
# events with text: pinned in tests/sessions/test_slices.py).
FIELDS: dict[type[Any], base.Fields] = {
    # goals, region and theme are catalogue slugs (sessions/setup.py checks them).
    SessionCreated: base.Fields(text=("title",), ids=("goals", "region", "theme", "video_url")),
    VideoSet: base.Fields(ids=("url",)),
}
