"""The calendar feed's pages: the account's page to make, renew or stop it, and the feed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from server.auth import require_role
from server.errors import PageError
from server.i18n import N_
from server.templating import render
from sessions import feeds, invitations

FACILITATING = feeds.FACILITATING


def _base_url(request: Request) -> str:
    configured: str = request.app.state.settings.public_url
    return configured.rstrip("/") or str(request.base_url).rstrip("/")


async def feed_settings_page(request: Request) -> Response:
    user = require_role(request, *FACILITATING)
    return _page(request, await feeds.has_feed(request.app.state.db, user.id))


async def feed_settings_submit(request: Request) -> Response:
    """Make or renew (op=renew) or stop (op=revoke) the account's feed."""
    user = require_role(request, *FACILITATING)
    form = await request.form(max_files=0, max_fields=5)
    op = form.get("op")
    db = request.app.state.db
    if op == "revoke":
        await feeds.revoke(db, user.id)
        return RedirectResponse("/agenda", status_code=303)
    if op != "renew":
        raise PageError(400, "bad_request", N_("Choose to make a new address or to stop the feed."))
    token = await feeds.renew(db, user.id)
    url = _base_url(request) + feeds.PATH.format(token=token)
    response = _page(request, True, url)
    response.headers["Cache-Control"] = "no-store"  # the address is a secret
    return response


def _page(request: Request, has_feed: bool, url: str = "") -> Response:
    return render(request, "sessions/feed.html", {"has_feed": has_feed, "feed_url": url})


async def feed(request: Request) -> Response:
    text = await feeds.feed_of(
        request.app.state.db,
        request.path_params["token"],
        _base_url(request),
        invitations.domain_of(request.app.state.settings.mail_from),
    )
    if text is None:
        raise PageError(404)
    return Response(
        text,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"},
    )


routes: list[BaseRoute] = [
    Route("/agenda", feed_settings_page, methods=["GET"], name="calendar_feed"),
    Route("/agenda", feed_settings_submit, methods=["POST"]),
    Route(feeds.PATH, feed, methods=["GET"], name="calendar_feed_file"),
]
