"""Starting a session of a group: the start form filled in from the group and its last
session, and the new session made one of the group's."""

from __future__ import annotations

from starlette.requests import Request

from catalogue.variants.queries import Catalogue
from server.errors import PageError
from server.i18n import N_
from sessions import forms
from sessions.engine import SessionEngine
from sessions.groups import access, queries, review
from sessions.groups import actions as group_actions
from sessions.groups.models import Group
from sessions.models import LiveSession
from sessions.setup import DEFAULT_AGENDA, agenda_of


async def group_to_start(request: Request, public_id: str) -> Group:
    """The group a session is started for; 404 if there is none, 403 if the account does not
    run it."""
    async with request.app.state.db() as db:
        group = await queries.group_by_public_id(db, public_id)
    if group is None:
        raise PageError(404)
    if not (await access.viewer_of(request, group)).facilitator:
        raise PageError(403, "forbidden", N_("Only the group's facilitators can do this."))
    return group


async def prefill(request: Request, catalogue: Catalogue, public_id: str) -> forms.StartForm:
    """A start form for the group's next session: its usual practice's script, the title with
    the session's number, a terugblik first when actions are open, and the goals, region, theme,
    way of meeting and video link of its last session."""
    group = await group_to_start(request, public_id)
    engine: SessionEngine = request.app.state.session_engine
    async with request.app.state.db() as db:
        earlier = await queries.sessions_of(db, group.id)
        has_open_actions = bool(await review.open_actions(db, group.id))
    current = catalogue.by_slug.get(group.variant_slug or "")
    variant = current.variant if current is not None else None
    agenda = agenda_of(variant) if variant is not None else DEFAULT_AGENDA
    if has_open_actions:  # a terugblik first (the script's own where it has one); removable
        agenda = review.with_review_phase(agenda)
    start = forms.initial(variant, (), f"{group.name} ({len(earlier) + 1})", agenda)
    start.group = group.public_id
    if group.region_slug:
        start.region = group.region_slug
        if group.theme_slug:
            start.theme = f"{group.region_slug}/{group.theme_slug}"
    if earlier:
        last = await engine.state(earlier[-1].id)
        start.goals = list(last.goals)
        start.modality = last.modality
        start.video_url = last.video_url or ""
        if last.region:
            start.region = last.region
            start.theme = f"{last.region}/{last.theme}" if last.theme else ""
    return start


async def started(request: Request, group: Group, row: LiveSession) -> None:
    """The new session is one of the group's, and its terugblik holds the group's open actions
    (loaded also when the facilitator removed the phase: they stay open for the next time)."""
    async with request.app.state.db() as db:
        opening = await review.review_opening(db, group.id)
        await group_actions.attach_session(db, group.id, row.id)
        await db.commit()
    if opening:
        engine: SessionEngine = request.app.state.session_engine
        await engine.submit(row.id, None, None, lambda state, now: opening)


async def group_of(request: Request, row: LiveSession) -> Group | None:
    """The group the session is one of, if any (its page links back to it)."""
    async with request.app.state.db() as db:
        return await queries.group_of_session(db, row.id)
