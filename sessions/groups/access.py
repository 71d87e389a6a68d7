"""Who looks at a group: one of its facilitators (an account), one of its members (their member
cookie or their account), or nobody of the group. Every group page and action asks here."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from server.auth import current_user
from server.errors import PageError
from server.i18n import N_
from server.models import Role, User
from sessions import actions
from sessions.groups import queries
from sessions.groups.membership import member_cookie, read_member_token
from sessions.groups.models import Group


@dataclass(frozen=True)
class Viewer:
    group: Group
    # A facilitator of the group while the account has the facilitator role, or a coordinator.
    facilitator: bool
    member_id: str | None  # the member this browser or account is, if any

    @property
    def inside(self) -> bool:
        """Of the group: what is shown only inside it may be shown."""
        return self.facilitator or self.member_id is not None


def runs_groups(user: User) -> bool:
    """Whether an account on a group's list of facilitators runs it: while it is active and has
    the facilitator (or coordinator) role. A group always keeps one such facilitator."""
    return actions.runs_sessions(user)


async def viewer_of(request: Request, group: Group) -> Viewer:
    user = current_user(request)
    facilitator = False
    member_id = None
    async with request.app.state.db() as db:
        if user is not None:
            facilitator = user.has_role(Role.COORDINATOR) or (
                runs_groups(user) and user.id in await queries.facilitator_ids(db, group.id)
            )
        token = request.cookies.get(member_cookie(group.public_id))
        if token:
            candidate = read_member_token(
                request.app.state.settings.secret_key, group.public_id, token
            )
            if candidate is not None and await queries.member(db, group.id, candidate) is not None:
                member_id = candidate
        if member_id is None and user is not None:
            own = await queries.member_of_account(db, group.id, user.id)
            member_id = own.member_id if own is not None else None
    return Viewer(group, facilitator, member_id)


async def group_in_path(request: Request) -> Group:
    """The group named by the path's `group_id` (its public id), or a 404 page."""
    async with request.app.state.db() as db:
        group = await queries.group_by_public_id(db, request.path_params["group_id"])
    if group is None:
        raise PageError(404)
    return group


async def require_inside(request: Request) -> Viewer:
    """The viewer of the group in the path if they are of the group; else 401/403."""
    viewer = await viewer_of(request, await group_in_path(request))
    if not viewer.inside:
        if current_user(request) is None:
            raise PageError(401, "not_authenticated", N_("Log in to see this page."))
        raise PageError(403, "forbidden", N_("Only the group's members and facilitators see this."))
    return viewer


async def require_facilitator(request: Request) -> Viewer:
    """The viewer of the group in the path if they run it; else 401/403."""
    viewer = await viewer_of(request, await group_in_path(request))
    if not viewer.facilitator:
        if current_user(request) is None:
            raise PageError(401, "not_authenticated", N_("Log in to see this page."))
        raise PageError(403, "forbidden", N_("Only the group's facilitators can do this."))
    return viewer
