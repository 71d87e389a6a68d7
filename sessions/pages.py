"""Pages around a live session: start one, show its code and QR code, join, open the workspace.

The workspace itself is a script (sessions/client/); these pages work without one.
"""

from __future__ import annotations

import math
from typing import Any

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from catalogue.regions.queries import load_regions
from catalogue.schema import Problem, problem_list
from catalogue.variants.pages import VOCABULARY, load
from catalogue.variants.queries import Catalogue
from catalogue.vocabulary import MODALITIES
from server import i18n
from server.auth import current_user, require_role, require_user
from server.errors import PageError
from server.i18n import N_
from server.limits import TooMany, claim_join_attempt, client_address, forget_join_attempt
from server.models import Role, User
from server.templating import language_of, render, translator_for
from sessions import actions, forms, invitations, joins, planning, queries, setup
from sessions import events as ev
from sessions.api import JOIN_STATUS
from sessions.decide import Refused
from sessions.engine import SessionEngine
from sessions.groups import start as group_start
from sessions.groups.joining import enrol_joined, next_for_member, was_removed
from sessions.models import LiveSession
from sessions.state import State
from sessions.tokens import make_token, participant_cookie, read_token, set_participant_cookie
from sessions.workspace_client import client_strings

NAV = [{"href": "/sessies", "label": N_("Sessions"), "roles": ("facilitator", "coordinator")}]
MAX_NAME = 60
STARTERS = actions.STARTERS

# What a refused join means for a person at the join page (the API's codes, in B1 Dutch).
JOIN_MESSAGES = {
    "unknown_code": N_("There is no session with this code. Check the code and try again."),
    "session_ended": N_("This session has ended. You can no longer join."),
    "location_required": N_("Choose whether you are in the room or joining remotely."),
    "removed": N_("You were removed from this session."),
    "joins_locked": N_(
        "The facilitator has closed this session to newcomers. Ask the facilitator to open it "
        "again if you should take part."
    ),
    "unknown_session": N_("This session cannot be opened. Ask the facilitator for a new code."),
    "too_many_attempts": N_(
        "Too many wrong codes from this address. Try again in %(minutes)s min."
    ),
    joins.FULL: N_(
        "This session is full: at most %(maximum)s people can take part. Only the "
        "session's facilitator can make room for more: ask the facilitator."
    ),
    joins.TOO_MANY_JOINS: N_(
        "%(per_client)s participants have joined this session from this address already. Try "
        "again in %(minutes)s min., or ask the facilitator."
    ),
}


# A session in the facilitator's list: before its first phase, during, after (queries.Listed).
STATUS = {"planned": N_("planned"), "running": N_("running"), "ended": N_("ended")}


def _engine(request: Request) -> SessionEngine:
    engine: SessionEngine = request.app.state.session_engine
    return engine


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# Start a session ----------------------------------------------------------------------------


async def start_page(request: Request) -> Response:
    require_role(request, *STARTERS)
    catalogue = await load(request)
    slug = request.query_params.get("variant")
    current = catalogue.by_slug.get(slug) if slug else None
    if slug and current is None:
        raise PageError(404)
    variant = current.variant if current is not None else None
    goals = [g for g in request.query_params.getlist("goal") if g in catalogue.goal_slugs]
    suggested = False  # the practice's strongest goals ticked, as none were asked for
    if variant is not None and not goals:
        goals, suggested = forms.strongest_goals(variant), True
    title = ""
    if variant is not None:
        title = variant.title_en if language_of(request) == "en" else variant.title
    start = forms.initial(variant, goals, title)
    if request.query_params.get("modality") in MODALITIES:
        start.modality = request.query_params["modality"]
    if "groep" in request.query_params:
        start = await group_start.prefill(request, catalogue, request.query_params["groep"])
        suggested = False
    return await _start_form(request, catalogue, start, goals_suggested=suggested)


async def start_submit(request: Request) -> Response:
    user = require_role(request, *STARTERS)
    catalogue = await load(request)
    form = await request.form(max_files=0, max_fields=forms.MAX_PHASES * 6 + 50)
    start = forms.from_submitted(form)
    op = form.get("op", "create")
    if isinstance(op, str) and op != "create":
        focus = forms.apply_op(start, op)
        control = op.partition("-")[0] if op.startswith(("up-", "down-")) else "name"
        return await _start_form(request, catalogue, start, focus=(focus, control))
    group = await group_start.group_to_start(request, start.group) if start.group else None
    asked, problems = forms.check(start)
    if asked is not None:
        try:
            row = await setup.create(
                request.app.state.db, _engine(request), asked, user.id, user.name
            )
        except setup.SetupRefused as refused:
            problems = [Problem(refused.field, refused.message, refused.params)]
        else:
            if group is not None:
                await group_start.started(request, group, row)
            return RedirectResponse(f"/sessies/{row.public_id}", status_code=303)
    return await _start_form(request, catalogue, start, problems=problems, status_code=422)


async def _start_form(
    request: Request,
    catalogue: Catalogue,
    start: forms.StartForm,
    problems: list[Problem] | None = None,
    focus: tuple[int | None, str] | None = None,
    status_code: int = 200,
    goals_suggested: bool = False,
) -> Response:
    """The start form; `goals_suggested`: its goals are the practice's strongest, not asked."""
    async with request.app.state.db() as db:
        regions = await load_regions(db)
    shown = problem_list(problems or [], translator_for(request))
    group = await group_start.group_to_start(request, start.group) if start.group else None
    current = catalogue.by_slug.get(start.variant) if start.variant else None
    return render(
        request,
        "sessions/start.html",
        {
            **VOCABULARY,
            "start": start,
            "group": group,
            "variant": current.variant if current is not None else None,
            "goals": catalogue.goals,
            "goals_suggested": goals_suggested,
            "goal_names": catalogue.goal_names(language_of(request)),
            "regions": regions,
            "problems": shown,
            "problem_fields": {p["field"] for p in shown},
            "focus": focus or (None, ""),
            "max_phases": forms.MAX_PHASES,
            "max_minutes": forms.MAX_MINUTES,
            "max_phase_name": forms.MAX_PHASE_NAME,
            "max_purpose": forms.MAX_PURPOSE,
            "max_instructions": forms.MAX_INSTRUCTIONS,
            "agenda_total": sum(
                int(p.minutes) for p in start.phases if p.minutes.isascii() and p.minutes.isdigit()
            ),
        },
        status_code=status_code,
    )


# The facilitator's view of a session --------------------------------------------------------


async def sessions_page(request: Request) -> Response:
    user = require_role(request, *STARTERS)
    rows = await queries.sessions_created_by(request.app.state.db, user.id)
    return render(request, "sessions/list.html", {"sessions": rows, "status_labels": STATUS})


async def _own_session(request: Request) -> LiveSession:
    """The session in the path, if this account created it (and still has a role that starts
    sessions) or coordinates; else 401/403/404."""
    user = require_role(request, *STARTERS)
    row = await queries.find_by_public_id(request.app.state.db, request.path_params["public_id"])
    if row is None:
        raise PageError(404)
    if not _composes(user, row):
        raise PageError(
            403, "forbidden", N_("Only the facilitator who started this session can see this.")
        )
    return row


def _composes(user: User | None, row: LiveSession) -> bool:
    """Whether this account sees the session's page and composes its outcome: it started the
    session, or it coordinates."""
    return user is not None and (row.created_by == user.id or user.has_role(Role.COORDINATOR))


def qr_svg(text: str, title: str) -> Markup:
    """A QR code as inline SVG: presentation attributes only, no style (the CSP forbids it)."""
    svg = segno.make(text, error="m").svg_inline(
        title=title, omitsize=True, svgclass="qr-code", lineclass=None, dark="#000", light="#fff"
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704 (segno escapes)


async def _code_context(request: Request, row: LiveSession) -> dict[str, Any]:
    url = setup.join_url(request, row.join_code)
    state = await _engine(request).state(row.id)
    _ = translator_for(request)
    user = current_user(request)
    own = state.people.get(actions.facilitator_id(user.id)) if user is not None else None
    return {
        # Whether the viewer is in the session (its starter always is; a coordinator may not
        # be yet, and is offered to take part as facilitator).
        "viewer_in": own is not None and not own.removed,
        "viewer_removed": own is not None and own.removed,
        "session": row,
        "state": state,
        "started_at": await queries.first_phase_started(request.app.state.db, row.id),
        "modality_label": MODALITIES.get(state.modality, state.modality),
        # Counted as the maximum counts them: the facilitators are not among them.
        "people": joins.taking_part(state),
        "maximum": joins.maximum_of(row, state),
        "maximum_is_default": row.max_participants is None,
        "max_participants_ceiling": joins.MAX_PARTICIPANTS,
        "join_url": url,
        "join_host": str(request.url_for("join_page")),
        "code_groups": [row.join_code[:3], row.join_code[3:]],
        "spelled_code": " ".join(row.join_code),
        "qr": qr_svg(url, _("QR code: scan it to join the session")),
        "plan": planning.fields_of(_plan_of(row)),
        "plan_problems": [],
        "group": await group_start.group_of(request, row),
    }


def _plan_of(row: LiveSession) -> planning.Plan | None:
    if row.planned_start is None or row.planned_end is None:
        return None
    return planning.Plan(row.planned_start, row.planned_end)


async def session_page(request: Request) -> Response:
    row = await _own_session(request)
    return render(request, "sessions/session.html", await _code_context(request, row))


async def facilitate_submit(request: Request) -> Response:
    """A coordinator takes part in a session they are not in as facilitator (its facilitator
    fell ill, or lost their role): no session is locked out of being run. Who is in already
    goes straight in; someone the session removed stays out."""
    row = await _own_session(request)
    user = current_user(request)
    assert user is not None
    own = actions.facilitator_id(user.id)

    def decided(state: State, now: float) -> list[ev.EventBody]:
        person = state.people.get(own)
        if state.ended:
            raise Refused("session_ended", "this session has ended")
        if person is not None and person.removed:
            raise Refused("removed", "you were removed from this session")
        if person is not None:
            return []
        return [actions.facilitator_joined(user.id, user.name, state.modality)]

    try:
        await _engine(request).submit(row.id, own, None, decided)
    except Refused as refused:
        message = JOIN_MESSAGES.get(refused.code, N_("Joining did not work. Try again."))
        raise PageError(409, refused.code, message) from None
    return RedirectResponse(f"/s/{row.public_id}", status_code=303)


async def maximum_submit(request: Request) -> Response:
    """The facilitator sets the session's maximum of participants (sessions/joins.py)."""
    row = await _own_session(request)
    form = await request.form(max_files=0, max_fields=10)
    raw = str(form.get("max_participants", "")).strip()
    state = await _engine(request).state(row.id)
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 0
    problem = joins.maximum_problem(value, state.capacity)
    if problem is None:
        await joins.set_maximum(request.app.state.db, row.id, value)
        return RedirectResponse(f"/sessies/{row.public_id}", status_code=303)
    _ = translator_for(request)
    if problem == "below_capacity":
        message = _("The maximum cannot be below the room's %(capacity)s places.") % {
            "capacity": state.capacity
        }
    else:
        message = _("Type a whole number from 1 to %(max)s.") % {"max": joins.MAX_PARTICIPANTS}
    context = await _code_context(request, row)
    context.update(maximum_error=message, maximum_typed=raw[:12])
    return render(request, "sessions/session.html", context, status_code=422)


async def plan_submit(request: Request) -> Response:
    """The facilitator plans, changes or removes the session's start and end; invited
    accounts are mailed the change (sessions/invitations.py)."""
    row = await _own_session(request)
    form = await request.form(max_files=0, max_fields=10)
    state = await _engine(request).state(row.id)
    if state.ended:
        raise PageError(409, "ended", N_("This session has ended: its plan can no longer change."))
    typed = forms.plan_submitted(form)
    problems: list[Problem] = []

    def problem(where: str, message: str, **params: object) -> None:
        problems.append(Problem(where, message, params))

    if form.get("op") == "clear":
        plan = None
    else:
        plan = planning.check(typed, problem)
        if plan is None and not problems:
            problem("planned_date", N_("Fill in the date, the start time and the end time."))
    if not problems:
        await invitations.change_plan(
            request.app.state.db,
            row.id,
            plan,
            _mailed_join_url(request, row),
            request.app.state.settings.mail_from,
            language_of(request),
        )
        _wake_mail(request)
        return RedirectResponse(f"/sessies/{row.public_id}#plan", status_code=303)
    context = await _code_context(request, row)
    context.update(plan=typed, plan_problems=problem_list(problems, translator_for(request)))
    return render(request, "sessions/session.html", context, status_code=422)


async def invite_page(request: Request) -> Response:
    row = await _own_session(request)
    return await _invite_form(request, row)


async def invite_submit(request: Request) -> Response:
    """The facilitator invites accounts; each gets the join link and a calendar invitation."""
    row = await _own_session(request)
    user = require_user(request)
    form = await request.form(max_files=0, max_fields=invitations.MAX_AT_ONCE + 10)
    raw = [value for value in form.getlist("account") if isinstance(value, str)]
    chosen = [
        int(value) for value in raw if value.isascii() and value.isdigit() and len(value) < 10
    ]
    try:
        if (await _engine(request).state(row.id)).ended:
            raise invitations.InvitationRefused(N_("This session has ended: invite no one to it."))
        if len(chosen) != len(raw):
            raise invitations.InvitationRefused(N_("Choose people from the list."))
        count = await invitations.invite(
            request.app.state.db,
            row.id,
            chosen,
            _mailed_join_url(request, row),
            request.app.state.settings.mail_from,
            language_of(request),
            user.id,
        )
    except invitations.InvitationRefused as refused:
        _ = translator_for(request)
        error = _(refused.message) % refused.params if refused.params else _(refused.message)
        return await _invite_form(request, row, error=error, status_code=422)
    _wake_mail(request)
    return await _invite_form(request, row, sent=count)


async def _invite_form(
    request: Request,
    row: LiveSession,
    error: str = "",
    sent: int = 0,
    status_code: int = 200,
) -> Response:
    user = require_user(request)
    db = request.app.state.db
    return render(
        request,
        "sessions/invite.html",
        {
            "session": row,
            "accounts": await invitations.invitable(db, but=user.id),
            "invited": await invitations.invited(db, row.id),
            "error": error,
            "sent": sent,
            "ended": (await _engine(request).state(row.id)).ended,
        },
        status_code=status_code,
    )


def _mailed_join_url(request: Request, row: LiveSession) -> str:
    """The join link as mail carries it: from WERKPLAATS_PUBLIC_URL (a forged Host header
    cannot point it elsewhere), else from the address the request came to."""
    configured: str = request.app.state.settings.public_url
    if not configured:
        return setup.join_url(request, row.join_code)
    return f"{configured.rstrip('/')}/join?code={row.join_code}"


def _wake_mail(request: Request) -> None:
    sender = getattr(request.app.state, "mail", None)
    if sender is not None:
        sender.wake()  # after the commit: the mail goes out now, and this answer does not wait


async def screen_page(request: Request) -> Response:
    row = await _own_session(request)
    return render(request, "sessions/screen.html", await _code_context(request, row))


# Join ---------------------------------------------------------------------------------------


async def _session_by_code(request: Request, code: str, name: str = "") -> LiveSession | Response:
    """The session with this code, or the page that refuses it: an unknown code (counted), or
    any code from a client that sent too many wrong ones (server/limits.py). `name` is what
    the person typed beside the code, kept on the page that refuses it."""
    db = request.app.state.db
    client = client_address(request)
    limit = request.app.state.settings.join_failures_per_client
    try:  # counted before the code is looked up: a burst of guesses cannot slip past the limit
        attempt = await claim_join_attempt(db, client, queries.normalize_code(code), limit)
    except TooMany as too_many:
        return _too_many(request, code, "too_many_attempts", too_many.retry_after, name)
    row = await queries.find_by_code(db, code)
    if row is None:  # the attempt stays: a wrong code
        return _join_form(request, code=code, name=name, error="unknown_code", status_code=404)
    await forget_join_attempt(db, attempt)
    return row


def _too_many(
    request: Request, code: str, error: str, retry_after: int, name: str = ""
) -> Response:
    params = {
        "minutes": math.ceil(retry_after / 60),
        "per_client": request.app.state.settings.joins_per_client_per_session,
    }
    response = _join_form(
        request, code=code, name=name, error=error, params=params, status_code=429
    )
    response.headers["Retry-After"] = str(retry_after)
    return response


async def join_page(request: Request) -> Response:
    code = request.query_params.get("code", "")
    if not code.strip():
        return _join_form(request, code="")
    row = await _session_by_code(request, code)
    if isinstance(row, Response):
        return row
    return await _join_details(request, row)


async def join_submit(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=20)
    code, name, location = (str(form.get(key, "")) for key in ("code", "name", "location"))
    name = " ".join(name.split())
    row = await _session_by_code(request, code, name)
    if isinstance(row, Response):
        return row
    if "name" not in form:  # only the code was sent
        return await _join_details(request, row)
    if not name or len(name) > MAX_NAME:
        return await _join_details(request, row, name=name, name_problem=True, status_code=422)
    chosen: ev.Location | None = location if location in ("room", "remote") else None  # type: ignore[assignment]
    if chosen is None and form.get("step") != "details":
        # Code and name came together (the home page, /join): a hybrid session still asks
        # where the person is, as the next question rather than as an error.
        state = await _engine(request).state(row.id)
        if state.modality == "hybrid" and not state.ended:
            return await _join_details(request, row, name=name)
    if await was_removed(request, row):  # not back as someone new from the same browser
        return await _join_details(
            request, row, name=name, error="removed", status_code=JOIN_STATUS["removed"]
        )
    participant = actions.new_participant_id()
    settings = request.app.state.settings
    try:
        await joins.join(
            request.app.state.db,
            _engine(request),
            row,
            participant,
            name,
            chosen,
            client_address(request),
            settings.joins_per_client_per_session,
        )
    except TooMany as too_many:
        return _too_many(request, row.join_code, joins.TOO_MANY_JOINS, too_many.retry_after)
    except Refused as refused:
        return await _join_details(
            request,
            row,
            name=name,
            location=location,
            error=refused.code,
            status_code=JOIN_STATUS.get(refused.code, 422),
        )
    response = RedirectResponse(f"/s/{row.public_id}", status_code=303)
    set_participant_cookie(request, response, row.public_id, participant)
    await enrol_joined(request, response, row, participant, name)
    return _no_store(response)


def _join_form(
    request: Request,
    code: str,
    name: str = "",
    error: str | None = None,
    params: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "sessions/join.html",
        {
            "step": "code",
            "code": code,
            "name": name,
            "error": _join_message(request, error, params or {}),
        },
        status_code=status_code,
    )


async def _join_details(
    request: Request,
    row: LiveSession,
    name: str = "",
    location: str = "",
    error: str | None = None,
    name_problem: bool = False,
    status_code: int = 200,
) -> Response:
    state = await _engine(request).state(row.id)
    already = await _participant_of(request, row)
    context = {
        "step": "details",
        "session": row,
        "state": state,
        "code": row.join_code,
        "name": name,
        "location": location,
        "error_code": error,
        "error": _join_message(
            request, error, {"capacity": state.capacity, "maximum": joins.maximum_of(row, state)}
        ),
        "name_problem": name_problem,
        "ended": state.ended,
        # Closed to newcomers: said at once, before anyone types a name (who is in comes back).
        "closed": state.joins_locked and already is None,
        "group_next": await next_for_member(request, row),
        "already": state.people[already] if already is not None else None,
    }
    return render(request, "sessions/join.html", context, status_code=status_code)


def _join_message(request: Request, code: str | None, params: dict[str, object]) -> str:
    if code is None:
        return ""
    if code == "room_full":  # one place or many: a plural form, never "all 1 places"
        places = int(str(params.get("capacity") or 0))
        return i18n.translations(language_of(request)).ngettext(
            "The room is full: its %(num)s place is taken. You can still join remotely.",
            "The room is full: all %(num)s places are taken. You can still join remotely.",
            places,
        ) % {"num": places}
    message = JOIN_MESSAGES.get(code, N_("Joining did not work. Try again."))
    text = translator_for(request)(message)
    return text % params if "%(" in message else text


# The workspace ------------------------------------------------------------------------------


async def _participant_of(request: Request, row: LiveSession) -> str | None:
    """The participant this browser is in the session (by its cookie), if still in it."""
    token = request.cookies.get(participant_cookie(row.public_id))
    if not token:
        return None
    participant = read_token(request.app.state.settings.secret_key, row.public_id, token)
    if participant is None:
        return None
    person = (await _engine(request).state(row.id)).people.get(participant)
    return participant if person is not None and not person.removed else None


async def workspace_page(request: Request) -> Response:
    row = await queries.find_by_public_id(request.app.state.db, request.path_params["public_id"])
    if row is None:
        raise PageError(404)
    secret = request.app.state.settings.secret_key
    state = await _engine(request).state(row.id)
    participant = await _participant_of(request, row)
    token = request.cookies.get(participant_cookie(row.public_id)) if participant else None
    user = current_user(request)
    if participant is None and actions.runs_sessions(user):
        assert user is not None
        own = actions.facilitator_id(user.id)
        person = state.people.get(own)
        if person is not None and not person.removed:
            participant, token = own, make_token(secret, row.public_id, own)
        elif person is None and _composes(user, row) and not state.ended:
            # A coordinator not (yet) in it: the session's page offers to take part as
            # facilitator, rather than the join form that would make them a participant.
            return RedirectResponse(f"/sessies/{row.public_id}", status_code=303)
    if participant is None or token is None:
        return RedirectResponse(f"/join?code={row.join_code}", status_code=303)
    response = render(
        request,
        "sessions/workspace.html",
        {
            "public_id": row.public_id,
            "title": state.title or row.title,
            "token": token,
            "participant": participant,
            "join_code": row.join_code,
            "join_url": setup.join_url(request, row.join_code),
            "client_strings": _client_strings(request),
            "websocket_path": f"/ws/sessions/{row.public_id}",
            "group_next": await next_for_member(request, row),
            # The cockpit's way to the next step once the session has ended.
            "outcome_url": f"/sessies/{row.public_id}/uitkomst" if _composes(user, row) else "",
        },
    )
    return _no_store(response)


def _client_strings(request: Request) -> dict[str, str]:
    language = i18n.current_language.set(language_of(request))
    try:
        return client_strings()
    finally:
        i18n.current_language.reset(language)


routes: list[BaseRoute] = [
    Route("/sessies", sessions_page, name="sessions"),
    # Reading and writing are separate routes: a GET route also answers HEAD (with the GET
    # handler), so no handler may take "not GET" for a post (tests/server/test_head.py).
    Route("/sessies/nieuw", start_page, methods=["GET"], name="session_start"),
    Route("/sessies/nieuw", start_submit, methods=["POST"]),
    Route("/sessies/{public_id}", session_page, methods=["GET"], name="session"),
    Route("/sessies/{public_id}/maximum", maximum_submit, methods=["POST"]),
    Route("/sessies/{public_id}/begeleiden", facilitate_submit, methods=["POST"]),
    Route("/sessies/{public_id}/plan", plan_submit, methods=["POST"]),
    Route("/sessies/{public_id}/uitnodigen", invite_page, methods=["GET"], name="invite"),
    Route("/sessies/{public_id}/uitnodigen", invite_submit, methods=["POST"]),
    Route("/sessies/{public_id}/scherm", screen_page, name="session_screen"),
    Route("/join", join_page, methods=["GET"], name="join_page"),
    Route("/join", join_submit, methods=["POST"]),
    Route("/s/{public_id}", workspace_page, name="workspace"),
]
