"""A table model over a list of records that each carry an ``id``, and its view.

The Installed, Servers and Accounts pages show such lists; each model names
its columns and says what a cell shows, and this base does the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView

AnyIndex = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class RecordTableModel(QAbstractTableModel):
    """Rows are records (anything with an ``id``); columns are ``headers``."""

    headers: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._records: list[Any] = []

    def _replace_records(self, records: Sequence[Any]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def _row_changed(self, row: int) -> None:
        self.dataChanged.emit(
            self.index(row, 0), self.index(row, len(self.headers) - 1)
        )

    def _all_changed(self) -> None:
        if self._records:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(self._records) - 1, len(self.headers) - 1),
            )

    def record_at(self, row: int) -> Any:
        """The record on ``row``, or None outside the table."""
        return self._records[row] if 0 <= row < len(self._records) else None

    def row_of(self, record_id: str) -> int:
        """The row of the record with ``record_id``, or -1."""
        for row, record in enumerate(self._records):
            if record.id == record_id:
                return row
        return -1

    def rowCount(self, parent: AnyIndex = _ROOT) -> int:  # Qt override
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: AnyIndex = _ROOT) -> int:  # Qt override
        return 0 if parent.isValid() else len(self.headers)

    def headerData(  # Qt override
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.headers)
        ):
            return self.headers[section]
        return None


def record_view(model: RecordTableModel) -> QTableView:
    """A view of ``model`` as the pages show lists: whole rows, one at a time."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return view


def page_title(text: str) -> QLabel:
    """The heading at the top of a page."""
    title = QLabel(text)
    title.setObjectName("PageTitle")
    font = title.font()
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setBold(True)
    title.setFont(font)
    return title
