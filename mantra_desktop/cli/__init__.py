"""The command line: the window by default, and commands for people who script.

Commands print plain lines, exit 0 on success and 1 when something was
refused, and never show a traceback (the log has it).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

import mantra_desktop
from mantra_desktop import APP_ID

CommandRegistrar = Callable[
    ["argparse._SubParsersAction[argparse.ArgumentParser]"], None
]


def _registrars() -> list[CommandRegistrar]:
    """Each command module adds its sub-commands here."""
    from mantra_desktop.cli import catalog, installs

    return [catalog.register, installs.register]


class _VersionAction(argparse.Action):
    """Print the version, read from the package metadata only when asked."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        options: dict[str, Any] = {**kwargs, "nargs": 0}
        super().__init__(option_strings, dest, **options)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        parser.exit(message=f"{mantra_desktop.__version__}\n")


# Every command's name, so that starting the window (no command) need not load
# the command modules; a test checks this against the registered commands.
COMMAND_NAMES = frozenset(
    {"import", "export", "list", "servers", "install", "installations", "uninstall"}
)


def wants_command(argv: Sequence[str]) -> bool:
    """Whether ``argv`` names a command or asks for help (so needs them all)."""
    return any(arg in COMMAND_NAMES or arg in ("-h", "--help") for arg in argv)


def build_parser(*, with_commands: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=APP_ID,
        description="Browse n8n workflow templates and install them into your "
        "own n8n servers. Without a command, the window opens.",
    )
    parser.add_argument(
        "--version", action=_VersionAction, help="show the version and exit"
    )
    add_common_options(parser)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="start, paint the window once, and quit (for checks)",
    )
    if not with_commands:
        return parser
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in _registrars():
        register(commands)
    return parser


def add_common_options(
    parser: argparse.ArgumentParser, *, in_command: bool = False
) -> None:
    """Add --database and --debug; commands accept them after their name too."""
    database_default = argparse.SUPPRESS if in_command else None
    debug_default = argparse.SUPPRESS if in_command else False
    parser.add_argument(
        "--database",
        metavar="URL",
        default=database_default,
        help="a SQLite file or PostgreSQL URL (default: DATABASE_URL, then the "
        "file in your data folder)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=debug_default,
        help="log to the console too, and log SQL statements",
    )
