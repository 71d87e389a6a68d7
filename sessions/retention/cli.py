"""`werkplaats retain`: the retention run, daily (deploy/systemd/werkplaats-retention.timer, the
compose service `retention`)."""

from __future__ import annotations

import argparse

from sqlalchemy.ext.asyncio import AsyncEngine

from server.cli_run import Sessions, bus_to_servers, require_migrated, run_with_database
from server.settings import Settings
from sessions.retention.actions import retain


def retain_command(args: argparse.Namespace, settings: Settings) -> int:
    """`werkplaats retain [--dry-run]` (server/cli.py parses it, server/app.py names this)."""

    async def work(engine: AsyncEngine, db: Sessions) -> int:
        await require_migrated(engine)
        async with bus_to_servers(settings) as bus:
            report = await retain(db, settings.retention_days, dry_run=args.dry_run, bus=bus)
        for line in report.lines():
            print(line)
        return 0

    return run_with_database(settings, work)
