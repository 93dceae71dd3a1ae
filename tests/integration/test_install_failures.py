"""Install failures: wrong key, server down or hung, a 500, and a killed process.

The 500 comes from a respx mock (a real n8n cannot be made to fail that way on
demand); everything else is real: n8n on loopback, a refused port, a silent
server, and an install process killed with SIGKILL right after n8n created the
workflow and before the app's database knew its id.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import respx

from mantra_desktop.models import InstallationState
from mantra_desktop.n8n import (
    N8nAuthError,
    N8nClient,
    N8nServerError,
    N8nTimeout,
    N8nUnreachable,
)
from mantra_desktop.services.context import Services
from mantra_desktop.services.install import InstallRequest
from mantra_desktop.services.servers import ServerService
from tests.integration.install_support import (
    add_mantra,
    make_services,
    webhook_workflow,
)
from tests.peers.n8n import N8nPeer
from tests.peers.slow_server import SilentServer, refused_address

Runner = Callable[..., Any]
KILL_WAIT_SECONDS = 60


@pytest.fixture
def services(tmp_path: Path, arun: Runner) -> Iterator[Services]:
    built = arun(make_services(tmp_path))
    yield built
    arun(built.database.dispose())


def test_wrong_key_is_reported_by_check(
    services: Services, n8n_server: N8nPeer, arun: Runner
) -> None:
    with pytest.raises(N8nAuthError):
        arun(services.servers.test(n8n_server.url, "not-the-key"))
    server = arun(services.servers.add("Wrong", n8n_server.url, "not-the-key"))
    report = arun(services.servers.check(server.id))
    assert not report.key_accepted
    assert "API key was refused" in report.message


def test_server_down_and_hung(services: Services, arun: Runner) -> None:
    with refused_address() as url, pytest.raises(N8nUnreachable):
        arun(services.servers.test(url, "some-key"))
    quick = ServerService(services.repositories.servers, "nobody", timeout=0.5)
    with SilentServer() as silent:
        with pytest.raises(N8nTimeout) as raised:
            arun(quick.test(silent.url, "some-key"))
        assert silent.connections >= 1
    assert "did not answer within 0.5 s" in str(raised.value)


def test_server_error_on_create_leaves_a_failed_row(
    services: Services, arun: Runner
) -> None:
    base = "http://127.0.0.1:5999"
    server = arun(services.servers.add("Broken", base, "key"))
    mantra = arun(add_mantra(services, webhook_workflow()))
    with respx.mock(assert_all_called=False) as mock:
        mock.post(f"{base}/api/v1/workflows").respond(
            500, json={"message": "Database is locked"}
        )
        with pytest.raises(N8nServerError):
            arun(services.installs.install(InstallRequest(mantra.id, server.id)))
    rows = arun(services.repositories.installations.list_for_mantra(mantra.id))
    assert [r.state for r in rows] == [InstallationState.FAILED]
    assert "Database is locked" in (rows[0].error or "")
    assert rows[0].n8n_workflow_id is None


_KILLED_INSTALL = textwrap.dedent(
    """
    import asyncio, os, sys, time
    from pathlib import Path
    import keyring
    from mantra_desktop import secrets
    from mantra_desktop.n8n import N8nClient
    from mantra_desktop.services.install import InstallRequest
    from tests.integration.install_support import make_services

    folder, server_id, mantra_id, marker = sys.argv[1:5]
    keyring.set_keyring(secrets.MemoryKeyring())
    secrets.store(secrets.server_api_key_name(server_id), os.environ["N8N_KEY"])
    original = N8nClient.create_workflow

    async def create_then_hang(self, body):
        created = await original(self, body)
        Path(marker).write_text(str(created["id"]))
        time.sleep(3600)  # blocks the loop: nothing after the create can run
        return created

    N8nClient.create_workflow = create_then_hang

    async def main():
        services = await make_services(Path(folder))
        await services.installs.install(InstallRequest(mantra_id, server_id))

    asyncio.run(main())
    """
)


def test_killed_install_is_adopted_at_next_start(
    services: Services, n8n_server: N8nPeer, arun: Runner, tmp_path: Path
) -> None:
    server = arun(services.servers.add("Crash", n8n_server.url, n8n_server.api_key))
    mantra = arun(add_mantra(services, webhook_workflow(path="crash")))
    marker = tmp_path / "created"
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _KILLED_INSTALL,
            str(tmp_path),
            server.id,
            mantra.id,
            str(marker),
        ],
        cwd=root,
        env={**os.environ, "N8N_KEY": n8n_server.api_key, "PYTHONPATH": str(root)},
    )
    try:
        deadline = time.monotonic() + KILL_WAIT_SECONDS
        while not marker.exists() and process.poll() is None:
            assert time.monotonic() < deadline, "the install never reached n8n"
            time.sleep(0.05)
        assert marker.exists(), "the install process ended before creating"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    workflow_id = marker.read_text()

    rows = arun(services.repositories.installations.list_for_mantra(mantra.id))
    assert [(r.state, r.n8n_workflow_id) for r in rows] == [
        (InstallationState.PENDING, None)
    ]
    report = arun(services.installs.reconcile_pending())
    assert report.adopted == (rows[0].id,)
    row = arun(services.repositories.installations.require(rows[0].id))
    assert row.state == InstallationState.INSTALLED
    assert row.n8n_workflow_id == workflow_id

    async def tags() -> set[str]:
        async with N8nClient(n8n_server.url, n8n_server.api_key) as client:
            stored = await client.get_workflow(workflow_id)
        return {t["name"] for t in stored.get("tags") or []}

    assert "mantra" in arun(tags())
    assert arun(services.installs.reconcile_pending()).adopted == ()
    arun(services.installs.uninstall(row.id))

    async def gone() -> bool:
        async with N8nClient(n8n_server.url, n8n_server.api_key) as client:
            return all([w["id"] != workflow_id async for w in client.list_workflows()])

    assert arun(gone())


def test_install_with_nothing_answering_is_failed(
    services: Services, arun: Runner
) -> None:
    with refused_address() as url:
        server = arun(services.servers.add("Down", url, "key"))
        mantra = arun(add_mantra(services, webhook_workflow()))
        with pytest.raises(N8nUnreachable):
            arun(services.installs.install(InstallRequest(mantra.id, server.id)))
    rows = arun(services.repositories.installations.list_for_mantra(mantra.id))
    assert rows[0].state == InstallationState.FAILED
    assert "Cannot reach" in (rows[0].error or "")
