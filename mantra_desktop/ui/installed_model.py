"""The table model of the Installed page: installations with their server state.

Rows come from the database (``InstallationView``); the columns "Active" and
"State" are completed by ``set_statuses`` once the servers have been read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from mantra_desktop.models import InstallationState
from mantra_desktop.services.install import InstallationView, LiveStatus, Presence
from mantra_desktop.ui.record_table import AnyIndex, RecordTableModel

HEADERS = ("Mantra", "Server", "Version", "State", "Active", "Last error")

_STATE_COLOURS = {
    "failed": "#b42318",
    "missing": "#b42318",
    "changed": "#9a6700",
    "pending": "#6e7781",
    "unreachable": "#9a6700",
}


SHORT_ERROR_LENGTH = 90


def short_error(text: str, limit: int = SHORT_ERROR_LENGTH) -> str:
    """Return the first sentence of an error, cut to ``limit`` characters.

    The table shows this; the tooltip and the details area show the whole text.
    """
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    end = len(first_line)
    for index, character in enumerate(first_line):
        follows = first_line[index + 1 : index + 2]
        if character in ".!?" and (follows == "" or follows.isspace()):
            end = index + 1
            break
    sentence = first_line[:end]
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rstrip() + "…"
    return sentence


def state_text(view: InstallationView, status: LiveStatus | None) -> str:
    """Return the word the State column shows for an installation."""
    if view.state != InstallationState.INSTALLED or status is None:
        return str(view.state)
    if status.presence is Presence.MISSING:
        return "missing"
    if status.presence is Presence.UNREACHABLE:
        return "unreachable"
    if status.changed_on_server:
        return "changed"
    return "installed"


class InstalledModel(RecordTableModel):
    """Installations as a table; ``InstallationIdRole`` gives a row's id."""

    InstallationIdRole = Qt.ItemDataRole.UserRole + 1
    headers = HEADERS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._statuses: dict[str, LiveStatus] = {}

    def set_views(self, views: Sequence[InstallationView]) -> None:
        kept = {view.id for view in views}
        self._statuses = {k: v for k, v in self._statuses.items() if k in kept}
        self._replace_records(views)

    def set_statuses(self, statuses: Mapping[str, LiveStatus]) -> None:
        self._statuses.update(statuses)
        self._all_changed()

    def view_at(self, row: int) -> InstallationView:
        view: InstallationView = self._records[row]
        return view

    def status_of(self, installation_id: str) -> LiveStatus | None:
        return self._statuses.get(installation_id)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._records):
            return None
        view = self._records[index.row()]
        status = self._statuses.get(view.id)
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(view, status, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 5 and view.error:
                return view.error
            if column == 3 and status is not None and status.message:
                return status.message
            if column == 2 and view.update_available:
                return f"Version {view.latest_version} is in the catalog."
            return None
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            colour = _STATE_COLOURS.get(state_text(view, status))
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            return QColor("#0969da") if view.update_available else None
        if role == self.InstallationIdRole:
            return view.id
        return None

    def _display(
        self, view: InstallationView, status: LiveStatus | None, column: int
    ) -> str:
        if column == 0:
            return view.mantra_name
        if column == 1:
            return view.server_name
        if column == 2:
            newer = f"  (v{view.latest_version} available)"
            return f"v{view.mantra_version}" + (newer if view.update_available else "")
        if column == 3:
            return state_text(view, status)
        if column == 4:
            if status is None or status.active is None:
                return "—" if view.state == InstallationState.INSTALLED else ""
            return "Yes" if status.active else "No"
        return short_error(view.error or "")
