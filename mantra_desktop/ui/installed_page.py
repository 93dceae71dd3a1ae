"""The Installed page: every installation of the user, across servers.

"Refresh" reads the rows from the database, then asks each server whether the
workflow is still there, active, and unchanged since the install. The buttons act
on the selected installation: activate, deactivate, open it in n8n's editor, show
its recent runs, update it to the catalog's version, uninstall it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.models import InstallationState
from mantra_desktop.services.context import Services
from mantra_desktop.services.install import (
    InstallationView,
    InstallService,
    LiveStatus,
)
from mantra_desktop.ui.bridge import AsyncRunner, dialog_result
from mantra_desktop.ui.catalog_model import MANTRA_ID_ROLE
from mantra_desktop.ui.install_dialog import open_install_dialog
from mantra_desktop.ui.installed_model import InstalledModel
from mantra_desktop.ui.main_window import MainWindow, connect_action
from mantra_desktop.ui.record_table import page_title, record_view
from mantra_desktop.ui.runs_dialog import RunsDialog
from mantra_desktop.ui.servers_page import ServersPage
from mantra_desktop.ui.update_dialog import UpdateDialog

logger = logging.getLogger(__name__)


def open_url(url: str) -> None:
    """Open ``url`` in the user's browser."""
    QDesktopServices.openUrl(QUrl(url))


class InstalledPage(QWidget):
    """The user's installations with their actions."""

    def __init__(
        self,
        installs: InstallService,
        runner: AsyncRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._installs = installs
        self._runner = runner
        self.model = InstalledModel(self)
        self.table = record_view(self.model)
        self.table.doubleClicked.connect(lambda _index: self.open_in_editor())

        title = page_title("Installed mantras")
        self.summary = QLabel()
        self.summary.setWordWrap(True)

        self.refresh_button = QPushButton("&Refresh")
        self.activate_button = QPushButton("&Activate")
        self.deactivate_button = QPushButton("&Deactivate")
        self.open_button = QPushButton("&Open in n8n")
        self.runs_button = QPushButton("R&uns…")
        self.update_button = QPushButton("U&pdate…")
        self.uninstall_button = QPushButton("U&ninstall")
        self.refresh_button.clicked.connect(self.reload)
        self.activate_button.clicked.connect(lambda: self.set_active(True))
        self.deactivate_button.clicked.connect(lambda: self.set_active(False))
        self.open_button.clicked.connect(self.open_in_editor)
        self.runs_button.clicked.connect(self.show_runs)
        self.update_button.clicked.connect(self.update_selected)
        self.uninstall_button.clicked.connect(self.uninstall_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addSpacing(12)
        for button in (
            self.activate_button,
            self.deactivate_button,
            self.open_button,
            self.runs_button,
            self.update_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.uninstall_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        # The table shows an error's first sentence; the whole text is here.
        self.error_details = QLabel()
        self.error_details.setObjectName("errorDetails")
        self.error_details.setWordWrap(True)
        self.error_details.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.error_details.setStyleSheet(
            "QLabel#errorDetails { color: #b42318; padding: 6px; "
            "border: 1px solid #f3c0bb; border-radius: 4px; }"
        )
        self.error_details.hide()
        layout.addWidget(self.error_details)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._update_buttons()

    # -- loading ------------------------------------------------------------

    def reload(self) -> None:
        """Read the installations, then their state on each server."""
        self._runner.run(
            "list the installations",
            self._installs.list_installations(),
            on_result=self._loaded,
        )

    def _loaded(self, views: Sequence[InstallationView]) -> None:
        selected = self.selected()
        self.model.set_views(views)
        if selected is not None and self.model.row_of(selected.id) >= 0:
            self.table.selectRow(self.model.row_of(selected.id))
        self._update_summary()
        self._update_buttons()
        if views:
            self._runner.run(
                "read the installations' state",
                self._installs.live_status(views),
                on_result=self._statuses,
            )

    def _statuses(self, statuses: dict[str, LiveStatus]) -> None:
        self.model.set_statuses(statuses)
        self._update_summary()
        self._update_buttons()

    def _update_summary(self) -> None:
        count = self.model.rowCount()
        if count == 0:
            self.summary.setText(
                "Nothing installed yet. Choose a mantra in the catalog and click "
                "Install."
            )
            return
        updates = sum(
            1 for row in range(count) if self.model.view_at(row).update_available
        )
        text = f"{count} installation{'s' if count != 1 else ''}"
        if updates:
            text += f"; {updates} can be updated"
        self.summary.setText(text + ".")

    # -- selection ----------------------------------------------------------

    def selected(self) -> InstallationView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.view_at(rows[0].row()) if rows else None

    def _update_buttons(self, *_args: object) -> None:
        view = self.selected()
        error = view.error if view is not None else None
        self.error_details.setText(f"Last error: {error}" if error else "")
        self.error_details.setVisible(bool(error))
        installed = view is not None and view.state == InstallationState.INSTALLED
        status = self.model.status_of(view.id) if view is not None else None
        active = status.active if status is not None else None
        self.activate_button.setEnabled(installed and active is not True)
        self.deactivate_button.setEnabled(installed and active is not False)
        self.open_button.setEnabled(installed)
        self.runs_button.setEnabled(installed)
        self.update_button.setEnabled(
            bool(installed and view and view.update_available)
        )
        self.uninstall_button.setEnabled(
            view is not None and view.state != InstallationState.PENDING
        )

    # -- actions ------------------------------------------------------------

    def set_active(self, active: bool) -> None:
        view = self.selected()
        if view is None:
            return
        self._runner.run(
            "activate the workflow" if active else "deactivate the workflow",
            self._installs.set_active(view.id, active),
            on_result=lambda _none: self.reload(),
        )

    def open_in_editor(self) -> None:
        view = self.selected()
        if view is None or view.state != InstallationState.INSTALLED:
            return
        self._runner.run(
            "open the workflow in n8n",
            self._installs.editor_url(view.id),
            on_result=open_url,
        )

    def show_runs(self) -> None:
        view = self.selected()
        if view is None:
            return
        dialog = RunsDialog(
            self._installs, self._runner, view.id, view.mantra_name, self
        )
        dialog.open()

    def update_selected(self) -> None:
        view = self.selected()
        if view is not None:
            self._runner.run("update the installation", self._update(view))

    async def _update(self, view: InstallationView) -> None:
        preview = await self._installs.preview_update(view.id)
        dialog = UpdateDialog(preview, view.mantra_name, self)
        if await dialog_result(dialog) != QDialog.DialogCode.Accepted:
            return
        await self._installs.update(
            view.id, overwrite_changes=dialog.overwrite_changes()
        )
        self.reload()

    def uninstall_selected(self) -> None:
        view = self.selected()
        if view is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Uninstall",
            f"Delete the workflow of {view.mantra_name!r} from {view.server_name}?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        self._runner.run("uninstall the mantra", self._uninstall(view, box))

    async def _uninstall(self, view: InstallationView, box: QMessageBox) -> None:
        if await dialog_result(box) != QMessageBox.StandardButton.Yes:
            return
        await self._installs.uninstall(view.id)
        self.reload()


def selected_mantra_ids(catalog_page: QWidget) -> list[str]:
    """Return the ids of the mantras selected in the catalog table, in order."""
    table = getattr(catalog_page, "table", None)
    ids: list[str] = []
    if isinstance(table, QTableView):
        for index in sorted(
            table.selectionModel().selectedRows(), key=lambda i: i.row()
        ):
            value = index.data(MANTRA_ID_ROLE)
            if isinstance(value, str):
                ids.append(value)
    if not ids:
        current = getattr(catalog_page, "current_mantra_id", lambda: None)()
        if isinstance(current, str):
            ids.append(current)
    return ids


def add_install_button(
    window: MainWindow, services: Services, catalog_page: QWidget
) -> QPushButton:
    """Put an "Install…" button first in the catalog's details actions.

    The catalog table allows several rows to be selected; the button installs
    every selected mantra (one dialog with bindings for one, a bulk install for
    several).
    """
    button = QPushButton("Install…")
    button.setObjectName("InstallButton")
    button.setToolTip("Install into one of your n8n servers")
    button.setDefault(True)
    details = getattr(catalog_page, "details", None)
    row = getattr(details, "actions_row", None)
    if isinstance(row, QHBoxLayout):
        row.insertWidget(0, button)
    table = getattr(catalog_page, "table", None)
    if isinstance(table, QTableView):
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    button.clicked.connect(
        lambda: open_install_dialog(window, services, selected_mantra_ids(catalog_page))
    )
    return button


def attach_installs(
    window: MainWindow, services: Services, runner: AsyncRunner
) -> None:
    """Build the Installed and Servers pages and settle interrupted installs.

    Installations left pending by a crash are reconciled first (this runs after
    the window's first paint), then both pages read their rows.
    """
    installed = InstalledPage(services.installs, runner)
    servers = ServersPage(services, runner)
    window.set_page("installed", installed)
    window.set_page("servers", servers)
    window.installed_page = installed  # type: ignore[attr-defined]
    window.servers_page = servers  # type: ignore[attr-defined]
    connect_action(window.servers_action, lambda: window.show_page("servers"))
    catalog_page = getattr(window, "catalog_page", None)
    if catalog_page is not None:
        add_install_button(window, services, catalog_page)

    async def settle_then_load() -> None:
        report = await services.installs.reconcile_pending()
        if report.adopted or report.failed:
            window.show_status(
                f"Finished {len(report.adopted)} interrupted installs; "
                f"{len(report.failed)} could not be completed."
            )

    def load(_result: object = None) -> None:
        installed.reload()
        servers.reload(check=True)

    def reconcile_failed(error: BaseException) -> None:
        logger.warning("Finishing interrupted installs failed: %s", error)
        load()

    runner.run(
        "finish interrupted installs",
        settle_then_load(),
        on_result=load,
        on_error=reconcile_failed,
    )
