"""Importing workflow files and folders: choosing them, progress, the summary.

:class:`ImportController` is what File > Import, File > Import Folder and a
drop on the catalog call. A folder (or several files) shows a progress dialog
that can be cancelled; a cancelled import stores nothing. The import ends
with :class:`ImportSummaryDialog`, which lists every rejected file with its
reason and the workflows that were already in the catalog, or with a line in
the status bar when one file went in cleanly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QProgressDialog,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.services.catalog import CatalogService, ImportSummary
from mantra_desktop.ui.bridge import AsyncRunner, dialog_result

logger = logging.getLogger(__name__)


class ImportSummaryDialog(QDialog):
    """What an import did: counts, then each rejected or already present file."""

    def __init__(self, summary: ImportSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ImportSummary")
        self.setWindowTitle("Import finished" if not summary.cancelled else "Import")
        self.headline = QLabel(summary.headline())
        self.headline.setObjectName("ImportHeadline")
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)

        self.files = QTreeWidget()
        self.files.setObjectName("ImportFiles")
        self.files.setHeaderLabels(["File", "What happened"])
        self.files.setRootIsDecorated(False)
        self.files.setAlternatingRowColors(True)
        self.files.setWordWrap(True)
        header = self.files.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for rejected in summary.rejected:
            item = QTreeWidgetItem([rejected.source, rejected.reason])
            item.setToolTip(1, rejected.reason)
            self.files.addTopLevelItem(item)
        for present in summary.present:
            item = QTreeWidgetItem([present.source, present.reason])
            item.setForeground(1, self.palette().placeholderText())
            self.files.addTopLevelItem(item)
        self.files.setColumnWidth(0, 300)
        self.files.setVisible(self.files.topLevelItemCount() > 0)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.files, 1)
        layout.addWidget(buttons)
        self.resize(820, 460 if self.files.isVisible() else 140)


class ImportController(QObject):
    """Runs imports for the window and reports them.

    Signals:
        finished(object): an import ended; its :class:`ImportSummary`.
    """

    finished = Signal(object)

    def __init__(
        self, window: QWidget, catalog: CatalogService, runner: AsyncRunner
    ) -> None:
        super().__init__(window)
        self._window = window
        self._catalog = catalog
        self._runner = runner
        self.progress: QProgressDialog | None = None
        self.summary_dialog: ImportSummaryDialog | None = None

    def choose_files(self) -> None:
        """Ask for workflow files, then import them."""
        dialog = QFileDialog(self._window, "Import n8n workflow files")
        dialog.setObjectName("ImportFilesDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter("n8n workflows (*.json);;All files (*)")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.filesSelected.connect(
            lambda names: self.import_paths([Path(n) for n in names])
        )
        dialog.open()

    def choose_folder(self) -> None:
        """Ask for a folder, then import every workflow file under it."""
        dialog = QFileDialog(self._window, "Import a folder of n8n workflows")
        dialog.setObjectName("ImportFolderDialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.fileSelected.connect(lambda name: self.import_paths([Path(name)]))
        dialog.open()

    def import_paths(self, paths: Sequence[Path]) -> None:
        """Import files and folders, with progress when there is more than a file."""
        if paths:
            self._runner.run("catalog.import", self._import(list(paths)), replace=False)

    async def _import(self, paths: list[Path]) -> ImportSummary:
        many = len(paths) > 1 or any(path.is_dir() for path in paths)
        progress: QProgressDialog | None = None
        if many:
            progress = QProgressDialog(
                "Reading workflow files…", "Cancel", 0, 0, self._window
            )
            progress.setObjectName("ImportProgress")
            progress.setWindowTitle("Importing mantras")
            # Not modal: a modal progress dialog runs the event loop inside
            # setValue(), which would re-enter the running import task.
            progress.setWindowModality(Qt.WindowModality.NonModal)
            progress.setMinimumDuration(0)
            progress.setAutoClose(False)
            progress.setAutoReset(False)
            progress.setMinimumWidth(420)
            progress.show()
            self.progress = progress

        def on_progress(done: int, total: int, name: str) -> None:
            if progress is not None:
                progress.setMaximum(total)
                progress.setValue(done)
                if name:
                    progress.setLabelText(f"Reading {name}")
                else:
                    progress.setLabelText("Saving to the catalog…")

        def is_cancelled() -> bool:
            return progress is not None and progress.wasCanceled()

        try:
            summary = await self._catalog.import_paths(
                paths, progress=on_progress, is_cancelled=is_cancelled
            )
        finally:
            if progress is not None:
                progress.close()
                progress.deleteLater()
                self.progress = None

        self.finished.emit(summary)
        if many or summary.rejected or summary.present or summary.cancelled:
            await self._show_summary(summary)
        else:
            self._status(summary.headline())
        return summary

    async def _show_summary(self, summary: ImportSummary) -> None:
        dialog = ImportSummaryDialog(summary, self._window)
        self.summary_dialog = dialog
        await dialog_result(dialog)
        self.summary_dialog = None
        dialog.deleteLater()

    def _status(self, message: str) -> None:
        show_status = getattr(self._window, "show_status", None)
        if callable(show_status):
            show_status(message)
