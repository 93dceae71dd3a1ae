"""Bulk install with its progress dialog, and the runs and update dialogs.

Driven with qtbot against a real n8n 1.x on loopback: cancelling a bulk install
after its first mantra leaves that one installed and nothing else on the server;
the Installed page's Runs dialog lists a run made by calling the webhook, and its
Update dialog shows what the new version changes before updating.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressDialog, QPushButton, QWidget

from mantra_desktop.models import InstallationState
from mantra_desktop.n8n import N8nClient
from mantra_desktop.services.context import Services
from mantra_desktop.services.install import InstallRequest
from mantra_desktop.ui.bridge import AsyncRunner
from mantra_desktop.ui.install_dialog import bulk_install
from mantra_desktop.ui.installed_model import short_error
from mantra_desktop.ui.installed_page import InstalledPage
from mantra_desktop.ui.runs_dialog import RunsDialog
from mantra_desktop.ui.update_dialog import UpdateDialog
from tests.integration.install_support import (
    add_mantra,
    call_webhook,
    make_services,
    replace_workflow,
    webhook_workflow,
)
from tests.peers.n8n import N8nPeer

Runner = Callable[..., Any]
WAIT_MS = 30_000


@pytest.fixture
def services(tmp_path: Path, arun: Runner) -> Iterator[Services]:
    built = arun(make_services(tmp_path))
    yield built
    arun(built.database.dispose())


def workflow_names(peer: N8nPeer, arun: Runner) -> set[str]:
    async def names() -> set[str]:
        async with N8nClient(peer.url, peer.api_key) as client:
            return {str(w["name"]) async for w in client.list_workflows()}

    result: set[str] = arun(names())
    return result


def test_cancelling_a_bulk_install_after_the_first_mantra(
    services: Services, n8n_v1: N8nPeer, qtbot: Any, arun: Runner
) -> None:
    server = arun(services.servers.add("Bulk", n8n_v1.url, n8n_v1.api_key))
    mantras = [
        arun(add_mantra(services, webhook_workflow(), name=f"Bulk item {n}"))
        for n in range(4)
    ]
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    task = asyncio.ensure_future(
        bulk_install(window, services, [m.id for m in mantras], server.id, False)
    )

    def progress() -> QProgressDialog | None:
        return window.findChild(QProgressDialog)

    qtbot.waitUntil(
        lambda: (dialog := progress()) is not None and dialog.value() >= 1,
        timeout=WAIT_MS,
    )
    dialog = progress()
    assert dialog is not None and dialog.isVisible()
    assert "(2 of 4)" in dialog.labelText()
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(task.done, timeout=WAIT_MS)
    assert task.result() == []
    qtbot.waitUntil(lambda: (shown := progress()) is None or not shown.isVisible())

    rows = arun(
        services.repositories.installations.list_for_user(services.current_user.id)
    )
    by_mantra = {row.mantra_id: row for row in rows}
    first = by_mantra.pop(mantras[0].id)
    assert first.state == InstallationState.INSTALLED
    # The mantra in progress was undone and failed; later ones never started.
    assert set(by_mantra) <= {mantras[1].id}
    assert all(row.state == InstallationState.FAILED for row in by_mantra.values())
    on_server = {name for name in workflow_names(n8n_v1, arun) if "Bulk item" in name}
    assert on_server == {"Bulk item 0 (mantra v1)"}
    arun(services.installs.uninstall(first.id))


def test_runs_and_update_dialogs_from_the_installed_page(
    services: Services, n8n_v1: N8nPeer, qtbot: Any, arun: Runner
) -> None:
    server = arun(services.servers.add("Home", n8n_v1.url, n8n_v1.api_key))
    workflow = webhook_workflow(path="page-runs")
    mantra = arun(add_mantra(services, workflow, name="Order intake"))
    row = arun(
        services.installs.install(InstallRequest(mantra.id, server.id, activate=True))
    )
    stored = arun(_read(n8n_v1, row.n8n_workflow_id or ""))
    path = next(
        n["parameters"]["path"] for n in stored["nodes"] if n["name"] == "Webhook"
    )
    assert call_webhook(n8n_v1.url, path).status_code == 200
    qtbot.waitUntil(lambda: bool(arun(services.installs.runs(row.id))), timeout=WAIT_MS)
    arun(replace_workflow(services, mantra.id, webhook_workflow(extra_step=True)))

    runner = AsyncRunner()
    page = InstalledPage(services.installs, runner)
    qtbot.addWidget(page)
    page.show()
    page.reload()
    qtbot.waitUntil(
        lambda: page.model.rowCount() == 1 and page.model.status_of(row.id) is not None,
        timeout=WAIT_MS,
    )
    page.table.selectRow(0)

    qtbot.mouseClick(page.runs_button, Qt.MouseButton.LeftButton)
    runs = page.findChild(RunsDialog)
    assert runs is not None and runs.isVisible()
    qtbot.waitUntil(lambda: runs.table.rowCount() >= 1, timeout=WAIT_MS)
    newest = runs.table.item(0, 0)
    assert newest is not None and newest.text() == "success"
    assert runs.status.text().startswith("The last ")
    runs.close()

    assert page.update_button.isEnabled()
    qtbot.mouseClick(page.update_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.findChild(UpdateDialog) is not None, timeout=WAIT_MS)
    update = page.findChild(UpdateDialog)
    assert update is not None
    texts = " ".join(label.text() for label in update.findChildren(QLabel))
    assert "version 1 to version 2" in texts and "stays active" in texts
    assert "Nodes added" in texts and "Second Step" in texts
    assert update.update_button.isEnabled() and not update.drift_check.isVisible()
    qtbot.mouseClick(update.update_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: arun(services.installs.view(row.id)).mantra_version == 2,
        timeout=WAIT_MS,
    )
    updated = arun(_read(n8n_v1, row.n8n_workflow_id or ""))
    assert "Second Step" in {n["name"] for n in updated["nodes"]}
    assert updated["active"] is True
    arun(services.installs.uninstall(row.id))


async def _read(peer: N8nPeer, workflow_id: str) -> dict[str, Any]:
    async with N8nClient(peer.url, peer.api_key) as client:
        return dict(await client.get_workflow(workflow_id))


def test_the_last_error_column_shows_the_first_sentence() -> None:
    refused = (
        "n8n at http://127.0.0.1:5678 refused to activate workflow 7. The server "
        "said: it has no trigger."
    )
    assert short_error(refused) == (
        "n8n at http://127.0.0.1:5678 refused to activate workflow 7."
    )
    assert short_error("Line one without a stop\nline two") == "Line one without a stop"
    cut = short_error("word " * 40, limit=20)
    assert len(cut) <= 20 and cut.endswith("…")
    assert short_error("") == ""
