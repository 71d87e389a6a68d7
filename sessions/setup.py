"""What a new session is made of: the agenda, its checks, and the one way to create it.

The API (`POST /api/sessions`) and the start form (`/sessies/nieuw`) both come here, so a
session is checked and created the same way whichever door it came through.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from catalogue.regions.queries import load_region
from catalogue.variants.queries import current_variant, load_goals
from catalogue.variants.schema import Variant
from server.i18n import N_
from sessions import actions, joins, planning
from sessions import events as ev
from sessions.commands import video_url_problem
from sessions.engine import SessionEngine
from sessions.models import LiveSession

DEFAULT_AGENDA: tuple[ev.AgendaPhase, ...] = (
    ev.AgendaPhase("Opening", 10, "round", "Iedereen komt aan en zegt kort hoe het gaat."),
    ev.AgendaPhase("Ideeën verzamelen", 20, "board", "Iedereen schrijft ideeën op briefjes."),
    ev.AgendaPhase("Kiezen", 10, "vote", "Kies samen wat het belangrijkst is."),
    ev.AgendaPhase("Oogsten", 15, "harvest", "Wat nemen we mee?"),
)


class SetupRefused(Exception):
    """A session cannot be made like this; `message` is an English msgid with `params`."""

    def __init__(self, code: str, field: str, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.code = code
        self.field = field
        self.message = message
        self.params = params

    def text(self) -> str:
        """The message in English (the API's language)."""
        return str(self)


@dataclass(frozen=True)
class SetupRequest:
    """What someone asks for; `phases` None means the variant's script or the default agenda."""

    title: str
    modality: ev.Modality = "online"
    variant: str | None = None
    goals: tuple[str, ...] = ()
    capacity: int | None = None
    breakout_size: int = 4
    anonymous_notes: bool = False
    asynchronous: bool | None = None  # None: as the variant is (false without one)
    region: str | None = None
    theme: str | None = None
    phases: tuple[ev.AgendaPhase, ...] | None = None
    video_url: str | None = None
    max_participants: int | None = None  # None: the default (sessions/joins.py)
    # Both or neither, with a zone (any: converted to UTC when stored); the end after the start.
    planned_start: dt.datetime | None = None
    planned_end: dt.datetime | None = None


def agenda_of(variant: Variant) -> tuple[ev.AgendaPhase, ...]:
    """A variant's script as a session agenda (the participants' instructions and the
    facilitator's guidance come along)."""
    return tuple(
        ev.AgendaPhase(
            p.name,
            p.minutes,
            p.tool,  # type: ignore[arg-type]
            p.purpose,
            p.participants,
            guidance=p.facilitator,
        )
        for p in variant.phases
    )


def with_guidance(
    phases: tuple[ev.AgendaPhase, ...], script: tuple[ev.AgendaPhase, ...]
) -> tuple[ev.AgendaPhase, ...]:
    """The agenda with the script's guidance on each phase that has none and bears the name of
    a phase of the script: the start form edits the agenda without the guidance (it is the
    facilitator's, not the participants'), so a renamed or new phase simply has none."""
    by_name = {phase.name: phase.guidance for phase in script if phase.guidance}
    return tuple(
        phase
        if phase.guidance or phase.name not in by_name
        else msgspec.structs.replace(phase, guidance=by_name[phase.name])
        for phase in phases
    )


async def prepare(db: AsyncSession, asked: SetupRequest) -> actions.SessionSetup:
    """The checked setup of a new session, or SetupRefused naming what is wrong."""
    phases = asked.phases if asked.phases is not None else DEFAULT_AGENDA
    asynchronous = bool(asked.asynchronous)
    planned_minutes = None
    if asked.variant is not None:
        variant = await current_variant(db, asked.variant)
        if variant is None:
            raise SetupRefused(
                "unknown_variant",
                "variant",
                N_("there is no variant %(variant)r"),
                variant=asked.variant,
            )
        phases = (
            agenda_of(variant)
            if asked.phases is None
            else with_guidance(phases, agenda_of(variant))
        )
        if asked.asynchronous is None:
            asynchronous = variant.asynchronous
        planned_minutes = variant.minutes_typical
    if asked.modality == "online" and asked.capacity is not None:
        raise SetupRefused(
            "invalid_request", "capacity", N_("an online session has no room capacity")
        )
    if asked.max_participants is not None:
        limit = joins.maximum_problem(asked.max_participants, asked.capacity)
        if limit == "out_of_range":
            raise SetupRefused(
                "invalid_request",
                "max_participants",
                N_("the maximum of participants must be from 1 to %(max)s"),
                max=joins.MAX_PARTICIPANTS,
            )
        if limit == "below_capacity":
            raise SetupRefused(
                "invalid_request",
                "max_participants",
                N_("the maximum of participants is below the room's capacity (%(capacity)s)"),
                capacity=asked.capacity,
            )
    planned = [moment for moment in (asked.planned_start, asked.planned_end) if moment]
    if any(not planning.FIRST_YEAR <= moment.year <= planning.LAST_YEAR for moment in planned):
        raise SetupRefused(
            "invalid_request",
            "planned_start",
            N_("a planned session falls between the years %(first)s and %(last)s"),
            first=planning.FIRST_YEAR,
            last=planning.LAST_YEAR,
        )
    if (asked.planned_start is None) != (asked.planned_end is None) or (
        asked.planned_start is not None
        and asked.planned_end is not None
        and asked.planned_end <= asked.planned_start
    ):
        raise SetupRefused(
            "invalid_request", "planned_end", N_("a planned session needs an end after its start")
        )
    if (
        asked.planned_start is not None
        and asked.planned_end is not None
        and planning.too_long(asked.planned_start, asked.planned_end)
    ):
        raise SetupRefused(
            "invalid_request",
            "planned_end",
            N_("a session can be planned for at most %(days)s days"),
            days=planning.LONGEST.days,
        )
    if asked.video_url is not None:
        problem = video_url_problem(asked.video_url)
        if problem is not None:
            raise SetupRefused("invalid_request", "video_url", "%(problem)s", problem=problem)
    await _check_goals_and_region(db, asked)
    return actions.SessionSetup(
        asked.title,
        phases,
        asked.goals,
        asked.modality,
        asked.capacity,
        asked.breakout_size,
        asked.anonymous_notes,
        asynchronous,
        asked.variant,
        asked.region,
        asked.theme,
        asked.video_url,
        planned_minutes,
    )


async def _check_goals_and_region(db: AsyncSession, asked: SetupRequest) -> None:
    known_goals = [goal.slug for goal in await load_goals(db)]
    for goal in asked.goals:
        if goal not in known_goals:
            raise SetupRefused(
                "unknown_goal",
                "goals",
                N_("unknown goal %(goal)r; known goals: %(known)s"),
                goal=goal,
                known=", ".join(known_goals),
            )
    if asked.theme is not None and asked.region is None:
        raise SetupRefused(
            "invalid_request", "theme", N_("a theme belongs to a region; give the region too")
        )
    if asked.region is None:
        return
    region = await load_region(db, asked.region)
    if region is None:
        raise SetupRefused(
            "unknown_region", "region", N_("there is no region %(region)r"), region=asked.region
        )
    themes = [theme.slug for theme in region.themes]
    if asked.theme is not None and asked.theme not in themes:
        raise SetupRefused(
            "unknown_theme",
            "theme",
            N_("region %(region)r has no theme %(theme)r; its themes: %(themes)s"),
            region=asked.region,
            theme=asked.theme,
            themes=", ".join(themes),
        )


async def create(
    db: async_sessionmaker[AsyncSession],
    engine: SessionEngine,
    asked: SetupRequest,
    user_id: int,
    user_name: str,
) -> LiveSession:
    """Check what is asked and create the session with its creator as facilitator."""
    async with db() as session:
        setup = await prepare(session, asked)
    row = await actions.create_session(
        db, engine, setup, user_id, user_name, _utc(asked.planned_start), _utc(asked.planned_end)
    )
    if asked.max_participants is not None:  # before anyone has the code
        await joins.set_maximum(db, row.id, asked.max_participants)
        row.max_participants = asked.max_participants
    return row


def join_url(request: Request, join_code: str) -> str:
    """The absolute address of the join page with the code filled in (for links and QR codes)."""
    return str(request.url_for("join_page").include_query_params(code=join_code))


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    # After the check of its year in `prepare`: in those years every moment has a UTC time.
    return moment.astimezone(dt.UTC) if moment is not None else None
