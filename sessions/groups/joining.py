"""Joining a group's sessions: every participant who joins one becomes (or is recognised as)
a member, and a member joins the group's next session with one tap, under the name they last
used, as the same member."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.auth import current_user
from server.cookies import set_private_cookie
from server.errors import PageError
from server.i18n import N_
from server.limits import TooMany, client_address
from sessions import actions, joins
from sessions import events as ev
from sessions import queries as session_queries
from sessions.decide import Refused
from sessions.engine import SessionEngine
from sessions.groups import access, queries, review
from sessions.groups import actions as group_actions
from sessions.groups.membership import COOKIE_DAYS, make_member_token, member_cookie
from sessions.groups.models import Group, GroupMember
from sessions.models import LiveSession
from sessions.queries import Listed
from sessions.state import State
from sessions.tokens import participant_cookie, read_token, set_participant_cookie

REMOVED = N_("You were removed from this session.")


def current_of(sessions: Sequence[Listed]) -> LiveSession | None:
    """Of a group's sessions (in order), the one to join now: the latest that has not ended."""
    return next((s.session for s in reversed(sessions) if not s.ended), None)


async def next_session(db: AsyncSession, group: Group) -> LiveSession | None:
    """The group's session to join now (read from the logs' ends, no session is folded)."""
    return current_of(await session_queries.listed(db, await queries.sessions_of(db, group.id)))


async def next_for_member(request: Request, row: LiveSession) -> dict[str, object] | None:
    """For a member of the group whose session `row` has ended: the group and its session to
    join now (the previous session's link leads there with one tap); else None."""
    engine: SessionEngine = request.app.state.session_engine
    if not (await engine.state(row.id)).ended:
        return None
    async with request.app.state.db() as db:
        group = await queries.group_of_session(db, row.id)
        if group is None:
            return None
        current = await next_session(db, group)
    if current is None or current.id == row.id:
        return None
    if (await access.viewer_of(request, group)).member_id is None:
        return None
    return {"group": group, "session": current}


async def enrol_joined(
    request: Request, response: Response, row: LiveSession, participant: str, name: str
) -> None:
    """After someone joined `row`: if it is a group's session, record them as a member (the
    one this browser or account already is, else a new one) and remember it in a cookie."""
    async with request.app.state.db() as db:
        group = await queries.group_of_session(db, row.id)
        if group is None:
            return
    # The member this browser (its cookie) or account already is, if any.
    member_id = (await access.viewer_of(request, group)).member_id
    user = current_user(request)
    async with request.app.state.db() as db:
        member = await group_actions.enrol(
            db, group.id, row.id, participant, name, member_id, user.id if user else None
        )
        await db.commit()
    await _linked(request, row, participant, member)
    set_member_cookie(request, response, group, member.member_id)


async def was_removed(request: Request, row: LiveSession) -> bool:
    """Whether the person this browser (or account) is was removed from the session `row`: by
    its participant cookie for the session, or as the group member it is. Such a person is
    refused a new join (`removed`), as their token is: a removal is not undone by joining again
    as someone new."""
    state: State = await request.app.state.session_engine.state(row.id)
    token = request.cookies.get(participant_cookie(row.public_id))
    if token:
        participant = read_token(request.app.state.settings.secret_key, row.public_id, token)
        person = state.people.get(participant) if participant is not None else None
        if person is not None and person.removed:
            return True
    async with request.app.state.db() as db:
        group = await queries.group_of_session(db, row.id)
    if group is None:
        return False
    member_id = (await access.viewer_of(request, group)).member_id
    return member_id is not None and await _member_removed(request, row, state, member_id)


async def _member_removed(request: Request, row: LiveSession, state: State, member_id: str) -> bool:
    """Whether the member took part in `row` and every participant they were there is removed."""
    async with request.app.state.db() as db:
        by_participant = await queries.members_of_session(db, row.id)
    theirs = [state.people.get(p) for p, member in by_participant.items() if member == member_id]
    people = [person for person in theirs if person is not None]
    return bool(people) and all(person.removed for person in people)


async def join_next(request: Request, group: Group, row: LiveSession, member_id: str) -> Response:
    """The member joins `row` (the group's current session) under their last name; a member
    removed from it is refused (409)."""
    async with request.app.state.db() as db:
        member = await queries.member(db, group.id, member_id)
    if member is None:
        raise PageError(404)
    engine: SessionEngine = request.app.state.session_engine
    state = await engine.state(row.id)
    linked = await _participant_of_member(request, row, member_id)
    if linked is None and await _member_removed(request, row, state, member_id):
        raise PageError(409, "removed", REMOVED)
    if linked is None:
        if state.modality == "hybrid":  # where they are is asked each time
            return RedirectResponse(f"/join?code={row.join_code}", status_code=303)
        participant = actions.new_participant_id()
        location: ev.Location = "room" if state.modality == "on-site" else "remote"
        settings = request.app.state.settings
        try:
            await joins.join(
                request.app.state.db,
                engine,
                row,
                participant,
                member.name,
                location,
                client_address(request),
                settings.joins_per_client_per_session,
            )
        except (TooMany, Refused):
            return RedirectResponse(f"/join?code={row.join_code}", status_code=303)
        async with request.app.state.db() as db:
            await group_actions.enrol(db, group.id, row.id, participant, member.name, member_id)
            await db.commit()
        await _linked(request, row, participant, member)
    else:
        participant = linked
    response = RedirectResponse(f"/s/{row.public_id}", status_code=303)
    set_participant_cookie(request, response, row.public_id, participant)
    set_member_cookie(request, response, group, member_id)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _participant_of_member(request: Request, row: LiveSession, member_id: str) -> str | None:
    """The member's participant in this session, if they joined it already and are still in."""
    async with request.app.state.db() as db:
        by_participant = await queries.members_of_session(db, row.id)
    state = await request.app.state.session_engine.state(row.id)
    for participant, member in by_participant.items():
        person = state.people.get(participant)
        if member == member_id and person is not None and not person.removed:
            return participant
    return None


async def _linked(
    request: Request, row: LiveSession, participant: str, member: GroupMember
) -> None:
    """Tell the session which member the participant is: its terugblik lets owners change
    their own actions."""
    linked = review.member_linked(participant, member.member_id)
    engine: SessionEngine = request.app.state.session_engine
    await engine.submit(row.id, None, None, lambda state, now: [linked])


def set_member_cookie(request: Request, response: Response, group: Group, member_id: str) -> None:
    """Remember this browser as the member, for the group's next sessions."""
    token = make_member_token(request.app.state.settings.secret_key, group.public_id, member_id)
    set_private_cookie(
        request, response, member_cookie(group.public_id), token, COOKIE_DAYS * 24 * 3600
    )
