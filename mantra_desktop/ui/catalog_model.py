"""The catalog list: a table model that reads mantras page by page.

The model never holds the whole catalog. :meth:`CatalogModel.set_query`
loads the first page and the number of matches; the view asks for more rows
as it scrolls (``canFetchMore``/``fetchMore``), one page at a time, guarded by
an "is fetching" flag. A new query cancels the search and the page reads of
the previous one through the runner, so a fast typist never sees stale rows.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from mantra_desktop.repositories.mantras import MantraQuery, MantraSummary, SortKey
from mantra_desktop.services.catalog import (
    CatalogPage,
    CatalogService,
    trigger_label,
)
from mantra_desktop.ui.bridge import AsyncRunner
from mantra_desktop.ui.errors import user_message
from mantra_desktop.ui.record_table import RecordTableModel

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
MANTRA_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 2

ModelIndex = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


def updated_label(moment: datetime) -> str:
    """Return a short local date for a stored timestamp (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%d %b %Y")


class CatalogModel(RecordTableModel):
    """Mantra rows matching the current query, loaded in pages.

    Signals:
        loaded(int): the first page of a query arrived; the number of matches.
    """

    loaded = Signal(int)

    NAME, APPS, TRIGGER, UPDATED = range(4)
    HEADERS = ("Name", "Apps", "Trigger", "Updated")
    headers = HEADERS
    SORT_FOR_COLUMN = {
        NAME: SortKey.NAME,
        APPS: SortKey.APPS,
        UPDATED: SortKey.UPDATED,
    }

    def __init__(
        self,
        catalog: CatalogService,
        runner: AsyncRunner,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self._runner = runner
        self._page_size = page_size
        self._total = 0
        self._query = MantraQuery()
        self._generation = 0
        self._fetching = False
        self._searching = False

    # -- queries ----------------------------------------------------------

    @property
    def query(self) -> MantraQuery:
        return self._query

    @property
    def total(self) -> int:
        """The number of mantras matching the query (not only the loaded rows)."""
        return self._total

    @property
    def is_searching(self) -> bool:
        return self._searching

    def set_query(self, query: MantraQuery) -> None:
        """Show the mantras matching ``query``; the previous search is cancelled."""
        self._query = query
        self._generation += 1
        self._runner.cancel("catalog.page")
        self._fetching = False
        self._searching = True
        generation = self._generation
        self._runner.run(
            "catalog.search",
            self._catalog.first_page(query, limit=self._page_size),
            on_result=lambda page: self._first_page(generation, page),
            on_error=self._search_error,
        )

    def refresh(self) -> None:
        """Read the current query again (after an import or an edit)."""
        self.set_query(self._query)

    def _search_error(self, error: BaseException) -> None:
        self._searching = False
        self._runner.failed.emit("search the catalog", user_message(error, "search"))

    def _first_page(self, generation: int, page: CatalogPage) -> None:
        if generation != self._generation:
            return
        self._searching = False
        self.beginResetModel()
        self._records = list(page.rows)
        self._total = page.total
        self.endResetModel()
        self.loaded.emit(self._total)

    def summary(self, row: int) -> MantraSummary | None:
        """The mantra shown on ``row``, or None outside the loaded rows."""
        summary: MantraSummary | None = self.record_at(row)
        return summary

    # -- paging (Qt overrides) --------------------------------------------

    def canFetchMore(self, parent: ModelIndex = _ROOT) -> bool:  # Qt override
        if parent.isValid() or self._fetching or self._searching:
            return False
        return len(self._records) < self._total

    def fetchMore(self, parent: ModelIndex = _ROOT) -> None:  # Qt override
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation = self._generation
        offset = len(self._records)
        self._runner.run(
            "catalog.page",
            self._read_page(generation, offset),
            on_result=lambda rows: self._append(generation, offset, rows),
        )

    async def _read_page(self, generation: int, offset: int) -> list[MantraSummary]:
        try:
            return await self._catalog.search(
                self._query, offset=offset, limit=self._page_size
            )
        finally:
            if generation == self._generation:
                self._fetching = False

    def _append(self, generation: int, offset: int, rows: list[MantraSummary]) -> None:
        if generation != self._generation or offset != len(self._records) or not rows:
            return
        first = len(self._records)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._records.extend(rows)
        self.endInsertRows()
        logger.debug("Loaded catalog rows %s to %s", first, len(self._records))

    # -- table (Qt overrides) ---------------------------------------------

    def data(  # Qt override
        self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        summary = self._records[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NAME:
                return summary.name
            if column == self.APPS:
                return summary.apps_label
            if column == self.TRIGGER:
                return trigger_label(summary.trigger_kind)
            if column == self.UPDATED:
                return updated_label(summary.updated_at)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.APPS and summary.apps_label:
                return summary.apps_label
            return summary.description or summary.name
        if role == MANTRA_ID_ROLE:
            return summary.id
        if role == SUMMARY_ROLE:
            return summary
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:  # Qt override
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(  # Qt override
        self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder
    ) -> None:
        key = self.SORT_FOR_COLUMN.get(column, SortKey.NAME)
        descending = order == Qt.SortOrder.DescendingOrder
        self.set_query(replace(self._query, sort=key, descending=descending))
