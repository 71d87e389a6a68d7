"""The `werkplaats` command: serve, migrate, seed, demo, createuser, erase, retain, export.

This module parses the command line and hands each sub-command to its handler: the server's
own in server/cli_commands.py and server/cli_erase.py, a domain's through the assembly
(server/app.py); what every handler uses (the database, the bus, refusals) is in
server/cli_run.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from server import cli_commands, cli_erase
from server.cli_run import CommandError, Handler
from server.settings import Settings, SettingsError


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
    serve.set_defaults(handler=cli_commands.serve)

    migrate = commands.add_parser(
        "migrate", help="apply database migrations", description="Bring the schema up to date."
    )
    migrate.set_defaults(handler=cli_commands.migrate)

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
    seed.set_defaults(handler=cli_commands.seed)

    demo = commands.add_parser(
        "demo",
        help="migrate, seed with demo accounts, and serve",
        description="Everything a first look needs: migrate, seed, demo accounts, serve.",
    )
    _add_address(demo)
    demo.set_defaults(handler=cli_commands.demo)

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
    createuser.set_defaults(handler=cli_commands.createuser)

    erase = commands.add_parser(
        "erase",
        help="erase a person's identity (sessions, harvests, outcomes, account)",
        description="Erase a person's identity: their display name becomes [verwijderd] in the "
        "sessions they took part in, every mention of their name in texts (notes, chat, "
        "clusters, harvests, outcomes) becomes [naam verwijderd], and an account loses its "
        "name, email, roles, logins and password. Their contributions stay, pseudonymous, "
        "unless --delete-contributions. Idempotent. Shows what it will change and asks first. "
        "With WERKPLAATS_BUS_URL=postgres://… the running server processes are told to reload "
        "the sessions it changed; with memory:// a running server keeps the sessions open at "
        "that moment in memory: restart it afterwards, or erase on the coordinator page "
        "/beheer/wissen, which reloads them. See docs/privacy.md.",
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
        "--member",
        metavar="GROUP:MEMBER",
        help="a member of a group, in every session of the group, with their membership "
        "(the group's id in its address, a colon, the member's id); write --member=G:M",
    )
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
    erase.set_defaults(handler=cli_erase.erase)

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


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date (YYYY-MM-DD)") from None


if __name__ == "__main__":
    sys.exit(main())
