"""The server and install commands as a script runs them, against a real n8n.

Each command runs in a child process with its own home and database. The child
cannot see the test's in-memory keychain, so it gets a file-backed one through
keyring's ``PYTHON_KEYRING_BACKEND`` variable (see ``tests.peers.file_keyring``).
Every answer is checked for its exit code, one line per item, and no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mantra_desktop.n8n import N8nClient, N8nNotFound
from tests.integration.install_support import webhook_workflow
from tests.peers import file_keyring
from tests.peers.n8n import N8nPeer

Runner = Callable[..., Any]
ROOT = Path(__file__).resolve().parents[2]
MANTRA_NAME = "Order webhook from the command line"


class Cli:
    """Runs ``python -m mantra_desktop`` with one home, database and keychain."""

    def __init__(self, folder: Path) -> None:
        self.database = folder / "cli.db"
        self.keychain = folder / "keychain.json"
        self.environment = {
            **os.environ,
            "XDG_DATA_HOME": str(folder / "data"),
            "XDG_STATE_HOME": str(folder / "state"),
            "XDG_CONFIG_HOME": str(folder / "config"),
            "XDG_CACHE_HOME": str(folder / "cache"),
            "PYTHONPATH": str(ROOT),
            **file_keyring.environment_for(self.keychain),
        }
        for variable in ("DATABASE_URL", "MANTRA_N8N_API_KEY"):
            self.environment.pop(variable, None)

    def __call__(
        self, *args: str, stdin: str = "", key: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        environment = dict(self.environment)
        if key is not None:
            environment["MANTRA_N8N_API_KEY"] = key
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "mantra_desktop",
                *args,
                "--database",
                str(self.database),
            ],
            env=environment,
            cwd=ROOT,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "Traceback" not in done.stdout + done.stderr, done.stderr
        return done


def refused(done: subprocess.CompletedProcess[str], *words: str) -> None:
    """Check a command failed with exit code 1 and one line naming ``words``."""
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for word in words:
        assert word in lines[0]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def test_servers_install_list_and_uninstall(
    cli: Cli, n8n_v1: N8nPeer, arun: Runner, tmp_path: Path
) -> None:
    listed = cli("servers")
    assert listed.returncode == 0
    assert listed.stdout.splitlines() == [
        "No servers. Add one with: servers add NAME URL"
    ]

    refused(cli("servers", "add", "Bad", n8n_v1.url, key="not-the-key"), "refused")
    added = cli("servers", "add", "Home", n8n_v1.url, stdin=n8n_v1.api_key + "\n")
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines() == [f"Added Home: n8n {n8n_v1.version}"]
    listed = cli("servers")
    assert listed.stdout.splitlines() == [f"* Home\t{n8n_v1.url}\tn8n {n8n_v1.version}"]
    # The key is in the keychain, never in the database file.
    assert n8n_v1.api_key in cli.keychain.read_text()
    assert n8n_v1.api_key.encode() not in cli.database.read_bytes()

    tested = cli("servers", "test", "Home")
    assert tested.returncode == 0
    assert tested.stdout.splitlines() == [f"Connected: n8n {n8n_v1.version}"]
    refused(cli("servers", "test", "Nowhere"), "'Nowhere'")

    source = tmp_path / "order.json"
    source.write_text(
        json.dumps({**webhook_workflow(path="cli-orders"), "name": MANTRA_NAME})
    )
    assert cli("import", str(source)).returncode == 0
    refused(cli("install", MANTRA_NAME, "--server", "Nowhere"), "'Nowhere'")
    refused(cli("install", "No such mantra", "--server", "Home"), "No such mantra")

    installed = cli("install", MANTRA_NAME, "--server", "Home", "--activate")
    assert installed.returncode == 0, installed.stderr
    lines = installed.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"Installed {MANTRA_NAME} on Home")
    workflow_id = lines[0].rsplit(" ", 1)[1]
    installation_id = lines[1].removeprefix("installation ")

    async def read_workflow() -> dict[str, Any]:
        async with N8nClient(n8n_v1.url, n8n_v1.api_key) as client:
            return dict(await client.get_workflow(workflow_id))

    stored = arun(read_workflow())
    assert stored["active"] is True
    assert {tag["name"] for tag in stored["tags"]} >= {"mantra"}

    listing = cli("installations")
    assert listing.returncode == 0
    row = listing.stdout.splitlines()
    assert len(row) == 1
    assert row[0].split("\t") == [
        installation_id,
        MANTRA_NAME,
        "Home",
        "v1",
        "installed",
    ]

    uninstalled = cli("uninstall", installation_id)
    assert uninstalled.returncode == 0
    assert uninstalled.stdout.splitlines() == [f"Uninstalled {installation_id}"]
    with pytest.raises(N8nNotFound):
        arun(read_workflow())
    assert cli("installations").stdout.splitlines() == ["No installations."]
    refused(cli("uninstall", "no-such-installation"), "does not exist")

    # A key that stopped working: the test says so in one line.
    entries = json.loads(cli.keychain.read_text())
    entries = {name: "revoked-key" for name in entries}
    cli.keychain.write_text(json.dumps(entries))
    tested = cli("servers", "test", "Home")
    assert tested.returncode == 1
    assert len(tested.stderr.splitlines()) == 1
    assert "API key was refused" in tested.stderr
