"""The server's own `werkplaats` sub-commands: serve, migrate, seed, demo, createuser."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from sqlalchemy.ext.asyncio import AsyncEngine

from server.cli_run import CommandError, Sessions, require_migrated, run_with_database
from server.settings import Settings

# Requests still running this long after SIGTERM are cancelled (systemd waits 30 s, compose 30).
GRACEFUL_SHUTDOWN_SECONDS = 20


def migrate(args: argparse.Namespace, settings: Settings) -> int:
    from server.app import domain_migrate_data
    from server.migrate import pending, upgrade

    async def work(engine: AsyncEngine, db: Sessions) -> int:
        todo = await pending(engine)
        await upgrade(engine)
        print(f"migrated: {len(todo)} migration(s) applied" if todo else "migrated: up to date")
        gated = await domain_migrate_data(db)
        if gated:
            print(f"migrated: {gated} outcome(s) passed through the sharing gate")
        return 0

    return run_with_database(settings, work)


def seed(args: argparse.Namespace, settings: Settings) -> int:
    from server.app import domain_seeders
    from server.demo import ensure_demo_accounts
    from server.errors import SeedError

    async def work(engine: AsyncEngine, db: Sessions) -> int:
        await require_migrated(engine)
        for seeder in domain_seeders():
            try:
                lines = await seeder(db, args.content)
            except SeedError as error:
                raise CommandError(f"nothing was loaded:\n{error}") from None
            for line in lines:
                print(line)
        if args.demo_accounts:
            async with db() as session:
                for line in await ensure_demo_accounts(session):
                    print(f"demo account: {line}")
        return 0

    return run_with_database(settings, work)


def serve(args: argparse.Namespace, settings: Settings) -> int:
    if args.workers > 1 and settings.bus_url.startswith("memory"):
        raise CommandError(
            f"--workers {args.workers} needs a bus between the processes, and "
            "WERKPLAATS_BUS_URL is memory:// (one process only); "
            "set WERKPLAATS_BUS_URL=postgres://… with a PostgreSQL database, or use --workers 1"
        )

    from server.db import describe_url

    database = describe_url(settings.database_url)

    async def check(engine: AsyncEngine, _db: Sessions) -> int:
        await require_migrated(engine, database)
        return 0

    run_with_database(settings, check)
    import logging.config

    import uvicorn

    from server.logs import uvicorn_log_config

    # The same logging uvicorn sets up, already for these lines: under WERKPLAATS_LOG_FORMAT=json
    # a log collector reads nothing but JSON records.
    logging.config.dictConfig(uvicorn_log_config(settings))
    log = logging.getLogger("werkplaats.serve")
    log.info(
        "Werkplaats serves on http://%s:%s (database %s)", _url_host(args.host), args.port, database
    )
    if not os.environ.get("WERKPLAATS_DATABASE_URL"):
        # Right for a demo; a deploy that forgot the setting must see it at once.
        log.warning(
            "WERKPLAATS_DATABASE_URL is not set, so the SQLite file in "
            "WERKPLAATS_DATA_DIR is used: one process only, never several"
        )
    # SIGTERM: uvicorn stops accepting, closes the websockets (1012: clients resume, on another
    # process behind the proxy), lets running requests finish, then stops the app.
    uvicorn.run(
        "server.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        log_level="info",
        log_config=uvicorn_log_config(settings),
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    return 0


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def demo(args: argparse.Namespace, settings: Settings) -> int:
    from server.db import describe_url

    # The database as every other message names it: with its password hidden.
    print("Werkplaats demo: migrating and seeding", describe_url(settings.database_url))
    migrate(args, settings)
    seed_args = argparse.Namespace(demo_accounts=True, content=None)
    seed(seed_args, settings)
    print(f"\nOpen http://{_url_host(args.host)}:{args.port} and log in with a demo account.\n")
    serve_args = argparse.Namespace(host=args.host, port=args.port, workers=1)
    return serve(serve_args, settings)


def createuser(args: argparse.Namespace, settings: Settings) -> int:
    from server.accounts import AccountError, create_user

    async def work(engine: AsyncEngine, db: Sessions) -> int:
        # The database first: nobody types a password twice to hear it is not migrated.
        await require_migrated(engine)
        password = _new_password(args.password_stdin)
        async with db() as session:
            try:
                user = await create_user(
                    session, email=args.email, name=args.name, password=password, roles=args.roles
                )
            except AccountError as error:
                raise CommandError(str(error)) from None
        print(f"created {user.email} ({', '.join(sorted(r.value for r in user.roles))})")
        return 0

    return run_with_database(settings, work)


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        raise CommandError("the two passwords differ")
    return password
