"""The `werkplaats` command: serve, migrate, seed, demo, createuser, erase, retain, export."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import getpass
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from server.settings import Settings, SettingsError

if TYPE_CHECKING:
    from server.bus import Bus

Handler = Callable[[argparse.Namespace, Settings], int]
# Requests still running this long after SIGTERM are cancelled (systemd waits 30 s, compose 30).
GRACEFUL_SHUTDOWN_SECONDS = 20
Sessions = async_sessionmaker[AsyncSession]


class CommandError(Exception):
    """A refused command; the message is printed and the exit code is 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        handler: Handler = args.handler
        return handler(args, settings)
    except (SettingsError, CommandError) as error:
        print(f"werkplaats {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="werkplaats",
        description="Werkplaats: learning practices for the social domain. "
        "Settings come from WERKPLAATS_* environment variables (see the README).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the web app", description="Serve the app.")
    _add_address(serve)
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="number of server processes (more than 1 needs WERKPLAATS_BUS_URL=postgres://…)",
    )
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser(
        "migrate", help="apply database migrations", description="Bring the schema up to date."
    )
    migrate.set_defaults(handler=_migrate)

    seed = commands.add_parser(
        "seed",
        help="load the catalogue content into the database",
        description="Load the catalogue and regions from the content files (idempotent).",
    )
    seed.add_argument(
        "--demo-accounts", action="store_true", help="also create one demo account per role"
    )
    seed.add_argument(
        "--content",
        type=Path,
        metavar="DIR",
        help="load the catalogue from this directory instead of the one shipped",
    )
    seed.set_defaults(handler=_seed)

    demo = commands.add_parser(
        "demo",
        help="migrate, seed with demo accounts, and serve",
        description="Everything a first look needs: migrate, seed, demo accounts, serve.",
    )
    _add_address(demo)
    demo.set_defaults(handler=_demo)

    createuser = commands.add_parser(
        "createuser",
        help="create an account",
        description="Create an account. The password is asked twice, or read from stdin.",
    )
    createuser.add_argument("--email", required=True, help="email address (the login name)")
    createuser.add_argument("--name", required=True, help="the name shown to others")
    createuser.add_argument(
        "--role",
        action="append",
        required=True,
        dest="roles",
        metavar="ROLE",
        help="coordinator, facilitator or educator; repeat for more than one",
    )
    createuser.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    createuser.set_defaults(handler=_createuser)

    erase = commands.add_parser(
        "erase",
        help="erase a person's identity (sessions, harvests, outcomes, account)",
        description="Erase a person's identity: their display name becomes [verwijderd] in the "
        "sessions they took part in, every mention of their name in texts (notes, chat, "
        "clusters, harvests, outcomes) becomes [naam verwijderd], and an account loses its "
        "name, email, roles, logins and password. Their contributions stay, pseudonymous, "
        "unless --delete-contributions. Idempotent. Shows what it will change and asks first. "
        "A running server keeps the sessions open at that moment in memory: restart it "
        "afterwards, or erase on the coordinator page /beheer/wissen, which reloads them. "
        "See docs/privacy.md.",
    )
    who = erase.add_mutually_exclusive_group(required=True)
    who.add_argument(
        "--name", metavar="NAME", help="a display name (any case and spacing), in every session"
    )
    who.add_argument(
        "--participant",
        metavar="PUBLIC_ID:PARTICIPANT",
        help="one participant of one session (the session's id in its address, a colon, "
        "the participant's id); write --participant=ID:P, as an id may begin with '-'",
    )
    who.add_argument("--account", metavar="EMAIL", help="an account, by its email address")
    who.add_argument(
        "--replay",
        nargs="?",
        const="",
        metavar="FILE",
        help="after restoring a backup: make every erasure recorded in the erasure journal "
        "again (default: erasures.log in the data directory; ids only, see docs/privacy.md)",
    )
    erase.add_argument(
        "--since",
        metavar="YYYY-MM-DD",
        type=_date,
        help="with --replay: only the erasures from this day on (e.g. the backup's day)",
    )
    erase.add_argument(
        "--delete-contributions",
        action="store_true",
        help="also replace their notes and chat messages by [verwijderd op verzoek] and "
        "delete their harvest response",
    )
    erase.add_argument(
        "--dry-run", action="store_true", help="only show what would change (counts, no texts)"
    )
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.set_defaults(handler=_erase)

    retain = commands.add_parser(
        "retain",
        help="delete sessions, harvests and audit entries older than the retention period",
        description="Delete what is older than WERKPLAATS_RETENTION_DAYS (default 365; 0 keeps "
        "everything): sessions last active before then, with their event log, snapshot and "
        "harvests; their outcome too unless it was shared beyond the group, in which case it "
        "stays with the names of its participants erased; and older audit entries. Prints "
        "counts and session ids, never contents. Idempotent; run daily by "
        "werkplaats-retention.timer. See docs/privacy.md, 'Retention'.",
    )
    retain.add_argument(
        "--dry-run", action="store_true", help="only show what would be deleted (counts, ids)"
    )
    retain.set_defaults(handler=_domain("retain"))

    export = commands.add_parser(
        "export",
        help="export a curriculum module (Markdown, printable HTML or JSON)",
        description="Export a module's newest version, as its download on /modules does: only "
        "outcomes shared openly, with licence and attribution, and a list of what was left out "
        "and why. Every export is recorded in the audit log. See docs/modules.md.",
    )
    export.add_argument("kind", choices=["module"], help="what to export: module")
    export.add_argument("slug", nargs="?", metavar="SLUG", help="the module (its address name)")
    export.add_argument(
        "--all", action="store_true", help="export every module (needs --output DIR)"
    )
    export.add_argument(
        "--format", required=True, choices=["md", "html", "json"], help="md, html or json"
    )
    export.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="write to this file (with --all: this directory); standard output without it",
    )
    export.set_defaults(handler=_domain("export"))
    return parser


def _domain(command: str) -> Handler:
    """The handler of a command whose work is a domain's: this module parses its arguments, the
    assembly (server/app.py) names the domain's handler, so the core imports no domain."""

    def handler(args: argparse.Namespace, settings: Settings) -> int:
        from server.app import domain_commands

        return domain_commands()[command](args, settings)

    return handler


def _add_address(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=_port, default=8000, help="port to listen on")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


def _port(text: str) -> int:
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (1-65535)")
    return value


def run_with_database(
    settings: Settings, work: Callable[[AsyncEngine, Sessions], Awaitable[int]]
) -> int:
    """Run async work with an engine, turning an unreachable database into a clear error."""
    from server.db import create_engine, database_problem, sessionmaker

    async def go() -> int:
        engine = create_engine(settings.database_url)
        try:
            problem = await database_problem(engine)
            if problem is not None:
                raise CommandError(f"cannot reach the database {problem}")
            return await work(engine, sessionmaker(engine))
        finally:
            await engine.dispose()

    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return asyncio.run(go())


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
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


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    from server.app import domain_seeders
    from server.demo import ensure_demo_accounts
    from server.errors import SeedError
    from server.migrate import pending

    async def work(engine: AsyncEngine, db: Sessions) -> int:
        if await pending(engine):
            raise CommandError("the database is not migrated; run `werkplaats migrate` first")
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


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from server.migrate import pending

    if args.workers > 1 and settings.bus_url.startswith("memory"):
        raise CommandError(
            f"--workers {args.workers} needs a bus between the processes, and "
            "WERKPLAATS_BUS_URL is memory:// (one process only); "
            "set WERKPLAATS_BUS_URL=postgres://… with a PostgreSQL database, or use --workers 1"
        )

    from server.db import describe_url

    database = describe_url(settings.database_url)

    async def check(engine: AsyncEngine, _db: Sessions) -> int:
        if await pending(engine):
            raise CommandError(
                f"the database {database} is not migrated; run `werkplaats migrate` first"
            )
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


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    print("Werkplaats demo: migrating and seeding", settings.database_url.split("///")[-1])
    _migrate(args, settings)
    seed_args = argparse.Namespace(demo_accounts=True, content=None)
    _seed(seed_args, settings)
    print(f"\nOpen http://{_url_host(args.host)}:{args.port} and log in with a demo account.\n")
    serve_args = argparse.Namespace(host=args.host, port=args.port, workers=1)
    return _serve(serve_args, settings)


def _createuser(args: argparse.Namespace, settings: Settings) -> int:
    from server.accounts import AccountError, create_user

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise CommandError("the two passwords differ")

    async def work(_engine: AsyncEngine, db: Sessions) -> int:
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


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date (YYYY-MM-DD)") from None


def _erase(args: argparse.Namespace, settings: Settings) -> int:
    from server.app import domain_eraser
    from server.erasure import JOURNAL, ErasureAsk, ErasureError, Person
    from server.migrate import pending

    if args.replay is not None:
        return _erase_replay(args, settings)
    if args.since is not None:
        raise CommandError("--since goes with --replay only")
    try:
        if args.name is not None:
            person = Person.by_name(args.name)
        elif args.participant is not None:
            person = Person.by_participant(args.participant)
        else:
            person = Person.by_account(args.account)
    except ErasureError as error:
        raise CommandError(str(error)) from None
    eraser = domain_eraser()

    async def work(engine: AsyncEngine, db: Sessions) -> int:
        if await pending(engine):
            raise CommandError("the database is not migrated; run `werkplaats migrate` first")
        ask = ErasureAsk(
            person,
            delete_contributions=args.delete_contributions,
            dry_run=True,
            journal=settings.data_dir / JOURNAL,
        )
        try:
            preview = await eraser(db, ask, None, None)
            for line in preview.lines():
                print(line)
            if args.dry_run or not preview.changed:
                if args.dry_run and preview.changed:
                    print("nothing was changed (dry run)")
                return 0
            if not args.yes and not _confirm("Erase this now? This cannot be undone. [y/N] "):
                print("nothing was changed")
                return 1
            async with bus_to_servers(settings) as bus:
                done = await eraser(db, replace(ask, dry_run=False), None, bus)
        except ErasureError as error:
            raise CommandError(str(error)) from None
        for line in done.lines()[1:]:
            print(line)
        if done.session_ids and bus is not None:
            print("the server processes were told to reload these sessions (the bus)")
        elif done.session_ids:
            print(
                "a running server still holds these sessions in memory: restart it "
                "(or erase on the page /beheer/wissen, which reloads them)"
            )
        return 0

    return run_with_database(settings, work)


def _erase_replay(args: argparse.Namespace, settings: Settings) -> int:
    """Make every erasure in the journal again (after a restore): by participant ids and
    account ids, as recorded; an erasure by a name that no participant had cannot be made
    without the name, and is listed (exit code 3)."""
    from server.app import domain_eraser
    from server.db import purge_old_copies
    from server.erasure import JOURNAL, ErasureError, read_journal, replay_of
    from server.migrate import pending

    if args.delete_contributions:
        raise CommandError("--replay takes --delete-contributions from each recorded erasure")
    path = Path(args.replay) if args.replay else settings.data_dir / JOURNAL
    if not path.is_file():
        raise CommandError(f"there is no erasure journal {path}")
    try:
        entries = read_journal(path, args.since)
    except ErasureError as error:
        raise CommandError(str(error)) from None
    eraser = domain_eraser()

    async def work(engine: AsyncEngine, db: Sessions) -> int:
        if await pending(engine):
            raise CommandError("the database is not migrated; run `werkplaats migrate` first")
        since = f" from {args.since}" if args.since else ""
        print(f"{len(entries)} erasure(s) recorded in {path}{since}")
        if not entries:
            return 0
        if not (args.yes or args.dry_run) and not _confirm("Erase these again now? [y/N] "):
            print("nothing was changed")
            return 1
        tables: set[str] = set()
        changed = missing = 0
        async with bus_to_servers(settings) as bus:
            for entry in entries:
                replay = replay_of(entry)
                if replay.needs_name:
                    missing += 1
                    print(
                        f"{entry['at']}: erased by a name no participant had (sessions "
                        f"{', '.join(entry.get('sessions') or ()) or 'none'}): the journal "
                        "keeps no name; erase it again with --name"
                    )
                for ask in replay.asks:
                    ask = replace(ask, dry_run=args.dry_run, purge=False)
                    what = f"{entry['at']}: {ask.person.kind} {ask.person.value}"
                    try:
                        report = await eraser(db, ask, None, bus)
                    except ErasureError as error:
                        if error.code not in ("unknown_session", "unknown_participant"):
                            raise CommandError(str(error)) from None
                        print(f"{what}: not in this database")
                        continue
                    if report.changed:
                        changed += 1
                        tables.update(report.tables)
                        if report.session_ids:
                            tables.add("session_snapshots")
                    counts = ", ".join(f"{t} {n}" for t, n in report.tables.items())
                    print(f"{what}: {counts or 'nothing to change'}")
        if tables and not args.dry_run:
            if await purge_old_copies(engine, tables):
                print("the database files were rewritten without old copies of these rows")
            else:
                print(
                    "warning: a transaction begun before was still running: old copies may "
                    f"remain until `VACUUM (FULL) {', '.join(sorted(tables))}` once it has ended"
                )
        print(
            f"{'would make' if args.dry_run else 'made'} {changed} erasure(s) again"
            + (f"; {missing} need(s) the name again" if missing else "")
        )
        if changed and not args.dry_run and bus is None:
            print("a running server still holds these sessions in memory: restart it")
        return 3 if missing else 0

    return run_with_database(settings, work)


@contextlib.asynccontextmanager
async def bus_to_servers(settings: Settings) -> AsyncIterator[Bus | None]:
    """The PostgreSQL bus the server processes listen on, or None: with memory:// they are out
    of reach (and when the bus cannot be reached, the caller says to restart them)."""
    from server.bus import create_bus

    if settings.bus_url.startswith("memory"):
        yield None
        return
    bus = create_bus(settings.bus_url, settings.database_url)
    try:
        await bus.connect()
    except Exception as error:
        print(f"werkplaats: cannot reach the bus ({type(error).__name__})", file=sys.stderr)
        yield None
        return
    try:
        yield bus
    finally:
        await bus.disconnect()


def _confirm(question: str) -> bool:
    try:
        answer = input(question)
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "j", "ja")


if __name__ == "__main__":
    sys.exit(main())
