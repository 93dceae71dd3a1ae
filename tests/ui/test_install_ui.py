"""The server dialog, the install dialog and the Installed page, driven with qtbot.

They talk to a real n8n on loopback; screenshots of the install dialog and the
Installed page are written next to the test's temporary files for a look.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from mantra_desktop.services.context import Services
from mantra_desktop.services.install import InstallRequest
from mantra_desktop.ui.bridge import AsyncRunner
from mantra_desktop.ui.install_dialog import InstallDialog
from mantra_desktop.ui.installed_page import InstalledPage
from mantra_desktop.ui.servers_dialog import ServerDialog
from mantra_desktop.ui.servers_page import ServersPage
from tests.integration.install_support import (
    add_mantra,
    make_services,
    manual_workflow,
    webhook_workflow,
)
from tests.peers.n8n import N8nPeer

Runner = Callable[..., Any]
SCREENSHOTS = os.environ.get("MANTRA_SCREENSHOTS")


@pytest.fixture
def services(tmp_path: Path, arun: Runner) -> Iterator[Services]:
    built = arun(make_services(tmp_path))
    yield built
    arun(built.database.dispose())


def save_shot(widget: Any, name: str, tmp_path: Path) -> Path:
    target = Path(SCREENSHOTS or tmp_path) / name
    assert widget.grab().save(str(target))
    return target


def test_server_dialog_tests_without_blocking(
    services: Services, n8n_v1: N8nPeer, qtbot: Any
) -> None:
    runner = AsyncRunner()
    dialog = ServerDialog(services.servers, runner)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Home")
    dialog.url_edit.setText(n8n_v1.url + "/")
    dialog.key_edit.setText("wrong")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert dialog.test_result.text() == "Testing…"
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=20_000)
    assert "API key was refused" in dialog.test_result.text()

    dialog.key_edit.setText(n8n_v1.api_key)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Connected" in dialog.test_result.text(), timeout=20_000)
    assert n8n_v1.version in dialog.test_result.text()
    assert dialog.detected_version == n8n_v1.version
    assert dialog.values() == ("Home", n8n_v1.url + "/", n8n_v1.api_key, False)


def test_servers_page_lists_and_checks(
    services: Services, n8n_v1: N8nPeer, qtbot: Any, qtmodeltester: Any, arun: Runner
) -> None:
    arun(services.servers.add("One", n8n_v1.url, n8n_v1.api_key))
    arun(services.servers.add("Two", n8n_v1.url, "bad-key"))
    runner = AsyncRunner()
    page = ServersPage(services, runner)
    qtbot.addWidget(page)
    page.reload(check=True)
    qtbot.waitUntil(
        lambda: (
            page.model.rowCount() == 2
            and all(page.model.row_at(i).ok is not None for i in range(2))
        ),
        timeout=20_000,
    )
    qtmodeltester.check(page.model)
    rows = {page.model.row_at(i).name: page.model.row_at(i) for i in range(2)}
    assert rows["One"].ok and rows["One"].is_default
    assert rows["One"].version == n8n_v1.version
    assert rows["Two"].ok is False


def test_install_dialog_binds_credentials_from_the_server(
    services: Services, n8n_v2: N8nPeer, qtbot: Any, arun: Runner, tmp_path: Path
) -> None:
    server = arun(services.servers.add("Studio", n8n_v2.url, n8n_v2.api_key))

    async def make_credential() -> str:
        from mantra_desktop.n8n import N8nClient

        async with N8nClient(n8n_v2.url, n8n_v2.api_key) as client:
            made = await client.create_credential(
                "Team Slack", "slackApi", {"accessToken": "xoxb-test"}
            )
        return made.id

    credential_id = arun(make_credential())
    workflow = webhook_workflow()
    workflow["nodes"].append(
        {
            "id": "c0ffee00-0000-4000-8000-000000000001",
            "name": "Post to Slack",
            "type": "n8n-nodes-base.slack",
            "typeVersion": 2.2,
            "position": [440, 0],
            "parameters": {"authentication": "accessToken"},
            "credentials": {"slackApi": {"id": "1", "name": "Team Slack"}},
        }
    )
    mantra = arun(add_mantra(services, workflow, name="Webhook to Slack"))
    servers = arun(services.servers.list_servers())
    dialog = InstallDialog(services, AsyncRunner(), [mantra], servers)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20_000)
    assert dialog.install_button.isEnabled()
    combos = dialog.findChildren(QComboBox)
    binding = next(c for c in combos if c is not dialog.server_combo)
    assert binding.currentText() == "Team Slack"
    chosen = dialog.bindings()
    assert chosen[("slackApi", "Team Slack")].credential_id == credential_id
    assert dialog.activate()
    shot = save_shot(dialog, "install-dialog.png", tmp_path)
    assert shot.stat().st_size > 0

    row = arun(
        services.installs.install(InstallRequest(mantra.id, server.id, bindings=chosen))
    )
    assert row.bindings["credentials"][0]["id"] == credential_id
    arun(services.installs.uninstall(row.id))


def test_installed_page_shows_state_from_the_server(
    services: Services,
    n8n_v1: N8nPeer,
    qtbot: Any,
    qtmodeltester: Any,
    arun: Runner,
    tmp_path: Path,
) -> None:
    server = arun(services.servers.add("Home n8n", n8n_v1.url, n8n_v1.api_key))
    active = arun(add_mantra(services, webhook_workflow(), name="Contact form to CRM"))
    idle = arun(add_mantra(services, webhook_workflow(), name="Nightly report"))
    manual = arun(add_mantra(services, manual_workflow(), name="Clean up sheet"))
    rows = [
        arun(services.installs.install(InstallRequest(active.id, server.id, True))),
        arun(services.installs.install(InstallRequest(idle.id, server.id, False))),
    ]
    with pytest.raises(Exception, match="trigger"):
        arun(services.installs.install(InstallRequest(manual.id, server.id, True)))

    runner = AsyncRunner()
    page = InstalledPage(services.installs, runner)
    qtbot.addWidget(page)
    page.resize(980, 420)
    page.show()
    page.reload()
    qtbot.waitUntil(
        lambda: (
            page.model.rowCount() == 3 and page.model.status_of(rows[0].id) is not None
        ),
        timeout=20_000,
    )
    qtmodeltester.check(page.model)
    by_name = {
        page.model.view_at(r).mantra_name: r for r in range(page.model.rowCount())
    }
    active_row = by_name["Contact form to CRM"]
    assert page.model.index(active_row, 4).data() == "Yes"
    assert page.model.index(by_name["Nightly report"], 4).data() == "No"
    failed = by_name["Clean up sheet"]
    assert page.model.index(failed, 3).data() == "failed"
    # The column shows the first sentence; the tooltip and details, all of it.
    shown = page.model.index(failed, 5).data()
    full = page.model.index(failed, 5).data(Qt.ItemDataRole.ToolTipRole)
    assert shown and full.startswith(shown) and len(shown) < len(full)
    assert "trigger" in full
    page.table.selectRow(failed)
    assert page.error_details.isVisibleTo(page)
    assert page.error_details.text() == f"Last error: {full}"

    page.table.selectRow(by_name["Nightly report"])
    assert page.activate_button.isEnabled() and not page.deactivate_button.isEnabled()
    qtbot.mouseClick(page.activate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: page.model.index(page.model.row_of(rows[1].id), 4).data() == "Yes",
        timeout=20_000,
    )
    page.table.selectRow(page.model.row_of(rows[0].id))
    save_shot(page, "installed.png", tmp_path)
    for row in rows:
        arun(services.installs.uninstall(row.id))
