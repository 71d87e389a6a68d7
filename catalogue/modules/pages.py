"""Module pages: an educator's modules, the form, a module and its versions, sharing by link,
and the exports (Markdown, printable HTML, JSON)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from catalogue.modules import actions, queries
from catalogue.modules import document as module_document
from catalogue.modules import export as module_export
from catalogue.modules.models import ModuleRow, ModuleVersion
from catalogue.schema import ContentError, problem_list
from catalogue.variants.pages import load
from server.auth import require_role
from server.errors import PageError
from server.models import Role, User
from server.templating import render, translator_for

EDITORS = (Role.EDUCATOR, Role.COORDINATOR)


async def _choices(request: Request, user: User | None) -> module_document.Choices:
    catalogue = await load(request)
    async with request.app.state.db() as db:
        outcomes = await queries.outcome_choices(db, user)
    return module_document.Choices(
        outcomes, {cv.variant.slug: cv.variant for cv in catalogue.variants}
    )


def _values(document: dict[str, Any], note: str = "") -> dict[str, Any]:
    """A document as the form's field values."""
    values: dict[str, Any] = {
        "title": document.get("title", ""),
        "audience": document.get("audience", ""),
        "objectives": "\n".join(document.get("objectives", [])),
        "reflection": "\n".join(document.get("reflection", [])),
        "note": note,
    }
    for i, case in enumerate(document.get("cases", [])[: module_document.CASE_SLOTS], start=1):
        values[f"case-{i}-outcome"] = case.get("outcome", "")
        values[f"case-{i}-note"] = case.get("note", "")
    for i, exercise in enumerate(
        document.get("exercises", [])[: module_document.EXERCISE_SLOTS], start=1
    ):
        values[f"exercise-{i}-variant"] = exercise.get("variant", "")
        values[f"exercise-{i}-script"] = module_document.script_text(exercise.get("phases", []))
    return values


async def _form(
    request: Request,
    user: User,
    module: ModuleRow | None,
    values: dict[str, Any],
    problems: list[dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    choices = await _choices(request, user)
    catalogue = await load(request)
    return render(
        request,
        "modules/edit.html",
        {
            "module": module,
            "values": values,
            "outcomes": choices.outcomes,
            "variants": [cv.variant for cv in catalogue.variants],
            "case_slots": module_document.CASE_SLOTS,
            "exercise_slots": module_document.EXERCISE_SLOTS,
            "problems": problems or [],
            "problem_fields": {p["field"] for p in problems or []},
        },
        status_code=status_code,
    )


async def list_page(request: Request) -> Response:
    user = require_role(request, *EDITORS)
    async with request.app.state.db() as db:
        mine = await queries.modules_of(db, user)
    return render(request, "modules/list.html", {"modules": mine})


async def new_page(request: Request) -> Response:
    user = require_role(request, *EDITORS)
    return await _form(request, user, None, {})


async def new_save(request: Request) -> Response:
    user = require_role(request, *EDITORS)
    form = await request.form(max_files=0, max_fields=200)
    choices = await _choices(request, user)
    document = module_document.document_from_form(form, choices)
    note = str(form.get("note", ""))
    try:
        async with request.app.state.db() as db:
            module = await actions.create_module(db, document, choices, user, note)
            slug = module.slug
    except ContentError as error:
        values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
        problems = problem_list(error.problems, translator_for(request))
        return await _form(request, user, None, values, problems, status_code=422)
    return RedirectResponse(f"/modules/{slug}?opgeslagen=1", status_code=303)


async def _own(request: Request) -> tuple[User, ModuleRow]:
    user = require_role(request, *EDITORS)
    async with request.app.state.db() as db:
        module = await queries.load_module(db, request.path_params["slug"])
    if module is None or not module_document.may_edit(user, module):
        raise PageError(404)
    return user, module


async def edit_page(request: Request) -> Response:
    user, module = await _own(request)
    async with request.app.state.db() as db:
        version = await queries.latest(db, module)
    return await _form(request, user, module, _values(version.document))


async def edit_save(request: Request) -> Response:
    user, module = await _own(request)
    form = await request.form(max_files=0, max_fields=200)
    choices = await _choices(request, user)
    async with request.app.state.db() as db:
        version = await queries.latest(db, module)
    # Cases already in the module stay valid even when the educator no longer sees them.
    kept = {c.get("outcome", ""): c.get("outcome", "") for c in version.document.get("cases", [])}
    choices = module_document.Choices({**kept, **choices.outcomes}, choices.variants)
    document = module_document.document_from_form(form, choices)
    note = str(form.get("note", ""))
    try:
        async with request.app.state.db() as db:
            fresh = await queries.load_module(db, module.slug)
            assert fresh is not None
            await actions.save_version(db, fresh, document, choices, user, note)
    except ContentError as error:
        values = {key: str(value) for key, value in form.items() if key != "csrf_token"}
        problems = problem_list(error.problems, translator_for(request))
        return await _form(request, user, module, values, problems, status_code=422)
    return RedirectResponse(f"/modules/{module.slug}?opgeslagen=1", status_code=303)


async def share_save(request: Request) -> Response:
    _user, module = await _own(request)
    form = await request.form(max_files=0, max_fields=10)
    async with request.app.state.db() as db:
        fresh = await queries.load_module(db, module.slug)
        assert fresh is not None
        await actions.set_shared(db, fresh, form.get("shared") == "1")
    return RedirectResponse(f"/modules/{module.slug}", status_code=303)


async def _show(
    request: Request,
    module: ModuleRow,
    version: ModuleVersion,
    *,
    may_edit: bool,
    shared_view: bool = False,
    versions: list[ModuleVersion] | None = None,
) -> Response:
    catalogue = await load(request)
    variants = {cv.variant.slug: cv.variant for cv in catalogue.variants}
    async with request.app.state.db() as db:
        export = await module_export.build(db, module, version, variants)
    response = render(
        request,
        "modules/module.html",
        {
            "module": module,
            "version": version,
            "export": export,
            "reason_text": module_export.reason_text,
            "may_edit": may_edit,
            "shared_view": shared_view,
            "old_version": versions is not None and versions[0].number != version.number,
            "versions": versions or [],
            "saved": request.query_params.get("opgeslagen") == "1",
        },
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def module_page(request: Request) -> Response:
    _user, module = await _own(request)
    async with request.app.state.db() as db:
        found = await queries.versions(db, module)
    return await _show(request, module, found[0], may_edit=True, versions=found)


async def version_page(request: Request) -> Response:
    _user, module = await _own(request)
    async with request.app.state.db() as db:
        found = await queries.versions(db, module)
    version = next((v for v in found if v.number == request.path_params["number"]), None)
    if version is None:
        raise PageError(404)
    return await _show(request, module, version, may_edit=False, versions=found)


async def shared_page(request: Request) -> Response:
    async with request.app.state.db() as db:
        module = await queries.module_by_token(db, request.path_params["token"])
        if module is None:
            raise PageError(404)
        version = await queries.latest(db, module)
    return await _show(request, module, version, may_edit=False, shared_view=True)


async def export_download(request: Request) -> Response:
    user, module = await _own(request)
    fmt = request.path_params["format"]
    if fmt not in module_export.FORMATS:
        raise PageError(404)
    catalogue = await load(request)
    variants = {cv.variant.slug: cv.variant for cv in catalogue.variants}
    async with request.app.state.db() as db:
        version = await queries.latest(db, module)
        text = await module_export.export_module(
            db,
            module,
            version,
            variants,
            fmt,
            actor=f"account:{user.id}",
            actor_id=user.id,
        )
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(
        text,
        media_type=module_export.MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'{disposition}; filename="{module.slug}.{fmt}"',
            "Cache-Control": "no-store",
        },
    )


routes: list[BaseRoute] = [
    Route("/modules", list_page, name="modules"),
    Route("/modules/nieuw", new_page, methods=["GET"], name="module_new"),
    Route("/modules/nieuw", new_save, methods=["POST"]),
    Route("/modules/gedeeld/{token}", shared_page, name="module_shared"),
    Route("/modules/{slug}", module_page, name="module"),
    Route("/modules/{slug}/bewerken", edit_page, methods=["GET"], name="module_edit"),
    Route("/modules/{slug}/bewerken", edit_save, methods=["POST"]),
    Route("/modules/{slug}/delen", share_save, methods=["POST"], name="module_share"),
    Route("/modules/{slug}/versies/{number:int}", version_page, name="module_version"),
    Route("/modules/{slug}/export.{format}", export_download, name="module_export"),
]
