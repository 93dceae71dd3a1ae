"""Commands for servers and installs: registered on the main parser.

mantra-desktop servers                      list the servers
mantra-desktop servers add NAME URL         key from MANTRA_N8N_API_KEY or stdin
mantra-desktop servers test NAME            version and whether the key works
mantra-desktop install MANTRA --server NAME [--activate]
mantra-desktop installations                every installation and its state
mantra-desktop uninstall ID                 delete the workflow, mark it removed
"""

from __future__ import annotations

import argparse
import os
import sys
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

API_KEY_VARIABLE = "MANTRA_N8N_API_KEY"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's sub-commands to the parser."""
    servers = commands.add_parser("servers", help="list, add or test n8n servers")
    runs(servers, _list_servers)
    actions = servers.add_subparsers(dest="server_command", metavar="ACTION")
    add = actions.add_parser(
        "add",
        help=f"add a server; the API key is read from {API_KEY_VARIABLE} or stdin",
    )
    add.add_argument("name")
    add.add_argument("url")
    add.add_argument("--default", action="store_true", help="make it the default")
    runs(add, _add_server)
    test = actions.add_parser("test", help="check a server's version and API key")
    test.add_argument("name")
    runs(test, _test_server)

    install = commands.add_parser("install", help="install a mantra into a server")
    install.add_argument("mantra", help="the mantra's id or name")
    install.add_argument("--server", help="server name (default: the default one)")
    install.add_argument("--activate", action="store_true", help="activate it")
    runs(install, _install)

    listing = commands.add_parser("installations", help="list installations")
    runs(listing, _installations)

    uninstall = commands.add_parser("uninstall", help="uninstall an installation")
    uninstall.add_argument("id", help="the installation id (see installations)")
    runs(uninstall, _uninstall)


async def _list_servers(services: Services, args: argparse.Namespace) -> int:
    servers = await services.servers.list_servers()
    if not servers:
        say("No servers. Add one with: servers add NAME URL")
    for server in servers:
        mark = "*" if server.is_default else " "
        say(f"{mark} {server.name}\t{server.base_url}\tn8n {server.n8n_version or '?'}")
    return EXIT_OK


def _read_key() -> str:
    key = os.environ.get(API_KEY_VARIABLE, "").strip()
    if key:
        return key
    if sys.stdin.isatty():
        complain(f"Paste the API key, then press Enter (or set {API_KEY_VARIABLE}):")
    return sys.stdin.readline().strip()


async def _add_server(services: Services, args: argparse.Namespace) -> int:
    key = _read_key()
    info = await services.servers.test(args.url, key)
    server = await services.servers.add(
        args.name, args.url, key, make_default=args.default, version=info.version
    )
    say(f"Added {server.name}: n8n {info.version or '(version unknown)'}")
    return EXIT_OK


async def _test_server(services: Services, args: argparse.Namespace) -> int:
    server = await services.servers.by_name(args.name)
    report = await services.servers.check(server.id)
    (say if report.key_accepted else complain)(report.message)
    return EXIT_OK if report.key_accepted else EXIT_REFUSED


async def _install(services: Services, args: argparse.Namespace) -> int:
    from mantra_desktop.services.install import InstallRequest

    mantra = await services.catalog.resolve(args.mantra)
    if args.server:
        server = await services.servers.by_name(args.server)
    else:
        default = await services.servers.default()
        if default is None:
            complain("error: no server yet; add one with: servers add NAME URL")
            return EXIT_REFUSED
        server = default
    plan = await services.installs.plan(mantra.id, server.id)
    for warning in plan.warnings:
        complain(f"warning: {warning.message}")
    row = await services.installs.install(
        InstallRequest(mantra.id, server.id, activate=args.activate)
    )
    say(f"Installed {mantra.name} on {server.name} as workflow {row.n8n_workflow_id}")
    say(f"installation {row.id}")
    return EXIT_OK


async def _installations(services: Services, args: argparse.Namespace) -> int:
    views = await services.installs.list_installations()
    if not views:
        say("No installations.")
    for view in views:
        error = f"\t{view.error}" if view.error else ""
        say(
            f"{view.id}\t{view.mantra_name}\t{view.server_name}\t"
            f"v{view.mantra_version}\t{view.state}{error}"
        )
    return EXIT_OK


async def _uninstall(services: Services, args: argparse.Namespace) -> int:
    await services.installs.uninstall(args.id)
    say(f"Uninstalled {args.id}")
    return EXIT_OK
