"""The dialog to create or edit a mantra: name, description and workflow JSON.

The workflow is pasted or loaded from a file, and checked as the user types
with the same rules as an import; OK stays disabled while the name is empty
or the workflow is not valid, and a line under the text says why.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.models import Mantra
from mantra_desktop.services.catalog import WorkflowCheck, check_workflow_text

logger = logging.getLogger(__name__)

CHECK_DELAY_MS = 200
GEOMETRY_KEY = "mantra_editor/geometry"


class MantraEditorDialog(QDialog):
    """Create a mantra (``mantra`` None) or edit ``mantra``.

    After ``Accepted``, read :meth:`name`, :meth:`description` and
    :meth:`workflow_text`; the dialog itself stores nothing.
    """

    def __init__(self, parent: QWidget | None = None, *, mantra: Mantra | None = None):
        super().__init__(parent)
        self.setObjectName("MantraEditor")
        self.setWindowTitle("Edit mantra" if mantra else "New mantra")
        self._check = WorkflowCheck(None, "")
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self._run_check)
        self._init_fields()
        self._init_buttons()
        self._init_layout()
        if mantra is not None:
            self.name_edit.setText(mantra.name)
            self.description_edit.setPlainText(mantra.description)
            self.workflow_edit.setPlainText(
                json.dumps(mantra.workflow_json, indent=2, ensure_ascii=False)
            )
        self._run_check()
        self.resize(720, 640)
        saved = QSettings().value(GEOMETRY_KEY)
        if saved is not None:
            self.restoreGeometry(saved)

    def _init_fields(self) -> None:
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("MantraName")
        self.name_edit.setPlaceholderText("What the mantra does, in a few words")
        self.name_edit.setMaxLength(300)
        self.name_edit.textChanged.connect(self._update_ok)
        self.description_edit = QPlainTextEdit()
        self.description_edit.setObjectName("MantraDescriptionEdit")
        self.description_edit.setPlaceholderText(
            "What it does, what it needs and how to adapt it (Markdown)"
        )
        self.description_edit.setMaximumHeight(140)
        self.workflow_edit = QPlainTextEdit()
        self.workflow_edit.setObjectName("WorkflowJson")
        self.workflow_edit.setPlaceholderText(
            "Paste a workflow copied from n8n (Ctrl+A, Ctrl+C in its editor), "
            "or load an exported file."
        )
        self.workflow_edit.setFont(
            QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        )
        self.workflow_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.workflow_edit.textChanged.connect(self._workflow_edited)
        self.load_button = QPushButton("Load from file…")
        self.load_button.clicked.connect(self._choose_file)
        self.check_label = QLabel()
        self.check_label.setObjectName("WorkflowCheck")
        self.check_label.setWordWrap(True)

    def _init_buttons(self) -> None:
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Save")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def _init_layout(self) -> None:
        form = QFormLayout()
        form.addRow("&Name", self.name_edit)
        form.addRow("&Description", self.description_edit)
        workflow_bar = QHBoxLayout()
        workflow_label = QLabel("&Workflow JSON")
        workflow_label.setBuddy(self.workflow_edit)
        workflow_bar.addWidget(workflow_label)
        workflow_bar.addStretch(1)
        workflow_bar.addWidget(self.load_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(workflow_bar)
        layout.addWidget(self.workflow_edit, 1)
        layout.addWidget(self.check_label)
        layout.addWidget(self.buttons)

    # -- values -----------------------------------------------------------

    def name(self) -> str:
        return self.name_edit.text().strip()

    def description(self) -> str:
        return self.description_edit.toPlainText().strip()

    def workflow_text(self) -> str:
        return self.workflow_edit.toPlainText()

    @property
    def check(self) -> WorkflowCheck:
        """The verdict on the workflow text as it was last checked."""
        return self._check

    # -- checking ---------------------------------------------------------

    def _workflow_edited(self) -> None:
        self.ok_button.setEnabled(False)
        self._check_timer.start()

    def _run_check(self) -> None:
        self._check_timer.stop()
        self._check = check_workflow_text(self.workflow_text())
        self.check_label.setText(self._check.message)
        colour = "#1a7f37" if self._check.ok else "#b42318"
        self.check_label.setStyleSheet(f"color: {colour};")
        if self._check.ok and not self.name_edit.text().strip():
            assert self._check.document is not None
            self.name_edit.setText(self._check.document.name)
            if not self.description():
                self.description_edit.setPlainText(self._check.document.description)
        self._update_ok()

    def _update_ok(self) -> None:
        pending = self._check_timer.isActive()
        self.ok_button.setEnabled(self._check.ok and bool(self.name()) and not pending)

    def _choose_file(self) -> None:
        dialog = QFileDialog(self, "Load an n8n workflow file")
        dialog.setObjectName("LoadWorkflowDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter("n8n workflow (*.json);;All files (*)")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.fileSelected.connect(self.load_file)
        dialog.open()

    def load_file(self, file_name: str) -> None:
        """Put the text of ``file_name`` in the workflow field."""
        try:
            raw = Path(file_name).read_bytes()
        except OSError as error:
            self.check_label.setText(f"Cannot read {file_name}: {error.strerror}")
            return
        self.workflow_edit.setPlainText(raw.decode("utf-8-sig", errors="replace"))
        self._run_check()

    # -- geometry ---------------------------------------------------------

    def done(self, result: int) -> None:  # Qt override
        QSettings().setValue(GEOMETRY_KEY, self.saveGeometry())
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        QSettings().setValue(GEOMETRY_KEY, self.saveGeometry())
        super().closeEvent(event)
