"""The add/edit dialog of an n8n server, with a connection test that never blocks.

The dialog only collects and checks values; the page saves them through the
server service when the dialog is accepted. "Test connection" runs the check on
the qasync loop through the window's ``AsyncRunner`` and shows the n8n version or
the server's own refusal beside the button.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.models import N8nServer
from mantra_desktop.n8n import N8nError, ServerInfo
from mantra_desktop.services.servers import ServerService
from mantra_desktop.ui.bridge import AsyncRunner


class ServerDialog(QDialog):
    """Ask for a server's name, address and API key; test them on request.

    With ``server`` the dialog edits it: an empty key field keeps the stored key.
    After acceptance, ``values()`` returns what was entered and ``detected_version``
    the version the last successful test reported.
    """

    def __init__(
        self,
        servers: ServerService,
        runner: AsyncRunner,
        server: N8nServer | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._servers = servers
        self._runner = runner
        self._editing = server
        self.detected_version = ""
        self.setWindowTitle("Edit Server" if server else "Add Server")
        self.setMinimumWidth(520)

        self.name_edit = QLineEdit(server.name if server else "")
        self.name_edit.setPlaceholderText("Home n8n")
        self.url_edit = QLineEdit(server.base_url if server else "")
        self.url_edit.setPlaceholderText("http://127.0.0.1:5678")
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(
            "Unchanged" if server else "From n8n: Settings > n8n API"
        )
        self.default_check = QCheckBox("Install into this server unless I choose")
        self.default_check.setChecked(bool(server and server.is_default))

        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Address:", self.url_edit)
        form.addRow("API &key:", self.key_edit)
        form.addRow("", self.default_check)

        self.test_button = QPushButton("&Test Connection")
        self.test_button.clicked.connect(self._test)
        self.test_result = QLabel()
        self.test_result.setObjectName("TestResult")
        self.test_result.setWordWrap(True)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save
            | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._accept_if_complete)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(test_row)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def values(self) -> tuple[str, str, str, bool]:
        """Return (name, address, key, make default); the key may be empty."""
        return (
            self.name_edit.text().strip(),
            self.url_edit.text().strip(),
            self.key_edit.text().strip(),
            self.default_check.isChecked(),
        )

    def _key_for_test(self) -> str | None:
        key = self.key_edit.text().strip()
        if key:
            return key
        return None

    def _test(self) -> None:
        _, url, _, _ = self.values()
        if not url:
            self._show_result(False, "Enter the server's address first.")
            return
        self.test_button.setEnabled(False)
        self.test_result.setText("Testing…")
        self._runner.run(
            "test the server connection",
            self._run_test(url, self._key_for_test()),
            on_result=self._tested,
            on_error=self._test_failed,
        )

    async def _run_test(self, url: str, key: str | None) -> ServerInfo:
        if key is None:
            if self._editing is None:
                raise N8nError("Enter the API key to test it.")
            key = await self._servers.api_key(self._editing.id)
        return await self._servers.test(url, key)

    def _tested(self, info: ServerInfo) -> None:
        self.test_button.setEnabled(True)
        self.detected_version = info.version
        version = info.version or "an unknown version"
        self._show_result(True, f"Connected: n8n {version}; the API key works.")

    def _test_failed(self, error: BaseException) -> None:
        self.test_button.setEnabled(True)
        self._show_result(False, str(error) or type(error).__name__)

    def _show_result(self, ok: bool, text: str) -> None:
        colour = "#1a7f37" if ok else "#b42318"
        self.test_result.setStyleSheet(f"color: {colour};")
        self.test_result.setText(text)

    def _accept_if_complete(self) -> None:
        name, url, key, _ = self.values()
        if not name or not url or (self._editing is None and not key):
            self._show_result(False, "Fill in the name, the address and the API key.")
            return
        self.accept()
