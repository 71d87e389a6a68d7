"""Group pages: a facilitator's groups, making one, a group's page (its sessions, members and
what is open), and a member's one tap into the group's next session (docs/groups.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from catalogue.variants.pages import load
from server.accounts import AccountError, normalize_email
from server.auth import current_user, require_role
from server.erasure import JOURNAL, ErasureAsk, Person
from server.errors import PageError
from server.i18n import N_
from server.models import Role, User
from server.templating import render, translator_for
from sessions import queries as session_queries
from sessions.groups import access, queries, review
from sessions.groups import actions as group_actions
from sessions.groups.joining import current_of, join_next, next_session
from sessions.groups.membership import member_cookie
from sessions.groups.models import GroupMember

NAV = [{"href": "/groepen", "label": N_("Groups"), "roles": ("facilitator", "coordinator")}]
STARTERS = (Role.FACILITATOR, Role.COORDINATOR)
MAX_NAME = group_actions.MAX_GROUP_NAME


async def groups_page(request: Request) -> Response:
    user = require_role(request, *STARTERS)
    return await _groups_form(request, user)


async def _groups_form(
    request: Request,
    user: User,
    name: str = "",
    variant: str = "",
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    async with request.app.state.db() as db:
        groups = await queries.groups_of_facilitator(db, user.id)
    catalogue = await load(request)
    return render(
        request,
        "groups/list.html",
        {
            "groups": groups,
            "name": name,
            "variant": variant,
            "variants": catalogue.variants,
            "problem": translator_for(request)(problem) % {"max": MAX_NAME} if problem else "",
            "max_name": MAX_NAME,
        },
        status_code=status_code,
    )


async def group_create(request: Request) -> Response:
    user = require_role(request, *STARTERS)
    form = await request.form(max_files=0, max_fields=10)
    name = " ".join(str(form.get("name", "")).split())
    variant = str(form.get("variant", "")).strip()
    catalogue = await load(request)
    if not name or len(name) > MAX_NAME:
        problem = N_("Give the group a name of at most %(max)s characters.")
        return await _groups_form(request, user, name, variant, problem, 422)
    if variant and variant not in catalogue.by_slug:
        problem = N_("Choose a practice from the list, or none.")
        return await _groups_form(request, user, name, variant, problem, 422)
    async with request.app.state.db() as db:
        group = await group_actions.create_group(db, name, user.id, variant or None)
        await db.commit()
    return RedirectResponse(f"/groepen/{group.public_id}", status_code=303)


async def group_page(request: Request) -> Response:
    viewer = await access.require_inside(request)
    return await _group_view(request, viewer)


async def _group_view(
    request: Request,
    viewer: access.Viewer,
    facilitator_problem: str | None = None,
    status_code: int = 200,
) -> Response:
    group = viewer.group
    async with request.app.state.db() as db:
        rows = await queries.sessions_of(db, group.id)
        sessions = await session_queries.listed(db, rows)
        members = await queries.members(db, group.id)
        facilitators = await queries.facilitators(db, group.id)
        current = current_of(sessions)
        open_actions = await review.open_actions(db, group.id)
    return render(
        request,
        "groups/group.html",
        {
            "group": group,
            "viewer": viewer,
            "sessions": sessions,
            "members": members,
            "facilitators": facilitators,
            "current": current,
            "open_actions": open_actions,
            "facilitator_problem": (
                translator_for(request)(facilitator_problem) if facilitator_problem else ""
            ),
        },
        status_code=status_code,
    )


async def facilitator_add(request: Request) -> Response:
    """Another account (a facilitator or coordinator) runs the group too."""
    viewer = await access.require_facilitator(request)
    form = await request.form(max_files=0, max_fields=10)
    try:
        email = normalize_email(str(form.get("email", "")))
    except AccountError:
        return await _group_view(request, viewer, N_("Give a valid e-mail address."), 422)
    async with request.app.state.db() as db:
        user = await queries.account_by_email(db, email)
        if user is None or not user.has_role(*STARTERS):
            return await _group_view(
                request,
                viewer,
                N_("There is no account of a facilitator with this e-mail address."),
                422,
            )
        await group_actions.add_facilitator(db, viewer.group.id, user.id)
        await db.commit()
    return RedirectResponse(f"/groepen/{viewer.group.public_id}", status_code=303)


async def join_submit(request: Request) -> Response:
    """One tap: the member this browser (or account) is joins the group's current session
    under the name they last used; a facilitator of the group who is no member goes to the join
    page. Anyone else is refused as on the group's page: the tap hands out no session's code."""
    viewer = await access.require_inside(request)
    group = viewer.group
    async with request.app.state.db() as db:
        current = await next_session(db, group)
    if current is None:
        raise PageError(
            404, "no_session", N_("This group has no session to join now. Ask its facilitator.")
        )
    if viewer.member_id is None:
        return RedirectResponse(f"/join?code={current.join_code}", status_code=303)
    return await join_next(request, group, current, viewer.member_id)


async def _member_to_erase(request: Request) -> tuple[access.Viewer, GroupMember, int]:
    """The member in the path (and in how many sessions they took part), for one of the
    group's facilitators or the member themselves."""
    viewer = await access.require_inside(request)
    member_id = request.path_params["member_id"]
    if not viewer.facilitator and viewer.member_id != member_id:
        raise PageError(403, "forbidden", N_("Only the group's facilitators can do this."))
    async with request.app.state.db() as db:
        member = await queries.member(db, viewer.group.id, member_id)
        if member is None:
            raise PageError(404)
        sessions = len(await queries.participants_of_member(db, member_id))
    return viewer, member, sessions


async def erase_page(request: Request) -> Response:
    viewer, member, sessions = await _member_to_erase(request)
    return render(
        request,
        "groups/erase.html",
        {
            "group": viewer.group,
            "member": member,
            "own": viewer.member_id == member.member_id,
            "sessions": sessions,
        },
    )


async def erase_submit(request: Request) -> Response:
    """Erase the member from the group's history: their name in every session of the group,
    their path and their membership (server/erasure.py, by member)."""
    viewer, member, _ = await _member_to_erase(request)
    form = await request.form(max_files=0, max_fields=5)
    user = current_user(request)
    ask = ErasureAsk(
        Person.by_member(f"{viewer.group.public_id}:{member.member_id}"),
        delete_contributions=form.get("contributions") == "on",
        actor=f"account:{user.id}" if user is not None else "member",
        actor_id=user.id if user is not None else None,
        journal=request.app.state.settings.data_dir / JOURNAL,
    )
    await request.app.state.eraser(request.app.state.db, ask, request.app, None)
    if viewer.member_id == member.member_id and not viewer.facilitator:
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(member_cookie(viewer.group.public_id), path="/")
        return response
    return RedirectResponse(f"/groepen/{viewer.group.public_id}", status_code=303)


routes: list[BaseRoute] = [
    Route("/groepen", groups_page, methods=["GET"], name="groups"),
    Route("/groepen", group_create, methods=["POST"]),
    Route("/groepen/{group_id}", group_page, methods=["GET"], name="group"),
    Route("/groepen/{group_id}/begeleiders", facilitator_add, methods=["POST"]),
    Route("/groepen/{group_id}/meedoen", join_submit, methods=["POST"], name="group_join"),
    Route("/groepen/{group_id}/leden/{member_id}/wissen", erase_page, methods=["GET"]),
    Route("/groepen/{group_id}/leden/{member_id}/wissen", erase_submit, methods=["POST"]),
]
