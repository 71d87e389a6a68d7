"""The ASGI app: settings, database, middleware and the routes of every domain."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from server import api as shell_api
from server import oidc_pages, two_factor_pages
from server import pages as shell_pages
from server.account_invitations import pages as account_invitation_pages
from server.admin import pages as admin_pages
from server.auth import CurrentUserMiddleware
from server.badinput import BadInputMiddleware
from server.bodylimit import BodyLimitMiddleware
from server.bus import Bus
from server.csrf import CSRFMiddleware
from server.db import create_engine, database_problem, sessionmaker
from server.erasure import ErasureAsk, ErasurePart, ErasureReport, erase
from server.errors import EXCEPTION_HANDLERS, error_response
from server.headers import SecurityHeadersMiddleware
from server.logs import AccessLogMiddleware
from server.mail import sender as mail_sender
from server.metrics import CollectorFactory, create_registry
from server.metrics import routes as metrics_routes
from server.oidc import OidcClient
from server.openapi import document as openapi_document
from server.openapi import openapi
from server.password_reset import pages as password_reset_pages
from server.settings import Settings
from server.templating import create_environment

log = logging.getLogger("werkplaats")
STATIC_DIR = Path(__file__).parent / "static"


Seeder = Callable[[async_sessionmaker[AsyncSession], Path | None], Awaitable[list[str]]]
# (database, what is asked, the running app or None, a bus to tell the server processes or None)
# -> what changed; see server/erasure.py
Eraser = Callable[
    [async_sessionmaker[AsyncSession], ErasureAsk, Starlette | None, Bus | None],
    Awaitable[ErasureReport],
]


def domain_routes() -> list[BaseRoute]:
    """The routes of the domain packages; the one place the server knows about them."""
    from catalogue.library import api as library_api
    from catalogue.library import pages as library_pages
    from catalogue.modules import pages as module_pages
    from catalogue.regions import api as region_api
    from catalogue.regions import pages as region_pages
    from catalogue.variants import api as variant_api
    from catalogue.variants import pages as variant_pages
    from sessions import api as session_api
    from sessions import feed_pages, workspace_client
    from sessions import pages as session_pages
    from sessions.groups import pages as group_pages
    from sessions.harvest import pages as harvest_pages
    from sessions.outcome import pages as outcome_pages
    from sessions.trends import pages as trend_pages

    return [
        *variant_pages.routes,
        *region_pages.routes,
        *variant_api.routes,
        *region_api.routes,
        *session_api.routes,
        *session_pages.routes,
        *group_pages.routes,
        *feed_pages.routes,
        *harvest_pages.routes,
        *outcome_pages.routes,
        *trend_pages.routes,
        *library_pages.routes,
        *library_api.routes,
        *module_pages.routes,
        *workspace_client.routes,  # /static/workspace, before the app's own /static
    ]


def domain_lifespans() -> list[Callable[[Starlette], AbstractAsyncContextManager[None]]]:
    """What the domains keep running while the app serves (the live-session machinery, and the
    sharing gate's de-identification model)."""
    from catalogue.outcomes.gate import ready
    from sessions.reminders import running as reminding
    from sessions.runtime import running

    return [ready, running, reminding]


def domain_collectors() -> list[CollectorFactory]:
    """What the domains report on /metrics, each read from the app when scraped."""
    from sessions.metrics import collector

    return [collector]


def domain_seeders() -> list[Seeder]:
    """What `werkplaats seed` loads, domain by domain; each returns lines to report.

    A seeder gets the database and, when the operator gave `--content DIR`, that directory.
    """
    from catalogue.seed import seed_from_files

    return [seed_from_files]


def domain_erasure_parts() -> list[ErasurePart]:
    """Each domain's part of erasing a person, in the order they find, plan and write (one
    transaction, server/erasure.py): the account first (the others erase its name and email),
    then the live sessions (they find the participants, their names and the sessions looked
    in), then the catalogue (outcomes of those sessions; an erased account's variant versions)."""
    from catalogue.erasure import PART as catalogue_part
    from server.erasure_accounts import PART as accounts_part
    from sessions.erase import PART as sessions_part

    return [accounts_part, sessions_part, catalogue_part]


def domain_eraser() -> Eraser:
    """What `werkplaats erase` and /beheer/wissen run: a person's identity out of every domain.

    Given the running app, it also makes the app reload the sessions it changed."""
    parts = domain_erasure_parts()

    async def erase_person(
        db: async_sessionmaker[AsyncSession],
        ask: ErasureAsk,
        app: Starlette | None = None,
        bus: Bus | None = None,
    ) -> ErasureReport:
        return await erase(db, ask, parts, app, bus)

    return erase_person


def domain_names_of() -> Callable[[AsyncSession, int], Awaitable[Mapping[str, str]]]:
    """Every display name a session's participants had: what the sharing gate replaces."""
    from sessions.queries import display_names

    return display_names


def domain_commands() -> Mapping[str, Callable[[argparse.Namespace, Settings], int]]:
    """The CLI commands whose work is a domain's, by name (server/cli.py parses them)."""
    from catalogue.modules.cli import export_command
    from sessions.retention.cli import retain_command

    return {"retain": retain_command, "export": export_command}


def domain_region_memberships() -> Callable[
    [AsyncSession], Awaitable[tuple[Sequence[Any], Mapping[int, Sequence[str]]]]
]:
    """The regions and each account's memberships, for the accounts page (server/pages.py)."""
    from catalogue.library.access import regions_and_memberships

    return regions_and_memberships


async def domain_migrate_data(db: async_sessionmaker[AsyncSession]) -> int:
    """What `werkplaats migrate` does after the schema: build deduce's lookup data (so no server
    ever builds it in a request) and pass every outcome not yet gated through the sharing gate.
    How many outcomes were gated."""
    from catalogue.outcomes import deidentify
    from catalogue.outcomes.actions import regate

    await asyncio.to_thread(deidentify.build)
    async with db() as session:
        return await regate(session, domain_names_of())


def create_app(settings: Settings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        app.state.engine = engine
        app.state.db = sessionmaker(engine)
        problem = await database_problem(engine)
        if problem is not None:
            # Keep serving: /healthz reports it, and pages answer 500 until it is back.
            log.error("database unreachable at start-up: %s", problem)
        try:
            async with contextlib.AsyncExitStack() as stack:
                await stack.enter_async_context(mail_sender.running(app))
                for domain_lifespan in domain_lifespans():
                    await stack.enter_async_context(domain_lifespan(app))
                yield
        finally:
            await engine.dispose()

    app = Starlette(
        routes=[
            *shell_pages.routes,
            *two_factor_pages.routes,
            *oidc_pages.routes,
            *shell_api.routes,
            *metrics_routes,
            *admin_pages.routes,
            *password_reset_pages.routes,
            *account_invitation_pages.routes,
            *domain_routes(),
            Route("/api/openapi.json", openapi, name="openapi"),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        ],
        middleware=[
            Middleware(AccessLogMiddleware),
            Middleware(SecurityHeadersMiddleware),
            # Before anything reads a body (the CSRF check reads forms): 413 unread.
            Middleware(
                BodyLimitMiddleware, max_bytes=settings.max_body_bytes, on_error=error_response
            ),
            Middleware(
                CSRFMiddleware,
                allowed_origins=settings.allowed_origins,
                on_error=error_response,
            ),
            Middleware(CurrentUserMiddleware),
            Middleware(BadInputMiddleware, on_error=error_response),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.oidc = OidcClient(settings) if settings.oidc_issuer else None
    app.state.templates = create_environment()
    from catalogue.openapi import OPENAPI
    from catalogue.variants.pages import HOME_LINKS, NAV
    from sessions.openapi import OPENAPI as SESSIONS_OPENAPI

    app.state.openapi = openapi_document([OPENAPI, SESSIONS_OPENAPI], version=_version())

    from sessions.groups.pages import NAV as GROUP_NAV
    from sessions.pages import NAV as SESSION_NAV

    # "roles": shown only to those
    app.state.nav_items = [*NAV, *SESSION_NAV, *GROUP_NAV, *admin_pages.NAV]
    app.state.eraser = domain_eraser()
    app.state.names_of = domain_names_of()
    app.state.region_memberships = domain_region_memberships()
    app.state.home_links = HOME_LINKS
    create_registry(app, [mail_sender.collector, *domain_collectors()])
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("werkplaats")
    except PackageNotFoundError:
        return "0+unknown"


def create_app_from_env() -> Starlette:
    """The app as `werkplaats serve` runs it (in every worker process)."""
    return create_app(Settings.from_env())
