"""The Servers page: the user's n8n servers, their version, default and status.

The list comes from the database; "Check" asks each server for its version and
whether its key still works, one server at a time on the qasync loop, and shows
the answer in the Status column. Adding and editing open ``ServerDialog``; copying
a server's workflow into the catalog opens ``ServerWorkflowsDialog``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.models import N8nServer
from mantra_desktop.services.context import Services
from mantra_desktop.services.servers import ConnectionReport
from mantra_desktop.ui.bridge import AsyncRunner, dialog_result
from mantra_desktop.ui.record_table import (
    AnyIndex,
    RecordTableModel,
    page_title,
    record_view,
)
from mantra_desktop.ui.servers_copy_dialog import ServerWorkflowsDialog
from mantra_desktop.ui.servers_dialog import ServerDialog

logger = logging.getLogger(__name__)

_HEADERS = ("Name", "Address", "n8n version", "Default", "Status")


@dataclass
class ServerRow:
    """One line of the servers table."""

    id: str
    name: str
    url: str
    version: str
    is_default: bool
    status: str = "Not checked"
    ok: bool | None = None


class ServersModel(RecordTableModel):
    """The servers as a table; ``ServerIdRole`` gives a row's server id."""

    ServerIdRole = Qt.ItemDataRole.UserRole + 1
    headers = _HEADERS

    def set_servers(self, servers: Sequence[N8nServer]) -> None:
        previous = {row.id: row for row in self._records}
        rows = []
        for server in servers:
            row = ServerRow(
                server.id,
                server.name,
                server.base_url,
                server.n8n_version or "",
                server.is_default,
            )
            if server.id in previous:
                row.status, row.ok = previous[server.id].status, previous[server.id].ok
            rows.append(row)
        self._replace_records(rows)

    def set_report(self, server_id: str, report: ConnectionReport) -> None:
        for number, row in enumerate(self._records):
            if row.id == server_id:
                row.ok = report.key_accepted
                row.status = "Connected" if report.key_accepted else report.message
                if report.version:
                    row.version = report.version
                self._row_changed(number)

    def row_at(self, number: int) -> ServerRow:
        row: ServerRow = self._records[number]
        return row

    def server_ids(self) -> list[str]:
        return [row.id for row in self._records]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._records):
            return None
        row = self._records[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.name,
                row.url,
                row.version or "—",
                "Default" if row.is_default else "",
                row.status,
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 4:
            return row.status
        if role == Qt.ItemDataRole.FontRole and column == 0 and row.is_default:
            font = QFont()
            font.setBold(True)
            return font
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == 4
            and row.ok is not None
        ):
            from PySide6.QtGui import QColor

            return QColor("#1a7f37" if row.ok else "#b42318")
        if role == self.ServerIdRole:
            return row.id
        return None


class ServersPage(QWidget):
    """List, add, edit, remove and check the user's n8n servers."""

    def __init__(
        self, services: Services, runner: AsyncRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self.model = ServersModel(self)
        self.table = record_view(self.model)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())

        title = page_title("n8n servers")
        self.empty_hint = QLabel(
            "No server yet. Add your n8n server with its address and an API key "
            "(n8n: Settings > n8n API)."
        )
        self.empty_hint.setWordWrap(True)

        self.add_button = QPushButton("&Add…")
        self.edit_button = QPushButton("&Edit…")
        self.remove_button = QPushButton("&Remove")
        self.default_button = QPushButton("Make &Default")
        self.check_button = QPushButton("&Check All")
        self.copy_button = QPushButton("Copy a &Workflow to the Catalog…")
        self.add_button.clicked.connect(self.add_server)
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.default_button.clicked.connect(self.make_selected_default)
        self.check_button.clicked.connect(self.check_all)
        self.copy_button.clicked.connect(self.copy_from_selected)
        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.remove_button,
            self.default_button,
            self.check_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.empty_hint)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    # -- loading ------------------------------------------------------------

    def reload(self, *, check: bool = False) -> None:
        """Read the servers again; with ``check`` test each one afterwards."""
        self._runner.run(
            "list the servers",
            self._services.servers.list_servers(),
            on_result=lambda servers: self._loaded(servers, check),
        )

    def _loaded(self, servers: Sequence[N8nServer], check: bool) -> None:
        selected = self.selected_id()
        self.model.set_servers(servers)
        self.empty_hint.setVisible(not servers)
        if selected in self.model.server_ids():
            self.table.selectRow(self.model.server_ids().index(selected))
        self._update_buttons()
        if check:
            self.check_all()

    def check_all(self) -> None:
        """Test every server's connection and show the result per row."""
        self._runner.run("check the servers", self._check_all())

    async def _check_all(self) -> None:
        for server_id in self.model.server_ids():
            report = await self._services.servers.check(server_id)
            self.model.set_report(server_id, report)

    # -- actions ------------------------------------------------------------

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()).id if rows else None

    def add_server(self) -> None:
        self._runner.run("add a server", self._add_server())

    async def _add_server(self) -> None:
        dialog = ServerDialog(self._services.servers, self._runner, None, self)
        if await dialog_result(dialog) != QDialog.DialogCode.Accepted:
            return
        name, url, key, make_default = dialog.values()
        server = await self._services.servers.add(
            name,
            url,
            key,
            make_default=make_default,
            version=dialog.detected_version or None,
        )
        self.reload()
        report = await self._services.servers.check(server.id)
        self.model.set_report(server.id, report)

    def edit_selected(self) -> None:
        server_id = self.selected_id()
        if server_id is not None:
            self._runner.run("edit the server", self._edit_server(server_id))

    async def _edit_server(self, server_id: str) -> None:
        server = await self._services.servers.get(server_id)
        dialog = ServerDialog(self._services.servers, self._runner, server, self)
        if await dialog_result(dialog) != QDialog.DialogCode.Accepted:
            return
        name, url, key, make_default = dialog.values()
        await self._services.servers.edit(
            server_id,
            name=name,
            base_url=url,
            api_key=key or None,
            make_default=make_default,
            version=dialog.detected_version or None,
        )
        self.reload()

    def remove_selected(self) -> None:
        server_id = self.selected_id()
        if server_id is None:
            return
        row = self.model.row_at(self.model.server_ids().index(server_id))
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Remove Server",
            f"Forget the server {row.name!r} and its API key? Workflows on the "
            "server are not touched.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        self._runner.run("remove the server", self._remove(server_id, box))

    async def _remove(self, server_id: str, box: QMessageBox) -> None:
        if await dialog_result(box) != QMessageBox.StandardButton.Yes:
            return
        await self._services.servers.remove(server_id)
        self.reload()

    def make_selected_default(self) -> None:
        server_id = self.selected_id()
        if server_id is not None:
            self._runner.run(
                "make the server the default",
                self._services.servers.set_default(server_id),
                on_result=lambda _none: self.reload(),
            )

    def copy_from_selected(self) -> None:
        server_id = self.selected_id()
        if server_id is None:
            return
        dialog = ServerWorkflowsDialog(self._services, self._runner, server_id, self)
        dialog.open()

    def _update_buttons(self, *_args: object) -> None:
        chosen = self.selected_id() is not None
        for button in (
            self.edit_button,
            self.remove_button,
            self.default_button,
            self.copy_button,
        ):
            button.setEnabled(chosen)
        self.check_button.setEnabled(self.model.rowCount() > 0)
