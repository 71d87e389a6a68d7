"""Reading submitted forms: text fields with bounds, and safe places to go back to."""

from __future__ import annotations

from starlette.requests import Request

from server.errors import PageError
from server.i18n import N_

MAX_FIELD_LENGTH = 2000


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go to after a form; anything else (another site) becomes the default."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


async def form_fields(
    request: Request, *names: str, max_length: int = MAX_FIELD_LENGTH
) -> dict[str, str]:
    """The named text fields of a submitted form; refuses files and overlong values."""
    form = await request.form(max_files=0, max_fields=100)
    fields: dict[str, str] = {}
    for name in names:
        value = form.get(name, "")
        if not isinstance(value, str) or len(value) > max_length:
            raise PageError(
                422,
                "invalid_field",
                N_("The field '%(field)s' must be text of at most %(max)s characters."),
                field=name,
                max=max_length,
            )
        fields[name] = value
    return fields
