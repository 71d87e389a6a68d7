"""Group pages: a facilitator's groups, making one, a group's page (its sessions, members and
what is open) with its settings (name, usual practice, facilitators), and a member's one tap
into the group's next session (docs/groups.md)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from catalogue.schema import Problem, problem_list
from catalogue.variants.pages import load
from catalogue.variants.queries import Catalogue
from server.accounts import AccountError, normalize_email
from server.auth import current_user, require_role
from server.erasure import JOURNAL, ErasureAsk, Person
from server.errors import PageError
from server.i18n import N_
from server.models import User
from server.templating import render, translator_for
from sessions import actions
from sessions import queries as session_queries
from sessions.groups import access, queries, review
from sessions.groups import actions as group_actions
from sessions.groups.joining import current_of, join_next, next_session
from sessions.groups.membership import member_cookie
from sessions.groups.models import GroupMember

NAV = [{"href": "/groepen", "label": N_("Groups"), "roles": ("facilitator", "coordinator")}]
STARTERS = actions.STARTERS
MAX_NAME = group_actions.MAX_GROUP_NAME


def _read_settings(form: FormData, catalogue: Catalogue) -> tuple[dict[str, str], Problem | None]:
    """A group's name (spaces folded) and usual practice (a catalogue slug, or "" for none) as
    typed, and what is wrong with them: the one check for making a group and changing it."""
    typed = {
        "name": " ".join(str(form.get("name", "")).split()),
        "variant": str(form.get("variant", "")).strip(),
    }
    if not typed["name"] or len(typed["name"]) > MAX_NAME:
        message = N_("Give the group a name of at most %(max)s characters.")
        return typed, Problem("name", message, {"max": MAX_NAME})
    if typed["variant"] and typed["variant"] not in catalogue.by_slug:
        return typed, Problem("variant", N_("Choose a practice from the list, or none."))
    return typed, None


def _practices(catalogue: Catalogue) -> dict[str, str]:
    """slug -> title of every practice in the catalogue."""
    return {current.variant.slug: current.variant.title for current in catalogue.variants}


async def groups_page(request: Request) -> Response:
    user = require_role(request, *STARTERS)
    return await _groups_form(request, user)


async def _groups_form(
    request: Request,
    user: User,
    typed: Mapping[str, str] | None = None,
    problem: Problem | None = None,
    status_code: int = 200,
) -> Response:
    async with request.app.state.db() as db:
        groups = await queries.groups_of_facilitator(db, user.id)
    catalogue = await load(request)
    problems = problem_list([problem] if problem else [], translator_for(request))
    return render(
        request,
        "groups/list.html",
        {
            "groups": groups,
            "practices": _practices(catalogue),
            "name": (typed or {}).get("name", ""),
            "variant": (typed or {}).get("variant", ""),
            "variants": catalogue.variants,
            "problem": problems[0]["message"] if problems else "",
            "max_name": MAX_NAME,
        },
        status_code=status_code,
    )


async def group_create(request: Request) -> Response:
    user = require_role(request, *STARTERS)
    form = await request.form(max_files=0, max_fields=10)
    typed, problem = _read_settings(form, await load(request))
    if problem is not None:
        return await _groups_form(request, user, typed, problem, 422)
    async with request.app.state.db() as db:
        group = await group_actions.create_group(
            db, typed["name"], user.id, typed["variant"] or None
        )
        await db.commit()
    return RedirectResponse(f"/groepen/{group.public_id}", status_code=303)


async def group_page(request: Request) -> Response:
    viewer = await access.require_inside(request)
    return await _group_view(request, viewer)


async def _group_view(
    request: Request,
    viewer: access.Viewer,
    problem: Problem | None = None,
    typed: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The group's page; with a problem of one of its forms (its field: "name" or "variant" of
    the settings, "email" of adding a facilitator, "facilitators" of taking one off) shown at
    that form, and the settings as typed."""
    group = viewer.group
    async with request.app.state.db() as db:
        rows = await queries.sessions_of(db, group.id)
        sessions = await session_queries.listed(db, rows)
        members = await queries.members(db, group.id)
        facilitators = await queries.facilitators(db, group.id)
        current = current_of(sessions)
        open_actions = await review.open_actions(db, group.id)
    catalogue = await load(request)
    running = [account.id for account in facilitators if access.runs_groups(account)]
    shown = problem_list([problem] if problem else [], translator_for(request))
    return render(
        request,
        "groups/group.html",
        {
            "group": group,
            "viewer": viewer,
            "you": current_user(request),
            "sessions": sessions,
            "members": members,
            "facilitators": facilitators,
            "running": running,
            # Whom a facilitator may take off: anyone, while another who runs the group stays.
            "removable": {account.id for account in facilitators if set(running) - {account.id}},
            "current": current,
            "open_actions": open_actions,
            "practices": _practices(catalogue),
            "variants": catalogue.variants,
            "settings": typed or {"name": group.name, "variant": group.variant_slug or ""},
            "saved": status_code == 200 and request.query_params.get("opgeslagen") == "1",
            "problem": shown[0] if shown else None,
            "max_name": MAX_NAME,
        },
        status_code=status_code,
    )


async def settings_submit(request: Request) -> Response:
    """The group's facilitators rename it and change (or clear) its usual practice."""
    viewer = await access.require_facilitator(request)
    form = await request.form(max_files=0, max_fields=10)
    typed, problem = _read_settings(form, await load(request))
    if problem is not None:
        return await _group_view(request, viewer, problem, typed, 422)
    async with request.app.state.db() as db:
        await group_actions.change_settings(
            db, viewer.group.id, typed["name"], typed["variant"] or None
        )
        await db.commit()
    return RedirectResponse(f"/groepen/{viewer.group.public_id}?opgeslagen=1", status_code=303)


def _account_id(request: Request) -> int:
    """The logged-in account acting on a group (access.require_facilitator let it through)."""
    user = current_user(request)
    assert user is not None
    return user.id


async def facilitator_add(request: Request) -> Response:
    """Another account (a facilitator or coordinator) runs the group too."""
    viewer = await access.require_facilitator(request)
    form = await request.form(max_files=0, max_fields=10)
    try:
        email = normalize_email(str(form.get("email", "")))
    except AccountError:
        problem = Problem("email", N_("Give a valid e-mail address."))
        return await _group_view(request, viewer, problem, status_code=422)
    async with request.app.state.db() as db:
        user = await queries.account_by_email(db, email)
        if user is None or not user.has_role(*STARTERS):
            message = N_("There is no account of a facilitator with this e-mail address.")
            return await _group_view(request, viewer, Problem("email", message), status_code=422)
        await group_actions.add_facilitator(
            db, viewer.group.id, user.id, actor_id=_account_id(request)
        )
        await db.commit()
    return RedirectResponse(f"/groepen/{viewer.group.public_id}", status_code=303)


async def facilitator_remove(request: Request) -> Response:
    """A facilitator of the group takes one of its facilitators (themselves too) off it, never
    the last who runs it. Their membership and sessions stay."""
    viewer = await access.require_facilitator(request)
    group = viewer.group
    account_id = request.path_params["account_id"]
    async with request.app.state.db() as db:
        # Compared in Python: an id beyond the column's range is no facilitator either.
        facilitators = {account.id: account for account in await queries.facilitators(db, group.id)}
    account = facilitators.get(account_id)
    if account is None:
        raise PageError(404, "not_a_facilitator", N_("This account does not run the group."))
    try:
        async with request.app.state.db() as db:
            await group_actions.remove_facilitator(
                db, group.id, account.id, actor_id=_account_id(request)
            )
    except group_actions.LastFacilitator:
        message = N_(
            "%(name)s is the last facilitator of this group. Add another facilitator first."
        )
        problem = Problem("facilitators", message, {"name": account.name})
        return await _group_view(request, viewer, problem, status_code=409)
    if not (await access.viewer_of(request, group)).facilitator:
        return RedirectResponse("/groepen", status_code=303)  # they took themselves off
    return RedirectResponse(f"/groepen/{group.public_id}", status_code=303)


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
    Route("/groepen/{group_id}/instellingen", settings_submit, methods=["POST"]),
    Route("/groepen/{group_id}/begeleiders", facilitator_add, methods=["POST"]),
    Route(
        "/groepen/{group_id}/begeleiders/{account_id:int}/verwijderen",
        facilitator_remove,
        methods=["POST"],
    ),
    Route("/groepen/{group_id}/meedoen", join_submit, methods=["POST"], name="group_join"),
    Route("/groepen/{group_id}/leden/{member_id}/wissen", erase_page, methods=["GET"]),
    Route("/groepen/{group_id}/leden/{member_id}/wissen", erase_submit, methods=["POST"]),
]
