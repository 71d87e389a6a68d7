"""Mail rendered from templates/mail/<name>.txt and .html, in the recipient's language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from server import i18n
from server.templating import TEMPLATE_DIR


@dataclass(frozen=True)
class Message:
    """A mail to one address: plain text and HTML, both always sent; perhaps an iCalendar
    attachment (`calendar`, with its METHOD: REQUEST, CANCEL or PUBLISH)."""

    to: str
    subject: str
    text: str
    html: str
    language: str
    calendar: str | None = None
    calendar_method: str | None = None


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR / "mail"),
        # Text parts are plain text (escaping would show &amp;), HTML parts are escaped.
        autoescape=jinja2.select_autoescape(["html"], default_for_string=False, default=False),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    return env


def render(
    name: str, *, to: str, subject: str, language: str, context: Mapping[str, Any]
) -> Message:
    """The mail `name` for `to`: `subject` is an English msgid, translated like the parts."""
    if language not in i18n.LANGUAGES:
        language = i18n.LANGUAGES[0]
    env = _environment()
    token = i18n.current_language.set(language)
    try:
        translated = i18n.gettext(subject)
        page = {"subject": translated, "language": language, **context}
        text = env.get_template(f"{name}.txt").render(page)
        html = env.get_template(f"{name}.html").render(page)
    finally:
        i18n.current_language.reset(token)
    return Message(to=to, subject=translated, text=text, html=html, language=language)
