"""Commands for the catalog: import, export and list mantras.

    mantra-desktop import [--database URL] PATH...
    mantra-desktop export MANTRA [-o FILE]
    mantra-desktop list [--search WORDS] [--app APP]

``import`` prints one line per rejected file with its reason and a summary
line; it exits 0 when every workflow was imported or already present, 1 when
some were rejected.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mantra_desktop.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    complain,
    runs,
    say,
)

if TYPE_CHECKING:
    from mantra_desktop.services.context import Services

logger = logging.getLogger(__name__)

LIST_PAGE = 500


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's sub-commands to the parser."""
    importing = commands.add_parser(
        "import",
        help="import n8n workflow files and folders into the catalog",
        description="Import n8n workflow files, and every .json file in folders.",
    )
    importing.add_argument("paths", nargs="+", metavar="PATH", type=Path)
    runs(importing, _import)

    exporting = commands.add_parser(
        "export",
        help="save a mantra as a file n8n's editor imports",
        description="Save a mantra as an n8n workflow file.",
    )
    exporting.add_argument("mantra", metavar="MANTRA", help="its id or its name")
    exporting.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=Path,
        help="where to write it (default: a file named after the mantra; "
        "- for standard output)",
    )
    runs(exporting, _export)

    listing = commands.add_parser(
        "list",
        help="list the mantras in the catalog",
        description="List mantras: id, name, trigger and apps, one per line.",
    )
    listing.add_argument("--search", metavar="WORDS", default="")
    listing.add_argument(
        "--app", metavar="APP", action="append", default=[], help="repeatable"
    )
    runs(listing, _list)


async def _import(services: Services, args: argparse.Namespace) -> int:
    summary = await services.catalog.import_paths(args.paths)
    for rejected in summary.rejected:
        say(f"rejected {rejected.source}: {rejected.reason}")
    say(summary.headline())
    return EXIT_OK if summary.ok else EXIT_REFUSED


async def _export(services: Services, args: argparse.Namespace) -> int:
    from mantra_desktop.services.catalog import export_file_name

    mantra = await services.catalog.resolve(args.mantra)
    name, content = await services.catalog.export_bytes(mantra.id)
    if args.output is not None and str(args.output) == "-":
        sys.stdout.write(content.decode("utf-8"))
        return EXIT_OK
    target = args.output or Path(export_file_name(name))
    await services.catalog.export(mantra.id, target)
    say(f"exported {name} to {target}")
    return EXIT_OK


async def _list(services: Services, args: argparse.Namespace) -> int:
    from mantra_desktop.repositories.mantras import MantraQuery, SortKey
    from mantra_desktop.services.catalog import trigger_label

    query = MantraQuery(
        words=args.search,
        apps=frozenset(args.app),
        sort=SortKey.RELEVANCE if args.search else SortKey.NAME,
    )
    offset = 0
    while True:
        rows = await services.catalog.search(query, offset=offset, limit=LIST_PAGE)
        for row in rows:
            apps = row.apps_label or "-"
            say(f"{row.id}  {row.name}  [{trigger_label(row.trigger_kind)}]  {apps}")
        if len(rows) < LIST_PAGE:
            break
        offset += LIST_PAGE
    total = offset + len(rows)
    if total == 0:
        complain("no mantra matches")
    return EXIT_OK
