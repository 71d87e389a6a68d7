"""The outcome of a session: the facilitator composes it; everyone it is shared with reads it.

`/sessies/{public_id}/uitkomst` shows the facilitator what the session captured (from its
state, sessions/capture.py) and what the harvest gave (sessions/harvest.py), with a form for the
summary, insights, actions, products, open knowledge questions and the sharing level. Saving
stores the outcome (catalogue/outcomes/actions.py) with the capture and the consents as they are
then.

`/uitkomsten/{public_id}` shows an outcome: its creator and coordinators see the group version
(with names) and can preview each wider level; everyone else sees the shared version at the
outcome's level (catalogue/outcomes/sharing.py), or a 404 when they may not: an outcome that is not
shared with someone does not exist for them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from catalogue.library import access
from catalogue.outcomes import actions as outcome_actions
from catalogue.outcomes import composition as outcome_composition
from catalogue.outcomes import queries as outcome_queries
from catalogue.outcomes.gate import MAX_HIDE, MAX_HIDE_WORD, Review, review_items
from catalogue.outcomes.models import CONSENT_LEVELS, SHARING_LEVELS, OutcomeRow
from catalogue.outcomes.sharing import level_summary, shared_version
from catalogue.regions import queries as region_queries
from catalogue.schema import ContentError, Problem, problem_list
from catalogue.variants.pages import load
from server.auth import current_user, require_user
from server.errors import PageError
from server.i18n import N_, Translator
from server.models import Role, User
from server.templating import language_of, render, translator_for
from sessions import actions, harvest
from sessions.capture import capture
from sessions.engine import SessionEngine
from sessions.models import LiveSession
from sessions.state import State

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
MAX_PRODUCT_ROWS = outcome_composition.MAX_PRODUCTS + 1  # one over, so that "too many" can be said


def _engine(request: Request) -> SessionEngine:
    engine: SessionEngine = request.app.state.session_engine
    return engine


def _may_see_names(user: User | None, created_by: int | None) -> bool:
    """The group version (with names) is for the facilitator who made it and coordinators."""
    if user is None:
        return False
    return (created_by is not None and user.id == created_by) or user.has_role(Role.COORDINATOR)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# Composing --------------------------------------------------------------------------------------


@dataclass
class ComposeForm:
    """The compose form's values as typed, so a form shown again keeps everything."""

    summary: str = ""
    insights: str = ""
    actions: str = ""
    products: list[dict[str, str]] = field(default_factory=list)  # title, text, url as typed
    questions: str = ""  # one per line
    sharing: str = "group"
    hide: str = ""  # words to hide as well, one per line (the sharing gate's review)
    keep: list[str] = field(default_factory=list)  # replacements undone (places, institutions)

    @classmethod
    def of(cls, outcome: outcome_composition.Outcome | None) -> ComposeForm:
        if outcome is None:
            return cls(products=[_blank_product()])
        row = outcome.row
        review = Review.of(row.review)
        return cls(
            hide="\n".join(review.hide),
            keep=list(review.keep),
            summary=row.summary,
            insights=row.insights,
            actions=row.actions,
            products=[
                {"title": p.get("title", ""), "text": p.get("text", ""), "url": p.get("url") or ""}
                for p in row.products or ()
            ]
            or [_blank_product()],
            questions="\n".join(q.text for q in outcome.questions),
            sharing=row.sharing,
        )

    @classmethod
    def submitted(cls, form: FormData) -> ComposeForm:
        def text(name: str) -> str:
            value = form.get(name, "")
            return value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""

        numbers = sorted(
            {
                int(key.split("-")[1])
                for key in form
                if key.startswith("product-")
                and key.count("-") == 2
                and key.split("-")[1].isdigit()
            }
        )
        return cls(
            summary=text("summary"),
            insights=text("insights"),
            actions=text("actions"),
            products=[
                {part: text(f"product-{n}-{part}") for part in ("title", "text", "url")}
                for n in numbers[:MAX_PRODUCT_ROWS]
            ],
            questions=text("questions"),
            sharing=text("sharing") or "group",
            hide=text("hide"),
            keep=[v for v in form.getlist("keep") if isinstance(v, str) and v.strip()],
        )

    def review(self) -> Review:
        """The facilitator's review of the sharing gate: words to hide (one per line, without
        repeats) and the replacements they undid."""
        hide = tuple(dict.fromkeys(" ".join(w.split()) for w in self.hide.splitlines()))
        return Review(hide=tuple(w for w in hide if w), keep=tuple(dict.fromkeys(self.keep)))

    def review_problems(self) -> list[Problem]:
        hide = self.review().hide
        if len(hide) > MAX_HIDE or any(len(w) > MAX_HIDE_WORD for w in hide):
            return [
                Problem(
                    "hide",
                    N_(
                        "At most %(max)s words or phrases to hide, one per line, each at most "
                        "%(chars)s characters."
                    ),
                    {"max": MAX_HIDE, "chars": MAX_HIDE_WORD},
                )
            ]
        return []

    def apply_op(self, op: str) -> int | None:
        """Add a product row ("add-product") or remove one ("remove-product-3"); the row to
        focus next. Unknown or impossible operations do nothing."""
        if op == "add-product":
            if len(self.products) >= outcome_composition.MAX_PRODUCTS:
                return None
            self.products.append(_blank_product())
            return len(self.products)
        prefix = "remove-product-"
        number = op.removeprefix(prefix)
        if op.startswith(prefix) and number.isdigit() and 1 <= int(number) <= len(self.products):
            del self.products[int(number) - 1]
            if not self.products:
                self.products.append(_blank_product())
            return min(int(number), len(self.products))
        return None

    def composition(self) -> outcome_composition.Composition:
        """What to save: blank product rows dropped, questions one per line, without repeats."""
        products = tuple(
            outcome_composition.Product(p["title"], p["text"], p["url"] or None)
            for p in self.products
            if any(p.values())
        )
        questions = tuple(
            dict.fromkeys(
                " ".join(line.split()) for line in self.questions.splitlines() if line.strip()
            )
        )
        return outcome_composition.Composition(
            summary=self.summary,
            insights=self.insights,
            actions=self.actions,
            products=products,
            questions=questions,
            sharing=self.sharing,
        )


def _blank_product() -> dict[str, str]:
    return {"title": "", "text": "", "url": ""}


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


async def _own_session(request: Request) -> tuple[LiveSession, User]:
    """The session in the path, if this account created it or coordinates; else 403/404."""
    user = require_user(request)
    row = await actions.find_by_public_id(request.app.state.db, request.path_params["public_id"])
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
        answers = await harvest.responses(db, row.id)
        existing = await outcome_queries.outcome_of_session(db, row.id)
        names = await actions.display_names(db, row.id)
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
        harvest.consents(answers),
        harvest.rating_means(answers, state.goals),
        existing,
        names,
    )


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
    return await _compose(request, found, ComposeForm.of(found.existing))


async def compose_submit(request: Request) -> Response:
    row, user = await _own_session(request)
    found = await _harvested(request, row)
    if found.state.phase is None and not found.state.ended:
        return await _compose(request, found, ComposeForm.of(found.existing), status_code=409)
    form = await request.form(max_files=0, max_fields=MAX_PRODUCT_ROWS * 3 + 20)
    compose = ComposeForm.submitted(form)
    op = form.get("op", "save")
    if isinstance(op, str) and op != "save":
        focus = compose.apply_op(op)
        return await _compose(request, found, compose, focus=focus)
    try:
        problems = compose.review_problems()
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


def _narrowed(frozen: dict[str, str], current: dict[str, str]) -> dict[str, str]:
    """The consents frozen in the outcome, narrowed by the participants' consents now: a
    consent withdrawn after the outcome was composed takes effect at once (widening one waits
    until the facilitator composes again)."""
    order = {level: i for i, level in enumerate(CONSENT_LEVELS)}
    narrowed = {}
    for participant, consent in frozen.items():
        now = current.get(participant, "no")
        narrowed[participant] = min(consent, now, key=lambda c: order.get(c, 0))
    return narrowed


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
        document["consents"] = _narrowed(document["consents"], current)
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
        }
    )
    return _no_store(render(request, "outcomes/outcome.html", context))


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
    current = harvest.consents(await harvest.responses(db, session.id))
    return session, state, current


async def _labels(request: Request, document: dict[str, Any]) -> dict[str, Any]:
    """Names of the goals, variant and region (the Werkplaats the licence attributes)."""
    catalogue = await load(request)
    language = language_of(request)
    variant = catalogue.by_slug.get(document.get("variant") or "")
    region_name = None
    if document.get("region"):
        async with request.app.state.db() as db:
            region = await region_queries.load_region(db, document["region"])
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


# The positioning chart --------------------------------------------------------------------------

SIZE = 400
PAD = 44
PLOT = SIZE - 2 * PAD
KIND_COLOURS = {"now": "#0b5c73", "desired": "#9c4100"}  # as in the workspace (tools.css)


def _x(value: float) -> float:
    return round(PAD + min(max(value, 0.0), 1.0) * PLOT, 1)


def _y(value: float) -> float:
    return round(PAD + (1 - min(max(value, 0.0), 1.0)) * PLOT, 1)


def _percent(value: float | None) -> int | None:
    return None if value is None else round(value * 100)


def chart_view(chart: Any, _: Translator) -> dict[str, Any] | None:
    """Coordinates for the server-drawn chart of a version's positioning aggregate: per kind
    (now, desired) its mean with the spread (standard deviation) along each axis, the arrow
    from now to desired, the markers kept, and the numbers for the table alternative."""
    if not isinstance(chart, dict):
        return None
    kinds = []
    for kind, label in (("now", _("Now")), ("desired", _("Desired"))):
        aggregate = chart.get(kind)
        if not aggregate:
            continue
        mx, my = aggregate["x"]["mean"], aggregate["y"]["mean"]
        sx, sy = aggregate["x"]["sd"] or 0.0, aggregate["y"]["sd"] or 0.0
        kinds.append(
            {
                "kind": kind,
                "label": label,
                "colour": KIND_COLOURS[kind],
                "n": aggregate["n"],
                "cx": _x(mx),
                "cy": _y(my),
                "x1": _x(mx - sx),
                "x2": _x(mx + sx),
                "y1": _y(my - sy),
                "y2": _y(my + sy),
                "x_mean": _percent(mx),
                "x_sd": _percent(sx),
                "y_mean": _percent(my),
                "y_sd": _percent(sy),
                "diamond": _diamond(_x(mx), _y(my)),
            }
        )
    if not kinds:
        return None
    arrow = None
    if len(kinds) == 2 and (kinds[0]["cx"], kinds[0]["cy"]) != (kinds[1]["cx"], kinds[1]["cy"]):
        arrow = {
            "x1": kinds[0]["cx"],
            "y1": kinds[0]["cy"],
            "x2": kinds[1]["cx"],
            "y2": kinds[1]["cy"],
        }
    markers = [
        {"cx": _x(m["x"]), "cy": _y(m["y"]), "colour": KIND_COLOURS.get(m["kind"], "#4a5263")}
        for m in chart.get("markers") or ()
    ]
    return {
        "size": SIZE,
        "pad": PAD,
        "plot": PLOT,
        "middle": SIZE / 2,
        "axes": {axis: chart.get(axis, "") for axis in ("x_low", "x_high", "y_low", "y_high")},
        "kinds": kinds,
        "arrow": arrow,
        "markers": markers,
    }


def _diamond(cx: float, cy: float, r: float = 11) -> str:
    return f"M {cx} {cy - r} L {cx + r} {cy} L {cx} {cy + r} L {cx - r} {cy} Z"


routes: list[BaseRoute] = [
    # Reading and writing are separate routes, so a HEAD reaches only the GET handler.
    Route("/sessies/{public_id}/uitkomst", compose_page, methods=["GET"], name="outcome_compose"),
    Route("/sessies/{public_id}/uitkomst", compose_submit, methods=["POST"]),
    Route("/uitkomsten/{public_id}", outcome_page, name="outcome"),
]
