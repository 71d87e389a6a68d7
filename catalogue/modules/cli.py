"""`werkplaats export`: curriculum modules to files, as their downloads on /modules give them."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.ext.asyncio import AsyncEngine

from catalogue.modules import export as module_export
from catalogue.modules import queries
from catalogue.variants.queries import CatalogueCache, load_catalogue
from server.cli_run import CommandError, Sessions, run_with_database
from server.settings import Settings


def export_command(args: argparse.Namespace, settings: Settings) -> int:
    """`werkplaats export module SLUG|--all` (server/cli.py parses it, server/app.py names
    this)."""
    from tqdm import tqdm

    from server.migrate import pending

    if args.all == (args.slug is not None):
        raise CommandError("give one module SLUG, or --all")
    if args.all and args.output is None:
        raise CommandError("--all needs --output DIR (a directory for one file per module)")
    if args.all and args.output.exists() and not args.output.is_dir():
        raise CommandError(f"{args.output} is not a directory")

    async def work(engine: AsyncEngine, db: Sessions) -> int:
        if await pending(engine):
            raise CommandError("the database is not migrated; run `werkplaats migrate` first")
        async with db() as session:
            catalogue = await load_catalogue(session, CatalogueCache())
            variants = {cv.variant.slug: cv.variant for cv in catalogue.variants}
            if args.all:
                todo = await queries.all_modules(session)
            else:
                module = await queries.load_module(session, args.slug)
                if module is None:
                    raise CommandError(f"there is no module {args.slug!r}")
                todo = [module]
            slugs = [module.slug for module in todo]
        if args.all:
            args.output.mkdir(parents=True, exist_ok=True)
        written = 0
        # Exporting many: a progress bar on stderr when it is a terminal (disable=None: off
        # otherwise, so logs and pipes get no carriage returns), then one summary line always.
        with tqdm(
            total=len(slugs),
            desc="exporting",
            unit="module",
            file=sys.stderr,
            disable=None if args.all else True,
        ) as bar:
            for slug in slugs:
                async with db() as session:
                    module = await queries.load_module(session, slug)
                    if module is None:
                        bar.update()
                        continue  # deleted meanwhile
                    version = await queries.latest(session, module)
                    text = await module_export.export_module(
                        session,
                        module,
                        version,
                        variants,
                        args.format,
                        actor="cli",
                    )
                if args.all:
                    (args.output / f"{slug}.{args.format}").write_text(text, encoding="utf-8")
                    written += 1
                    bar.update()
                elif args.output is not None:
                    args.output.write_text(text, encoding="utf-8")
                    print(f"exported {slug} to {args.output}", file=sys.stderr)
                else:
                    sys.stdout.write(text)
        if args.all and not slugs:
            print("no modules to export", file=sys.stderr)
        elif args.all:
            noun = "module" if written == 1 else "modules"
            print(f"exported {written} {noun} to {args.output}", file=sys.stderr)
        return 0

    return run_with_database(settings, work)
