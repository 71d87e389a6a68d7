"""`werkplaats erase`: erase a person's identity, or replay the erasure journal after a restore
(the work is the domains', composed by server/app.py; docs/privacy.md)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from server.cli_run import (
    CommandError,
    Sessions,
    bus_to_servers,
    confirm,
    require_migrated,
    run_with_database,
)
from server.settings import Settings


def erase(args: argparse.Namespace, settings: Settings) -> int:
    from server.app import domain_eraser
    from server.erasure import JOURNAL, ErasureAsk, ErasureError, Person

    if args.replay is not None:
        return _erase_replay(args, settings)
    if args.since is not None:
        raise CommandError("--since goes with --replay only")
    try:
        if args.name is not None:
            person = Person.by_name(args.name)
        elif args.participant is not None:
            person = Person.by_participant(args.participant)
        elif args.member is not None:
            person = Person.by_member(args.member)
        else:
            person = Person.by_account(args.account)
    except ErasureError as error:
        raise CommandError(str(error)) from None
    eraser = domain_eraser()

    async def work(engine: AsyncEngine, db: Sessions) -> int:
        await require_migrated(engine)
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
            if not args.yes and not confirm("Erase this now? This cannot be undone. [y/N] "):
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
        await require_migrated(engine)
        since = f" from {args.since}" if args.since else ""
        print(f"{len(entries)} erasure(s) recorded in {path}{since}")
        if not entries:
            return 0
        if not (args.yes or args.dry_run) and not confirm("Erase these again now? [y/N] "):
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
                        if error.code not in (
                            "unknown_session",
                            "unknown_participant",
                            "unknown_group",
                            "unknown_member",
                        ):
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
