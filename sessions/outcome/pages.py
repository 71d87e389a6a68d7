"""The outcome pages: the facilitator composes a session's outcome; everyone it is shared
with reads it (sessions/outcome/, its package docstring, says what each shows)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from catalogue.library import access
from catalogue.outcomes import actions as outcome_actions
from catalogue.outcomes import composition as outcome_composition
from catalogue.outcomes import queries as outcome_queries
from catalogue.outcomes.gate import review_items
from catalogue.outcomes.models import CONSENT_LEVELS, SHARING_LEVELS, OutcomeRow
from catalogue.outcomes.sharing import level_summary, shared_version
from catalogue.regions import queries
from catalogue.schema import ContentError, Problem, problem_list
from catalogue.variants.pages import load
from server.auth import current_user, require_role, require_user
from server.errors import PageError
from server.i18n import N_
from server.models import Role, User
from server.templating import language_of, render, translator_for
from sessions import queries as session_queries
from sessions.capture import capture
from sessions.engine import SessionEngine
from sessions.groups import queries as group_queries
from sessions.groups import review as group_review
from sessions.groups.models import Group
from sessions.harvest import answers as harvest_answers
from sessions.harvest import queries as harvest_queries
from sessions.models import HarvestResponse, LiveSession
from sessions.outcome import action_rows
from sessions.outcome.chart import chart_view
from sessions.outcome.form import MAX_PRODUCT_ROWS, ComposeForm
from sessions.state import State
from sessions.trends import record as trends

LEVEL_LABELS = {
    "group": N_("Group only"),
    "region": N_("Region (Werkplaats)"),
    "national": N_("National"),
    "open": N_("Open (CC BY 4.0)"),
}
LEVEL_HINTS = {
    "group": N_("Only you and the coordinators see it, with names."),
    "region": N_("People with an account of the Werkplaats see it, without names."),
    "national": N_("Everyone with an account sees it, without names."),
    "open": N_("Everyone sees it, also without an account, without names; free to reuse."),
}
# Where a text in the sharing gate's review comes from (catalogue.outcomes.gate.review_items).
REVIEW_WHERE = {
    "text": N_("Text"),  # anything not named below
    "title": N_("Title"),
    "summary": N_("Summary"),
    "insights": N_("Insights"),
    "actions": N_("Actions"),
    "product": N_("Product"),
    "product-link": N_("Product link (left out)"),
    "question": N_("Knowledge question"),
    "note": N_("Note"),
    "cluster": N_("Theme on the board"),
    "takeaway": N_("Takeaway"),
    "x_low": N_("Chart label"),
    "x_high": N_("Chart label"),
    "y_low": N_("Chart label"),
    "y_high": N_("Chart label"),
}
# What the sharing gate replaced, in words.
KIND_LABELS = {
    "participant": N_("a participant"),
    "person": N_("a person"),
    "phone": N_("a phone number"),
    "email": N_("an e-mail address"),
    "bsn": N_("a citizen service number (BSN)"),
    "place": N_("a place or address"),
    "institution": N_("an organisation"),
    "date": N_("a date"),
    "age": N_("an age"),
    "url": N_("a link"),
    "number": N_("a number"),
    "hidden": N_("a word you chose to hide"),
    "other": N_("other details"),
}


def _engine(request: Request) -> SessionEngine:
    engine: SessionEngine = request.app.state.session_engine
    return engine


def _may_see_names(user: User | None, created_by: int | None) -> bool:
    """The group version (with names) is for the facilitator who made it, while their account
    has the facilitator role, and for coordinators."""
    if user is None:
        return False
    if user.has_role(Role.COORDINATOR):
        return True
    return created_by is not None and user.id == created_by and user.has_role(Role.FACILITATOR)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# Composing --------------------------------------------------------------------------------------


@dataclass
class _Harvested:
    """What a session has for its outcome right now."""

    row: LiveSession
    state: State
    captured: dict[str, Any]
    consents: dict[str, str]
    ratings: dict[str, tuple[int, float]]
    existing: outcome_composition.Outcome | None
    names: dict[str, str]  # every display name participants had (what the gate replaces)
    answers: list[HarvestResponse]  # the harvest as answered (the trends' ratings)
    group: Group | None  # the group the session is one of, if any
    # A group's session: who may own an action (member id -> name, those who took part), and
    # the actions saved before as form rows.
    owners: dict[str, str]
    saved_actions: list[dict[str, str]]


async def _own_session(request: Request) -> tuple[LiveSession, User]:
    """The session in the path, if this account created it or coordinates; else 403/404."""
    user = require_user(request)
    row = await session_queries.find_by_public_id(
        request.app.state.db, request.path_params["public_id"]
    )
    if row is None:
        raise PageError(404)
    if not _may_see_names(user, row.created_by):
        raise PageError(
            403, "forbidden", N_("Only the facilitator who started this session can see this.")
        )
    return row, user


async def _harvested(request: Request, row: LiveSession) -> _Harvested:
    state = await _engine(request).state(row.id)
    async with request.app.state.db() as db:
        answers = await harvest_queries.responses(db, row.id)
        existing = await outcome_queries.outcome_of_session(db, row.id)
        names = await session_queries.display_names(db, row.id)
        group = await group_queries.group_of_session(db, row.id)
        owners: dict[str, str] = {}
        saved_actions: list[dict[str, str]] = []
        if group is not None:
            owners = await _owners(db, group.id, row.id)
            saved_actions = [
                {
                    "text": action.text,
                    "owner": action.owner or "",
                    "due": action.due.isoformat() if action.due is not None else "",
                }
                for action in await group_review.session_actions(db, row.id)
            ]
    captured = capture(state)
    # Harvest answers are anonymous, also to the group; their authors count only for consent.
    captured["takeaways"] = [
        {"text": answer.takeaway, "by": answer.participant}
        for answer in answers
        if answer.takeaway.strip()
    ]
    return _Harvested(
        row,
        state,
        captured,
        harvest_answers.consents(answers),
        harvest_answers.rating_means(answers, state.goals),
        existing,
        names,
        answers,
        group,
        owners,
        saved_actions,
    )


async def _owners(db: AsyncSession, group_id: int, session_id: int) -> dict[str, str]:
    """The members who took part in this session, by member id, with their names (shown to
    the group's facilitator only, on this page)."""
    took_part = set((await group_queries.members_of_session(db, session_id)).values())
    return {
        member.member_id: member.name
        for member in await group_queries.members(db, group_id)
        if member.member_id in took_part
    }


def _form_of(found: _Harvested) -> ComposeForm:
    """The form as saved before: a group's session lists its actions as rows."""
    actions = found.saved_actions if found.group is not None else None
    return ComposeForm.of(found.existing, actions=actions)


def _facts(found: _Harvested) -> outcome_composition.SessionFacts:
    state, row = found.state, found.row
    return outcome_composition.SessionFacts(
        session_id=row.id,
        title=state.title or row.title,
        held_on=row.created_at,
        variant_slug=row.variant_slug,
        region_slug=state.region,
        theme_slug=state.theme,
        goals=tuple(state.goals),
        modality=state.modality,
        group_size=_group_size(state),
    )


def _group_size(state: State) -> int:
    """How many took part: the people who joined as (and still are) participants, not removed.

    The same count as a practice's group size in the catalogue ("participants, facilitator not
    counted", docs/catalogue-format.md), so that evidence per group size and a request's group
    size mean the same thing. Facilitators and co-facilitators lead rather than take part;
    observers watch and do not answer the harvest; someone removed was sent away. Unlike the
    captured attendance (everyone present but observers), which says who was in the room."""
    return sum(
        1 for person in state.people.values() if person.role == "participant" and not person.removed
    )


def _document(found: _Harvested, compose: ComposeForm) -> dict[str, Any]:
    """The outcome as it would be saved now (for the preview and the per-level counts)."""
    composition = compose.composition()
    facts = _facts(found)
    return {
        "title": facts.title,
        "variant": facts.variant_slug,
        "region": facts.region_slug,
        "theme": facts.theme_slug,
        "goals": list(facts.goals),
        "held_on": facts.held_on.date().isoformat(),
        "modality": facts.modality,
        "group_size": facts.group_size,
        "summary": composition.summary,
        "insights": composition.insights,
        "actions": composition.actions,
        "products": [
            {"title": p.title, "text": p.text, "url": p.url} for p in composition.products
        ],
        "questions": list(composition.questions),
        "captured": found.captured,
        "consents": found.consents,
        "ratings": {g: {"raters": n, "mean": m} for g, (n, m) in found.ratings.items()},
    }


def _names(state: State) -> dict[str, str]:
    return {participant: person.name for participant, person in state.people.items()}


async def compose_page(request: Request) -> Response:
    row, _user = await _own_session(request)
    found = await _harvested(request, row)
    return await _compose(request, found, _form_of(found))


async def compose_submit(request: Request) -> Response:
    row, user = await _own_session(request)
    found = await _harvested(request, row)
    if found.state.phase is None and not found.state.ended:
        return await _compose(request, found, _form_of(found), status_code=409)
    form = await request.form(
        max_files=0, max_fields=MAX_PRODUCT_ROWS * 3 + action_rows.MAX_FORM_ROWS * 3 + 20
    )
    compose = ComposeForm.submitted(form, listed=found.group is not None)
    op = form.get("op", "save")
    if isinstance(op, str) and op != "save":
        focus = compose.apply_op(op)
        return await _compose(request, found, compose, focus=focus)
    try:
        actions, problems = action_rows.checked(compose.action_rows, found.owners)
        problems += compose.review_problems()
        if problems:
            raise ContentError("outcome", problems)
        async with request.app.state.db() as db:
            saved = await outcome_actions.save_outcome(
                db,
                _facts(found),
                compose.composition(),
                found.captured,
                found.consents,
                found.ratings,
                user.id,
                names=found.names,
                review=compose.review(),
            )
            # The trends take each person's ratings and positions (sessions/trends/).
            await trends.record(db, saved.id, row.id, found.state, found.answers)
            if found.group is not None:
                # After the outcome's own commit: save_outcome may roll back and retry when
                # another request saved first, which would drop these rows with it.
                await group_review.replace_session_actions(db, found.group.id, row.id, actions)
                await db.commit()
    except ContentError as error:
        return await _compose(request, found, compose, problems=error.problems, status_code=422)
    return RedirectResponse(f"/uitkomsten/{saved.public_id}?opgeslagen=1", status_code=303)


async def _compose(
    request: Request,
    found: _Harvested,
    compose: ComposeForm,
    problems: list[Problem] | None = None,
    focus: int | None = None,
    status_code: int = 200,
) -> Response:
    _ = translator_for(request)
    shown = problem_list(problems or [], _)
    document = _document(found, compose)
    version = shared_version(document, "group", _names(found.state))
    # What leaves the group, with every replacement marked (deduce: not on the event loop).
    review = await asyncio.to_thread(review_items, document, found.names, compose.review())
    context = await _labels(request, document)
    context.update(
        {
            "session": found.row,
            "never_ran": found.state.phase is None and not found.state.ended,
            "existing": found.existing.row if found.existing is not None else None,
            "form": compose,
            "version": version,
            "chart": chart_view(version["chart"], _),
            "levels": level_summary(document),
            "level_labels": LEVEL_LABELS,
            "level_hints": LEVEL_HINTS,
            "respondents": len(found.consents),
            "consent_counts": {
                level: sum(1 for c in found.consents.values() if c == level)
                for level in CONSENT_LEVELS
            },
            "problems": shown,
            "problem_fields": {p["field"] for p in shown},
            "focus": focus,
            "max_products": outcome_composition.MAX_PRODUCTS,
            "review": review,
            "review_where": REVIEW_WHERE,
            "owners": found.owners,
            "kind_labels": KIND_LABELS,
        }
    )
    return _no_store(render(request, "outcomes/compose.html", context, status_code=status_code))


# Reading ----------------------------------------------------------------------------------------


def _may_read(user: User | None, row: OutcomeRow, memberships: frozenset[str]) -> bool:
    """Who may read an outcome at its sharing level (its creator and coordinators aside): "open"
    everyone, "national" every account, "region" the members of its region
    (catalogue.library.access)."""
    return access.may_read(user, row, memberships)


async def outcome_page(request: Request) -> Response:
    user = current_user(request)
    async with request.app.state.db() as db:
        outcome = await outcome_queries.load_outcome(db, request.path_params["public_id"])
        if outcome is None:
            raise PageError(404)
        row = outcome.row
        privileged = _may_see_names(user, row.created_by)
        memberships = await access.memberships_of(db, user)
        if not privileged and not _may_read(user, row, memberships):
            raise PageError(404)  # never reveal that it exists
        session, state, current = await _session_of(request, db, row.session_id)
    document = outcome.document()
    if current is not None:
        document["consents"] = harvest_answers.narrowed(document["consents"], current)
    level = row.sharing
    if privileged:
        asked = request.query_params.get("niveau", "group")
        level = asked if asked in SHARING_LEVELS else "group"
    if level == "group":
        version = shared_version(document, level, _names(state) if state is not None else {})
    else:
        gated = outcome.shared(document["consents"])
        if gated is None:  # never through the sharing gate: not shown beyond the group
            raise PageError(404)
        version = shared_version(gated, level)
    _ = translator_for(request)
    context = await _labels(request, document)
    context.update(
        {
            "outcome": row,
            "version": version,
            "chart": chart_view(version["chart"], _),
            "privileged": privileged,
            "level": level,
            "levels": SHARING_LEVELS,
            "level_labels": LEVEL_LABELS,
            "session": session if privileged else None,
            "saved": privileged and request.query_params.get("opgeslagen") == "1",
            "may_withdraw": user is not None and user.has_role(Role.COORDINATOR),
            "withdrawn": privileged and request.query_params.get("ingetrokken") == "1",
        }
    )
    return _no_store(render(request, "outcomes/outcome.html", context))


async def withdraw_submit(request: Request) -> Response:
    """A coordinator withdraws a shared outcome on request (catalogue.outcomes.actions.withdraw)."""
    user = require_role(request, Role.COORDINATOR)
    public_id = request.path_params["public_id"]
    async with request.app.state.db() as db:
        outcome = await outcome_queries.load_outcome(db, public_id)
        if outcome is None:
            raise PageError(404)
        await outcome_actions.withdraw(db, outcome.row, user.id)
    return RedirectResponse(f"/uitkomsten/{public_id}?ingetrokken=1", status_code=303)


async def _session_of(
    request: Request, db: AsyncSession, session_id: int | None
) -> tuple[LiveSession | None, State | None, dict[str, str] | None]:
    """The outcome's live session (if it still exists), its state and its consents now."""
    if session_id is None:
        return None, None, None
    session = await db.get(LiveSession, session_id)
    if session is None:
        return None, None, None
    state = await _engine(request).state(session.id)
    current = harvest_answers.consents(await harvest_queries.responses(db, session.id))
    return session, state, current


async def _labels(request: Request, document: dict[str, Any]) -> dict[str, Any]:
    """Names of the goals, variant and region (the Werkplaats the licence attributes)."""
    catalogue = await load(request)
    language = language_of(request)
    variant = catalogue.by_slug.get(document.get("variant") or "")
    region_name = None
    if document.get("region"):
        async with request.app.state.db() as db:
            region = await queries.load_region(db, document["region"])
        region_name = region.name if region is not None else None
    variant_title = None
    if variant is not None:
        v = variant.variant
        variant_title = v.title_en if language == "en" else v.title
    return {
        "goal_names": catalogue.goal_names(language),
        "variant_title": variant_title,
        "region_name": region_name,
    }


routes: list[BaseRoute] = [
    # Reading and writing are separate routes, so a HEAD reaches only the GET handler.
    Route("/sessies/{public_id}/uitkomst", compose_page, methods=["GET"], name="outcome_compose"),
    Route("/sessies/{public_id}/uitkomst", compose_submit, methods=["POST"]),
    Route("/uitkomsten/{public_id}", outcome_page, name="outcome"),
    Route("/uitkomsten/{public_id}/intrekken", withdraw_submit, methods=["POST"]),
]
