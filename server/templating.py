"""Server-rendered pages: one Jinja environment, user text always escaped."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

import templates as _templates_package
from server import formatting, i18n

TEMPLATE_DIR = Path(_templates_package.__file__).parent
ROLE_LABELS = {
    "coordinator": i18n.N_("Coordinator"),
    "facilitator": i18n.N_("Facilitator"),
    "educator": i18n.N_("Educator"),
}


def create_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.globals["role_labels"] = ROLE_LABELS
    formatting.install(env)
    return env


def language_of(request: Request) -> str:
    """The interface language for this request (cached on the request)."""
    language: str | None = getattr(request.state, "language", None)
    if language is None:
        language = i18n.negotiate(
            request.cookies.get(i18n.LANGUAGE_COOKIE),
            request.headers.get("accept-language"),
            request.app.state.settings.default_language,
        )
        request.state.language = language
    return language


def translator_for(request: Request) -> i18n.Translator:
    return i18n.translator(language_of(request))


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page template with what every page needs: user, language, CSRF token."""
    env: jinja2.Environment = request.app.state.templates
    language = language_of(request)
    page = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "language": language,
        "languages": i18n.LANGUAGE_NAMES,
        "csrf_token": request.scope.get("csrf_token", ""),
        "nav_items": request.app.state.nav_items,
        "home_links": request.app.state.home_links,
        **(context or {}),
    }
    token = i18n.current_language.set(language)
    try:
        html = env.get_template(name).render(page)
    finally:
        i18n.current_language.reset(token)
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Content-Language"] = language
    return response
