"""The pages of an account invitation: the coordinator's form (on /beheer/accounts) and the
invitee's link, where they choose their name and password."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from server.account_invitations import actions
from server.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, AccountError
from server.auth import require_password_login, require_role
from server.forms import form_fields
from server.models import Role
from server.pages import render_accounts
from server.templating import language_of, render, translator_for


def _base_url(request: Request) -> str:
    configured: str = request.app.state.settings.public_url
    return configured or str(request.base_url).rstrip("/")


async def invite(request: Request) -> Response:
    """A coordinator invites an address with roles (the form on /beheer/accounts)."""
    user = require_role(request, Role.COORDINATOR)
    form = await request.form(max_files=0, max_fields=20)
    fields = await form_fields(request, "email", max_length=300)
    roles = [value for value in form.getlist("roles") if isinstance(value, str)]
    try:
        async with request.app.state.db() as db:
            address = await actions.invite(
                db,
                email=fields["email"],
                roles=roles,
                invited_by=user.id,
                language=language_of(request),
                base_url=_base_url(request),
            )
    except AccountError as error:
        kept = {"email": fields["email"], "roles": ",".join(roles)}
        return await render_accounts(request, invite_form=kept, invite_error=error, status_code=422)
    sender = getattr(request.app.state, "mail", None)
    if sender is not None:
        sender.wake()
    return await render_accounts(request, invited=address)


async def link_page(request: Request) -> Response:
    token = request.path_params["token"]
    async with request.app.state.db() as db:
        try:
            invitation = await actions.check_link(db, token)
        except AccountError as error:
            return _refused(request, error)
    return _form(request, token, invitation.email)


async def link_submit(request: Request) -> Response:
    require_password_login(request)  # else the institution's login makes the account
    token = request.path_params["token"]
    fields = await form_fields(request, "name", "password", max_length=2000)
    _ = translator_for(request)
    async with request.app.state.db() as db:
        try:
            invitation = await actions.check_link(db, token)
            email = invitation.email
            await actions.accept(
                db,
                token=token,
                name=fields["name"],
                password=fields["password"],
                language=language_of(request),
            )
        except AccountError as error:
            if error.code in ("link_used", "link_expired"):
                return _refused(request, error)
            message = _(error.message) % error.params
            return _form(request, token, email, fields["name"], message, error.field, 422)
    return render(request, "invitation/done.html", {"email": email})


def _form(
    request: Request,
    token: str,
    email: str,
    name: str = "",
    error: str | None = None,
    field: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "invitation/new.html",
        {
            "token": token,
            "email": email,
            "name": name,
            "error": error,
            "error_field": field,
            "min_length": MIN_PASSWORD_LENGTH,
            "max_length": MAX_PASSWORD_LENGTH,
        },
        status_code=status_code,
    )


def _refused(request: Request, error: AccountError) -> Response:
    _ = translator_for(request)
    return render(
        request,
        "invitation/link.html",
        {"error": _(error.message) % error.params, "error_code": error.code},
        status_code=410,
    )


routes: list[BaseRoute] = [
    Route("/beheer/accounts/uitnodigen", invite, methods=["POST"]),
    Route("/uitnodiging/{token}", link_page, methods=["GET"], name="account_invitation"),
    Route("/uitnodiging/{token}", link_submit, methods=["POST"]),
]
