"""Import the user's own Google OAuth client ("Desktop app" client file)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.services.accounts import AccountService
from mantra_desktop.ui.bridge import AsyncRunner
from mantra_desktop.ui.errors import user_message

logger = logging.getLogger(__name__)

_EXPLANATION = (
    "Mantra Desktop signs in to Google with your own OAuth client. In Google Cloud "
    "Console, open <i>APIs &amp; Services &gt; Credentials</i>, create an "
    "<b>OAuth client ID</b> of type <b>Desktop app</b>, and download its JSON file. "
    "The client secret is kept in your system keychain."
)


class OAuthClientDialog(QDialog):
    """Choose a client file, check it, and keep it; errors show in the dialog.

    The dialog accepts once the file was imported; it never blocks the loop.
    """

    def __init__(
        self, accounts: AccountService, runner: AsyncRunner, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self._accounts = accounts
        self._runner = runner
        self.setWindowTitle("Google OAuth Client")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self._init_explanation(layout)
        self._init_file_row(layout)
        self._init_buttons(layout)

    def _init_explanation(self, layout: QVBoxLayout) -> None:
        explanation = QLabel(_EXPLANATION)
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        config = self._accounts.client_config()
        self.current_label = QLabel(
            f"Current client: <b>{config.client_id}</b> ({config.issuer})"
            if config
            else "No client imported yet."
        )
        self.current_label.setWordWrap(True)
        layout.addWidget(self.current_label)

    def _init_file_row(self, layout: QVBoxLayout) -> None:
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("client_secret_….json")
        self.path_edit.textChanged.connect(self._on_path_changed)
        browse = QPushButton("Choose File…")
        browse.clicked.connect(self._on_browse_clicked)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        layout.addLayout(row)
        self.error_label = QLabel()
        self.error_label.setObjectName("ErrorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b3261e")
        self.error_label.hide()
        layout.addWidget(self.error_label)

    def _init_buttons(self, layout: QVBoxLayout) -> None:
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save
            | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Import")
        self.save_button.setEnabled(False)
        self.buttons.accepted.connect(self._on_import_clicked)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def import_file(self, path: Path) -> None:
        """Read ``path`` and import it; on success the dialog accepts."""
        self.path_edit.setText(str(path))
        self._on_import_clicked()

    def _on_path_changed(self, text: str) -> None:
        self.save_button.setEnabled(bool(text.strip()))
        self.error_label.hide()

    def _on_browse_clicked(self) -> None:
        chooser = QFileDialog(self, "Choose the client file", str(Path.home()))
        chooser.setNameFilter("Client files (*.json);;All files (*)")
        chooser.setFileMode(QFileDialog.FileMode.ExistingFile)
        chooser.fileSelected.connect(self.path_edit.setText)
        chooser.open()

    def _on_import_clicked(self) -> None:
        path = Path(self.path_edit.text().strip()).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self._show_error(f"Cannot read {path.name}: {error}")
            return
        self.save_button.setEnabled(False)
        self._runner.run(
            "import the OAuth client",
            self._accounts.import_client_file(text),
            on_result=lambda _config: self.accept(),
            on_error=self._on_import_failed,
        )

    def _on_import_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self._show_error(user_message(error, "import the OAuth client"))

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
