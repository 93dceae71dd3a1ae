"""The catalog page: search, filters, the list of mantras and their details.

Keyboard first: the search field has the focus, typing searches after a short
pause (each new search cancels the previous one), Down moves into the list,
Enter opens the selected mantra in the details pane, Escape goes back to the
search. Workflow files or folders dropped on the page are imported.
:func:`attach_catalog` builds the page into the main window and wires the
File menu to it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelection, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.repositories.mantras import FacetCounts
from mantra_desktop.services.catalog import CatalogService
from mantra_desktop.ui.bridge import AsyncRunner, dialog_result
from mantra_desktop.ui.catalog_filters import CatalogFilters
from mantra_desktop.ui.catalog_model import MANTRA_ID_ROLE, CatalogModel
from mantra_desktop.ui.details_pane import DetailsPane
from mantra_desktop.ui.import_dialog import ImportController
from mantra_desktop.ui.main_window import MainWindow, connect_action
from mantra_desktop.ui.mantra_editor import MantraEditorDialog

logger = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150
OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class CatalogPage(QWidget):
    """Browse and search the catalog; drop files here to import them.

    Signals:
        paths_dropped(list): local files or folders dropped on the page.
        mantra_opened(str): the user opened this mantra (Enter or double-click).
    """

    paths_dropped = Signal(list)
    mantra_opened = Signal(str)

    def __init__(
        self,
        catalog: CatalogService,
        runner: AsyncRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CatalogPage")
        self._catalog = catalog
        self._runner = runner
        self.model = CatalogModel(catalog, runner, self)
        self.importer: ImportController | None = None
        self._sized = False
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.search_now)
        self._init_search()
        self._init_list()
        self.details = DetailsPane(catalog, runner)
        self._init_layout()
        self.setAcceptDrops(True)
        self.model.loaded.connect(self._on_loaded)
        self.model.modelReset.connect(self._select_first_if_none)
        self.details.catalog_changed.connect(lambda _id: self.refresh())

    # -- construction -----------------------------------------------------

    def _init_search(self) -> None:
        self.search_field = QLineEdit()
        self.search_field.setObjectName("CatalogSearch")
        self.search_field.setPlaceholderText(
            "Search mantras by name, description or app…"
        )
        self.search_field.setClearButtonEnabled(True)
        self.search_field.textChanged.connect(self._schedule_search)
        self.search_field.installEventFilter(self)
        self.filters = CatalogFilters()
        self.filters.changed.connect(self.search_now)

    def _init_list(self) -> None:
        self.table = QTableView()
        self.table.setObjectName("CatalogList")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(CatalogModel.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(
            CatalogModel.APPS, QHeaderView.ResizeMode.Interactive
        )
        header.resizeSection(CatalogModel.APPS, 130)
        header.resizeSection(CatalogModel.TRIGGER, 84)
        header.resizeSection(CatalogModel.UPDATED, 88)
        header.setHighlightSections(False)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._sort_by_column)
        self.table.installEventFilter(self)
        self.table.doubleClicked.connect(lambda _index: self.open_current())
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.empty_label = QLabel()
        self.empty_label.setObjectName("CatalogEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setMargin(24)
        self.clear_filters_button = QPushButton("Clear search and filters")
        self.clear_filters_button.clicked.connect(self.clear_search)
        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_label)
        empty_layout.addWidget(
            self.clear_filters_button, 0, Qt.AlignmentFlag.AlignHCenter
        )
        empty_layout.addStretch(2)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(empty)

        self.count_label = QLabel("Loading the catalog…")
        self.count_label.setObjectName("CatalogCount")

    def _init_layout(self) -> None:
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(12, 12, 6, 8)
        left_layout.setSpacing(8)
        left_layout.addWidget(self.search_field)
        left_layout.addWidget(self.filters)
        left_layout.addWidget(self.list_stack, 1)
        count_row = QHBoxLayout()
        count_row.addWidget(self.count_label)
        count_row.addStretch(1)
        count_row.addLayout(self.filters.order_row)
        left_layout.addLayout(count_row)

        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.setFocusProxy(self.search_field)

    # -- searching --------------------------------------------------------

    def _schedule_search(self) -> None:
        self._search_timer.start()

    def search_now(self) -> None:
        """Search with the current words and filters at once."""
        self._search_timer.stop()
        query = self.filters.query(self.search_field.text())
        self.model.set_query(query)
        self._runner.run(
            "catalog.facets",
            self._catalog.facet_counts(query),
            on_result=self._on_facets,
        )

    def refresh(self) -> None:
        """Search again (after an import, an edit or a hide)."""
        self.search_now()

    def clear_search(self) -> None:
        self.search_field.blockSignals(True)
        self.search_field.clear()
        self.search_field.blockSignals(False)
        self.filters.clear()
        self.search_field.setFocus()

    def _sort_by_column(self, column: int) -> None:
        header = self.table.horizontalHeader()
        order = header.sortIndicatorOrder()
        header.setSortIndicatorShown(True)
        self.model.sort(column, order)

    def _on_facets(self, counts: FacetCounts) -> None:
        self.filters.set_counts(counts)

    def _on_loaded(self, total: int) -> None:
        noun = "mantra" if total == 1 else "mantras"
        self.count_label.setText(f"{total:,} {noun}")
        if total:
            self.list_stack.setCurrentIndex(0)
            return
        words = self.search_field.text().strip()
        if words:
            text = (
                f"No mantra matches “{words}”.\n"
                "Try fewer or shorter words, or another filter."
            )
        elif self.filters.is_filtering():
            text = "No mantra matches these filters.\nTry another one."
        else:
            text = (
                "The catalog is empty.\n"
                "Import n8n workflow files (File > Import), or drop them here."
            )
        self.empty_label.setText(text)
        self.clear_filters_button.setVisible(bool(words) or self.filters.is_filtering())
        self.list_stack.setCurrentIndex(1)

    # -- selection --------------------------------------------------------

    def _select_first_if_none(self) -> None:
        shown = self.details.mantra
        if shown is not None:
            row = self.model.row_of(shown.id)
            if row >= 0:
                self.table.selectRow(row)

    def _on_selection(self, selected: QItemSelection, _old: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            mantra_id = indexes[0].data(MANTRA_ID_ROLE)
            if isinstance(mantra_id, str):
                self.details.show_mantra_id(mantra_id)

    def current_mantra_id(self) -> str | None:
        index = self.table.currentIndex()
        value = index.data(MANTRA_ID_ROLE) if index.isValid() else None
        return value if isinstance(value, str) else None

    def open_current(self) -> None:
        """Open the current mantra: its details, with the focus on its actions."""
        mantra_id = self.current_mantra_id()
        if mantra_id is None and self.model.rowCount() > 0:
            self.table.selectRow(0)
            mantra_id = self.current_mantra_id()
        if mantra_id is None:
            return
        self.details.show_mantra_id(mantra_id)
        self.mantra_opened.emit(mantra_id)

    def new_mantra(self) -> None:
        """Ask for a new mantra and add it to the catalog."""
        self._runner.run("catalog.create", self._create(), replace=False)

    async def _create(self) -> None:
        dialog = MantraEditorDialog(self)
        code = await dialog_result(dialog)
        dialog.deleteLater()
        if code != MantraEditorDialog.DialogCode.Accepted:
            return
        mantra = await self._catalog.create(
            name=dialog.name(),
            description=dialog.description(),
            workflow_text=dialog.workflow_text(),
        )
        self.details.show_mantra(await self._catalog.get(mantra.id))
        self.refresh()

    # -- keyboard and drops (Qt overrides) --------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # Qt override
        super().showEvent(event)
        if not self._sized:
            # The list and the details share the width about evenly at first.
            self._sized = True
            width = max(self.width(), 800)
            self.splitter.setSizes([int(width * 0.5), int(width * 0.5)])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if watched is self.search_field:
            if key in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
                self._enter_list()
                return True
            if key in OPEN_KEYS:
                self.search_now()
                self._enter_list()
                self.open_current()
                return True
        elif watched is self.table:
            if key in OPEN_KEYS:
                self.open_current()
                return True
            if key == Qt.Key.Key_Escape:
                self.search_field.setFocus()
                self.search_field.selectAll()
                return True
            if key == Qt.Key.Key_Up and self.table.currentIndex().row() <= 0:
                self.search_field.setFocus()
                return True
        return False

    def _enter_list(self) -> None:
        if self.model.rowCount() == 0:
            return
        self.table.setFocus()
        if not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # Qt override
        if _local_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # Qt override
        if _local_paths(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # Qt override
        paths = _local_paths(event)
        if paths:
            event.acceptProposedAction()
            self.paths_dropped.emit(paths)


def _local_paths(event: QDropEvent) -> list[Path]:
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def attach_catalog(
    window: MainWindow, catalog: CatalogService, runner: AsyncRunner
) -> CatalogPage:
    """Build the catalog page into ``window`` and enable its File actions.

    The first search runs at once; on a catalog without any mantra the
    starter catalog is loaded first.
    """
    page = CatalogPage(catalog, runner)
    importer = ImportController(window, catalog, runner)
    page.importer = importer
    importer.finished.connect(lambda _summary: page.refresh())
    page.paths_dropped.connect(importer.import_paths)
    window.setAcceptDrops(False)
    window.set_page("catalog", page)

    folder_action = QAction("Import &Folder…", window)
    folder_action.setObjectName("ImportFolderAction")
    folder_action.setShortcut("Ctrl+Shift+O")
    folder_action.setStatusTip("Import every n8n workflow file in a folder")
    for owner in window.import_action.associatedObjects():
        if isinstance(owner, QMenu):
            owner.insertAction(window.export_action, folder_action)
    window.import_folder_action = folder_action  # type: ignore[attr-defined]
    connect_action(window.import_action, importer.choose_files)
    connect_action(folder_action, importer.choose_folder)
    connect_action(window.new_mantra_action, page.new_mantra)
    connect_action(window.export_action, page.details.export_current)

    runner.run(
        "catalog.starter",
        catalog.load_starter_catalog(),
        on_result=lambda _summary: page.search_now(),
    )
    page.search_field.setFocus()
    return page
