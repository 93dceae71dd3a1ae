"""What every command shares: opening the services, errors, exit codes."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from mantra_desktop.config import app_paths, resolve_database_url
from mantra_desktop.logs import configure_logging

if TYPE_CHECKING:
    # Commands are parsed before anything heavy loads: the services (and the
    # database libraries under them) are imported when a command runs.
    from mantra_desktop.services.context import Services

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_DATABASE = 2
EXIT_UNEXPECTED = 3

CommandBody = Callable[["Services", argparse.Namespace], Awaitable[int]]


def runs(parser: argparse.ArgumentParser, body: CommandBody) -> None:
    """Make ``parser``'s command run ``body``, and accept the common options."""
    from mantra_desktop.cli import add_common_options

    add_common_options(parser, in_command=True)
    parser.set_defaults(run=lambda args: run_command(body, args))


def say(line: str) -> None:
    """Write one line of a command's output."""
    sys.stdout.write(line + "\n")


def complain(line: str) -> None:
    """Write one line to standard error."""
    sys.stderr.write(line + "\n")


async def _open_and_run(body: CommandBody, args: argparse.Namespace) -> int:
    from mantra_desktop.services.context import (
        build_services,
        open_database,
        user_service,
    )
    from mantra_desktop.services.errors import ServiceError

    paths = app_paths()
    url = resolve_database_url(args.database, paths)
    database, _report = await open_database(url, paths, echo=args.debug)
    try:
        users = user_service(database, paths)
        if database.is_shared:
            user = await users.remembered_user(url)
            if user is None:
                raise ServiceError(
                    "This is a shared database: start the app once to choose "
                    "your user, then run the command again."
                )
        else:
            user = await users.ensure_local_user()
        return await body(build_services(database, paths, user), args)
    finally:
        await database.dispose()


def run_command(body: CommandBody, args: argparse.Namespace) -> int:
    """Run a command body against the chosen database and return its exit code."""
    paths = app_paths()
    configure_logging(paths.log_file, debug=args.debug)
    import asyncio

    from mantra_desktop.db.errors import DatabaseError
    from mantra_desktop.services.errors import explained_errors

    try:
        return asyncio.run(_open_and_run(body, args))
    except DatabaseError as error:
        complain(f"error: {error}")
        return EXIT_DATABASE
    except explained_errors() as error:
        complain(f"error: {error}")
        return EXIT_REFUSED
    except KeyboardInterrupt:
        complain("interrupted")
        return EXIT_REFUSED
    except Exception:
        logger.exception("The command failed unexpectedly")
        complain(
            f"error: something unexpected went wrong; see the log at {paths.log_file}"
        )
        return EXIT_UNEXPECTED
