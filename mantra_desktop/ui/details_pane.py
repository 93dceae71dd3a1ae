"""The details of one mantra: what it does, what it needs, and its drawing.

The pane shows the mantra picked in the catalog list: name, facts (version,
origin, trigger, node count), the apps, the credentials its nodes need, the
description rendered from Markdown and the workflow drawn as n8n lays it out.
``actions_row`` holds the buttons (Edit, Export, Hide); other features add
theirs to it and follow ``mantra_changed`` to know which mantra is shown.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.models import Mantra
from mantra_desktop.services.catalog import CatalogService, export_file_name
from mantra_desktop.ui.bridge import AsyncRunner, dialog_result
from mantra_desktop.ui.catalog_model import trigger_label, updated_label
from mantra_desktop.ui.mantra_editor import MantraEditorDialog
from mantra_desktop.ui.workflow_view import WorkflowView
from mantra_desktop.workflows import derive_facts

logger = logging.getLogger(__name__)

ORIGIN_LABELS = {
    "bundled": "starter catalog",
    "imported": "imported",
    "created": "created here",
    "server": "copied from a server",
}


def describe_mantra(mantra: Mantra) -> str:
    """The Markdown shown for a mantra: its description and what it needs."""
    facts = derive_facts(mantra.workflow_json)
    parts = [mantra.description.strip() or "*No description.*"]
    if facts.credentials:
        lines = ["", "#### Credentials it needs", ""]
        for requirement in facts.credentials:
            named = (
                f" “{requirement.template_name}”" if requirement.template_name else ""
            )
            nodes = ", ".join(requirement.node_names[:4])
            more = len(requirement.node_names) - 4
            if more > 0:
                nodes += f" and {more} more"
            lines.append(f"- `{requirement.type}`{named}: used by {nodes}")
        parts.append("\n".join(lines))
    else:
        parts.append("\n#### Credentials it needs\n\nNone.")
    return "\n".join(parts)


class DetailsPane(QWidget):
    """What the catalog shows about the selected mantra.

    Signals:
        mantra_changed(str): the pane now shows this mantra id ("" for none).
        catalog_changed(str): this mantra was edited or hidden; refresh lists.
    """

    mantra_changed = Signal(str)
    catalog_changed = Signal(str)

    def __init__(
        self,
        catalog: CatalogService,
        runner: AsyncRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self._runner = runner
        self.mantra: Mantra | None = None
        self._init_header()
        self._init_actions()
        self._init_body()
        self._init_layout()
        self.clear()

    # -- construction -----------------------------------------------------

    def _init_header(self) -> None:
        self.title = QLabel()
        self.title.setObjectName("MantraTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setBold(True)
        self.title.setFont(font)
        self.facts = QLabel()
        self.facts.setObjectName("MantraFacts")
        self.facts.setWordWrap(True)
        self.facts.setStyleSheet("color: palette(placeholder-text);")
        self.apps = QLabel()
        self.apps.setObjectName("MantraApps")
        self.apps.setWordWrap(True)
        self.apps.setTextFormat(Qt.TextFormat.RichText)

    def _init_actions(self) -> None:
        self.actions_row = QHBoxLayout()
        self.actions_row.setSpacing(6)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip("Change the name, description or workflow")
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save as a file n8n's editor imports")
        self.hide_button = QPushButton("Hide")
        self.hide_button.setToolTip("Remove from the catalog; installations stay")
        self.edit_button.clicked.connect(self.edit_current)
        self.export_button.clicked.connect(self.export_current)
        self.hide_button.clicked.connect(self.hide_current)
        for button in (self.edit_button, self.export_button, self.hide_button):
            self.actions_row.addWidget(button)
        self.actions_row.addStretch(1)

    def _init_body(self) -> None:
        self.description = QTextBrowser()
        self.description.setObjectName("MantraDescription")
        self.description.setOpenExternalLinks(True)
        self.description.setAcceptDrops(False)
        self.description.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.workflow_view = WorkflowView()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.description)
        self.splitter.addWidget(self.workflow_view)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([200, 360])
        self.splitter.setChildrenCollapsible(False)

    def _init_layout(self) -> None:
        shown = QWidget()
        layout = QVBoxLayout(shown)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addWidget(self.apps)
        layout.addLayout(self.actions_row)
        layout.addSpacing(4)
        layout.addWidget(self.splitter, 1)

        self.empty = QLabel("Pick a mantra to see what it does and what it needs.")
        self.empty.setObjectName("DetailsEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(shown)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    # -- showing ----------------------------------------------------------

    def show_mantra_id(self, mantra_id: str) -> None:
        """Read the mantra and show it (a later call cancels an earlier one)."""
        if self.mantra is not None and self.mantra.id == mantra_id:
            return
        self._runner.run(
            "catalog.details", self._catalog.get(mantra_id), on_result=self.show_mantra
        )

    def show_mantra(self, mantra: Mantra) -> None:
        self.mantra = mantra
        facts = derive_facts(mantra.workflow_json)
        self.title.setText(mantra.name)
        origin = ORIGIN_LABELS.get(mantra.origin, mantra.origin)
        nodes = f"{mantra.node_count} {'node' if mantra.node_count == 1 else 'nodes'}"
        hidden = " · hidden" if not mantra.is_active else ""
        self.facts.setText(
            f"Version {mantra.version} · {origin} · "
            f"{trigger_label(mantra.trigger_kind)} trigger · {nodes} · "
            f"updated {updated_label(mantra.updated_at)}{hidden}"
        )
        chips = " ".join(
            "<span style='background:#e8eefc; color:#1d3f8f; padding:2px 6px;'>"
            f"&nbsp;{_escape(app)}&nbsp;</span>"
            for app in facts.apps
        )
        self.apps.setText(chips or "<i>Only core n8n nodes</i>")
        self.description.setMarkdown(describe_mantra(mantra))
        self.workflow_view.show_workflow(mantra.workflow_json)
        self.hide_button.setEnabled(mantra.is_active)
        self.stack.setCurrentIndex(1)
        self.mantra_changed.emit(mantra.id)

    def clear(self) -> None:
        self.mantra = None
        self.workflow_view.clear()
        self.stack.setCurrentIndex(0)
        self.mantra_changed.emit("")

    # -- actions ----------------------------------------------------------

    def edit_current(self) -> None:
        if self.mantra is not None:
            self._runner.run("catalog.edit", self._edit(self.mantra), replace=False)

    async def _edit(self, mantra: Mantra) -> None:
        dialog = MantraEditorDialog(self, mantra=mantra)
        code = await dialog_result(dialog)
        dialog.deleteLater()
        if code != MantraEditorDialog.DialogCode.Accepted:
            return
        edited = await self._catalog.edit(
            mantra.id,
            name=dialog.name(),
            description=dialog.description(),
            workflow_text=dialog.workflow_text(),
        )
        self.mantra = None
        self.show_mantra(await self._catalog.get(edited.id))
        self.catalog_changed.emit(edited.id)

    def export_current(self) -> None:
        if self.mantra is not None:
            self._runner.run("catalog.export", self._export(self.mantra), replace=False)

    async def _export(self, mantra: Mantra) -> None:
        dialog = QFileDialog(self, "Export mantra as an n8n workflow file")
        dialog.setObjectName("ExportDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("n8n workflow (*.json)")
        dialog.setDefaultSuffix("json")
        dialog.selectFile(export_file_name(mantra.name))
        code = await dialog_result(dialog)
        chosen = dialog.selectedFiles()
        dialog.deleteLater()
        if code != QFileDialog.DialogCode.Accepted:
            return
        if chosen:
            target = await self._catalog.export(mantra.id, Path(chosen[0]))
            self._status(f"Saved {mantra.name} to {target.name}")

    def hide_current(self) -> None:
        if self.mantra is not None:
            self._runner.run("catalog.hide", self._hide(self.mantra), replace=False)

    async def _hide(self, mantra: Mantra) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Hide mantra",
            f"Hide “{mantra.name}” from the catalog?\n\n"
            "Where it is installed, it keeps running.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("HideConfirmation")
        hide = box.addButton("Hide", QMessageBox.ButtonRole.AcceptRole)
        await dialog_result(box)
        box.deleteLater()
        if box.clickedButton() is not hide:
            return
        await self._catalog.hide(mantra.id)
        self._status(f"Hid {mantra.name}")
        self.clear()
        self.catalog_changed.emit(mantra.id)

    def _status(self, message: str) -> None:
        window = self.window()
        show_status = getattr(window, "show_status", None)
        if callable(show_status):
            show_status(message)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
