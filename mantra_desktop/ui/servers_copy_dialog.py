"""A dialog listing a server's workflows, to copy one into the catalog as a mantra."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.models import Mantra
from mantra_desktop.services.context import Services
from mantra_desktop.services.install import ServerWorkflow
from mantra_desktop.ui.bridge import AsyncRunner


class ServerWorkflowsDialog(QDialog):
    """Pick a workflow on a server; "Copy to Catalog" stores it as a new mantra.

    ``copied`` holds the mantra once the copy succeeded; the dialog then closes.
    """

    def __init__(
        self,
        services: Services,
        runner: AsyncRunner,
        server_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._server_id = server_id
        self.copied: Mantra | None = None
        self.setWindowTitle("Copy a Workflow to the Catalog")
        self.resize(520, 440)
        self.status = QLabel("Reading the server's workflows…")
        self.status.setWordWrap(True)
        self.list = QListWidget()
        self.list.itemSelectionChanged.connect(self._update_button)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = self.buttons.addButton(
            "&Copy to Catalog", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self._copy)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)
        self._update_button()
        runner.run(
            "list the server's workflows",
            services.installs.server_workflows(server_id),
            on_result=self._listed,
            on_error=self._failed,
        )

    def _listed(self, workflows: Sequence[ServerWorkflow]) -> None:
        self.list.clear()
        for workflow in workflows:
            state = "active" if workflow.active else "inactive"
            item = QListWidgetItem(
                f"{workflow.name}    ({workflow.node_count} nodes, {state})"
            )
            item.setData(Qt.ItemDataRole.UserRole, workflow.id)
            self.list.addItem(item)
        self.status.setText(
            f"{len(workflows)} workflows on the server. Choose one to copy."
            if workflows
            else "The server has no workflows."
        )

    def _failed(self, error: BaseException) -> None:
        self.status.setText(str(error))

    def _update_button(self) -> None:
        self.copy_button.setEnabled(bool(self.list.selectedItems()))

    def _copy(self) -> None:
        items = self.list.selectedItems()
        if not items:
            return
        workflow_id = str(items[0].data(Qt.ItemDataRole.UserRole))
        self.copy_button.setEnabled(False)
        self._runner.run(
            "copy the workflow to the catalog",
            self._services.installs.copy_to_catalog(self._server_id, workflow_id),
            on_result=self._done,
            on_error=self._copy_failed,
        )

    def _done(self, mantra: Mantra) -> None:
        self.copied = mantra
        self.accept()

    def _copy_failed(self, error: BaseException) -> None:
        self._update_button()
        self.status.setText(str(error))
