"""The update dialog: what a newer mantra version changes, and a warning on drift."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.services.install import UpdatePreview


def _html_list(title: str, names: tuple[str, ...]) -> str:
    if not names:
        return ""
    items = "".join(f"<li>{name}</li>" for name in names)
    return (
        f"<p style='margin:4px 0'><b>{title}</b></p><ul style='margin:0'>{items}</ul>"
    )


class UpdateDialog(QDialog):
    """Show ``preview`` and ask to update; ``overwrite_changes()`` after acceptance.

    When the workflow was changed on the server, the Update button stays disabled
    until the user ticks that those changes may be overwritten.
    """

    def __init__(
        self, preview: UpdatePreview, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Update {title}")
        self.setMinimumWidth(480)
        diff = preview.diff
        intro = QLabel(
            f"Update from version {preview.from_version} to version "
            f"{preview.to_version}. The workflow keeps its id, its credentials and "
            + ("stays active." if preview.active else "stays inactive.")
        )
        intro.setWordWrap(True)
        changes = QLabel(
            f"<p>{diff.summary}</p>"
            + _html_list("Nodes added", diff.added)
            + _html_list("Nodes removed", diff.removed)
            + _html_list(
                "Nodes changed",
                tuple(
                    f"{change.name} ({', '.join(change.fields)})"
                    for change in diff.changed
                ),
            )
        )
        changes.setTextFormat(Qt.TextFormat.RichText)
        changes.setWordWrap(True)
        self.drift_check = QCheckBox(
            "The workflow was changed in n8n since it was installed. "
            "Overwrite those changes."
        )
        self.drift_check.setVisible(preview.changed_on_server)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.update_button = self.buttons.addButton(
            "&Update", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.update_button.setEnabled(not preview.changed_on_server)
        self.drift_check.toggled.connect(self.update_button.setEnabled)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(changes)
        layout.addWidget(self.drift_check)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def overwrite_changes(self) -> bool:
        return self.drift_check.isChecked()
