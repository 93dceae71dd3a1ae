"""Recent runs of an installed workflow: status, start and duration; refreshable."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.n8n import Execution
from mantra_desktop.services.install import InstallService
from mantra_desktop.ui.bridge import AsyncRunner

_STATUS_COLOURS = {"success": "#1a7f37", "error": "#b42318", "crashed": "#b42318"}


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def run_status(execution: Execution) -> str:
    """Return the status word of a run, for servers that leave it empty too."""
    if execution.status:
        return execution.status
    return "success" if execution.finished else "unknown"


def run_duration(execution: Execution) -> str:
    """Return a run's duration as text ("0.42 s", "3 min 5 s"), "" if running."""
    started, stopped = _moment(execution.started_at), _moment(execution.stopped_at)
    if started is None or stopped is None:
        return ""
    seconds = (stopped - started).total_seconds()
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest} s"


def run_start(execution: Execution) -> str:
    started = _moment(execution.started_at)
    if started is None:
        return ""
    return started.astimezone().strftime("%Y-%m-%d %H:%M:%S")


class RunsDialog(QDialog):
    """Show the latest runs of one installation; "Refresh" reads them again."""

    def __init__(
        self,
        installs: InstallService,
        runner: AsyncRunner,
        installation_id: str,
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._installs = installs
        self._runner = runner
        self._installation_id = installation_id
        self.setWindowTitle(f"Runs of {title}")
        self.resize(560, 380)
        self.status = QLabel("Reading the runs…")
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Status", "Started", "Duration", "Mode"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Stretch
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.refresh_button = buttons.addButton(
            "&Refresh", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.refresh_button.clicked.connect(self.refresh)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.refresh_button.setEnabled(False)
        self._runner.run(
            "read the runs",
            self._installs.runs(self._installation_id),
            on_result=self.show_runs,
            on_error=self._failed,
        )

    def show_runs(self, runs: Sequence[Execution]) -> None:
        self.refresh_button.setEnabled(True)
        self.table.setRowCount(len(runs))
        for row, execution in enumerate(runs):
            status = run_status(execution)
            cells = (status, run_start(execution), run_duration(execution))
            for column, text in enumerate((*cells, execution.mode)):
                item = QTableWidgetItem(text)
                if column == 0 and status in _STATUS_COLOURS:
                    item.setForeground(QColor(_STATUS_COLOURS[status]))
                self.table.setItem(row, column, item)
        self.status.setText(
            f"The last {len(runs)} runs, newest first." if runs else "No runs yet."
        )

    def _failed(self, error: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self.status.setText(str(error))
