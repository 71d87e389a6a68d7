"""Coordinator pages for privacy: erase a person (`/beheer/wissen`), read the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from server.audit import ACTIONS
from server.auth import require_role
from server.erasure import JOURNAL, ErasureAsk, ErasureError, ErasureReport, Person
from server.errors import PageError
from server.forms import form_fields
from server.i18n import N_
from server.models import AuditEntry, Role, User
from server.templating import render, translator_for

NAV = [
    {"href": "/beheer/wissen", "label": N_("Erase a person"), "roles": ("coordinator",)},
    {"href": "/beheer/audit", "label": N_("Audit log"), "roles": ("coordinator",)},
]
PAGE_SIZE = 50
KINDS = {
    "name": N_("Display name"),
    "account": N_("Email address of an account"),
    "participant": N_("Participant (SESSION:PARTICIPANT)"),
}
TABLE_LABELS = {
    "live_sessions": N_("Session titles"),
    "session_events": N_("Events in session logs"),
    "session_snapshots": N_("Saved session states (rebuilt from the log)"),
    "harvest_responses": N_("Harvest responses"),
    "trend_observations": N_("Ratings and chart positions over time (trends)"),
    "outcomes": N_("Outcomes (summaries, products, captured notes)"),
    "knowledge_questions": N_("Knowledge questions"),
    "outcome_texts": N_("Library of outcomes"),  # its search index
    "users": N_("Accounts"),
    "user_roles": N_("Account roles"),
    "user_regions": N_("Account memberships of regions"),
    "login_sessions": N_("Logins"),
    "login_failures": N_("Failed logins"),
    "recovery_codes": N_("Recovery codes (two-step verification)"),
    "pending_logins": N_("Logins waiting for a code"),
    "password_resets": N_("Password reset links"),
    "mail_outbox": N_("Mail to the account (sent or waiting)"),
    "account_invitations": N_("Account invitations"),
    "session_invitations": N_("Invitations to sessions"),
    "calendar_feeds": N_("Calendar feed addresses"),
    "group_members": N_("Members of groups"),
    "group_actions": N_("Actions of groups"),
    "variant_versions": N_("Catalogue versions (author's name)"),
    "module_versions": N_("Curriculum module versions (author's name)"),
}


# Erase --------------------------------------------------------------------------------------


async def erase_page(request: Request) -> Response:
    require_role(request, Role.COORDINATOR)
    return _erase_form(request, {"kind": "name", "q": "", "contributions": ""})


async def erase_post(request: Request) -> Response:
    """Preview (a dry run with counts), then erase once the coordinator confirms."""
    user = require_role(request, Role.COORDINATOR)
    form = await form_fields(request, "op", "kind", "q", "contributions", max_length=300)
    op = form["op"] if form["op"] in ("preview", "erase") else "preview"
    try:
        person = _person(form["kind"], form["q"])
        if person.kind == "account" and person.value == user.email:
            raise ErasureError(
                "own_account",
                N_("You cannot erase your own account here; ask another coordinator."),
            )
        ask = ErasureAsk(
            person,
            delete_contributions=form["contributions"] == "on",
            dry_run=op == "preview",
            actor=f"account:{user.id}",
            actor_id=user.id,
            journal=request.app.state.settings.data_dir / JOURNAL,
        )
        report: ErasureReport = await request.app.state.eraser(
            request.app.state.db, ask, request.app, None
        )
    except ErasureError as error:
        message = translator_for(request)(error.message) % error.params
        return _erase_form(request, form, error=message, status_code=422)
    return render(
        request,
        "admin/erase.html",
        {
            "form": form,
            "kinds": KINDS,
            "error": None,
            "report": report,
            "done": op == "erase",
            "table_labels": TABLE_LABELS,
        },
    )


def _person(kind: str, text: str) -> Person:
    if kind == "account":
        return Person.by_account(text)
    if kind == "participant":
        return Person.by_participant(text)
    if kind == "name":
        return Person.by_name(text)
    raise ErasureError(
        "unknown_kind",
        N_("Unknown kind of search '%(value)s'; allowed: %(allowed)s."),
        value=kind[:40],
        allowed=", ".join(KINDS),
    )


def _erase_form(
    request: Request, form: dict[str, str], error: str | None = None, status_code: int = 200
) -> Response:
    return render(
        request,
        "admin/erase.html",
        {
            "form": form,
            "kinds": KINDS,
            "error": error,
            "report": None,
            "done": False,
            "table_labels": TABLE_LABELS,
        },
        status_code=status_code,
    )


# The audit log ------------------------------------------------------------------------------


async def audit_page(request: Request) -> Response:
    """The audit log, newest first, a page at a time, optionally of one action."""
    require_role(request, Role.COORDINATOR)
    action = request.query_params.get("action", "")
    if action and action not in ACTIONS:
        raise PageError(
            400,
            "unknown_action",
            N_("Unknown action '%(value)s'; allowed: %(allowed)s."),
            value=action[:40],
            allowed=", ".join(ACTIONS),
        )
    raw_page = request.query_params.get("page", "1")
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= 1_000_000:
        raise PageError(
            400,
            "invalid_page",
            N_("The page must be a whole number from 1 to %(max)s."),
            max=1_000_000,
        )
    page = int(raw_page)
    query = select(AuditEntry, User.name).outerjoin(User, User.id == AuditEntry.actor_id)
    counting = select(func.count()).select_from(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
        counting = counting.where(AuditEntry.action == action)
    async with request.app.state.db() as db:
        total = await db.scalar(counting) or 0
        rows = (
            await db.execute(
                query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                .offset((page - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE)
            )
        ).all()
        entries: list[dict[str, Any]] = [
            {"entry": entry, "actor_name": name} for entry, name in rows
        ]
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        "admin/audit.html",
        {
            "entries": entries,
            "actions": ACTIONS,
            "action": action,
            "page": page,
            "pages": pages,
            "total": total,
        },
    )


routes: list[BaseRoute] = [
    Route("/beheer/wissen", erase_page, methods=["GET"], name="erase"),
    Route("/beheer/wissen", erase_post, methods=["POST"]),
    Route("/beheer/audit", audit_page, methods=["GET"], name="audit"),
]
