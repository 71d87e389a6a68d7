"""The one way the server sets a cookie only it reads: a login, a half login, the OpenID
Connect state, a participant's or a member's token."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response


def set_private_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int, path: str = "/"
) -> None:
    """Not readable by scripts (httponly); sent on top-level navigation from elsewhere, as a
    link in a mail or the identity provider's redirect back is (lax); only over HTTPS when the
    site is served so."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
