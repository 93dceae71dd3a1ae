"""Pick or create your user on a shared database (once; the choice is kept)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.models import User


class UserPickerDialog(QDialog):
    """Choose an existing user or describe a new one.

    After ``accepted``, either :attr:`chosen_user` is set or :attr:`new_user`
    holds (email, name) for the caller to create.
    """

    def __init__(self, users: Sequence[User], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Who are you?")
        self.setObjectName("UserPickerDialog")
        self.chosen_user: User | None = None
        self.new_user: tuple[str, str] | None = None
        self._users = list(users)
        self._init_choice()
        self._init_new_user()
        self._init_buttons()
        self._update_state()

    def _init_choice(self) -> None:
        layout = QVBoxLayout(self)
        intro = QLabel(
            "This catalog is shared. Everyone sees every mantra; your servers, "
            "accounts and installations are your own."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.existing_option = QRadioButton("I am:")
        self.user_list = QListWidget()
        for user in self._users:
            item = QListWidgetItem(f"{user.name} <{user.email}>")
            item.setData(Qt.ItemDataRole.UserRole, user.id)
            self.user_list.addItem(item)
        self.new_option = QRadioButton("I am new here:")
        layout.addWidget(self.existing_option)
        layout.addWidget(self.user_list)
        layout.addWidget(self.new_option)
        self._layout = layout

    def _init_new_user(self) -> None:
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.email_edit = QLineEdit()
        self.email_edit.setPlaceholderText("you@example.com")
        form.addRow("Name", self.name_edit)
        form.addRow("Email", self.email_edit)
        self._layout.addLayout(form)
        if self._users:
            self.existing_option.setChecked(True)
            self.user_list.setCurrentRow(0)
        else:
            self.new_option.setChecked(True)
            self.existing_option.setEnabled(False)
        for signal in (
            self.existing_option.toggled,
            self.new_option.toggled,
        ):
            signal.connect(self._update_state)
        self.email_edit.textChanged.connect(self._update_state)
        self.user_list.itemDoubleClicked.connect(lambda _item: self.accept())

    def _init_buttons(self) -> None:
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._layout.addWidget(self.buttons)

    def _update_state(self) -> None:
        existing = self.existing_option.isChecked()
        self.user_list.setEnabled(existing)
        self.name_edit.setEnabled(not existing)
        self.email_edit.setEnabled(not existing)
        ok = existing or "@" in self.email_edit.text()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def accept(self) -> None:  # Qt override
        if self.existing_option.isChecked():
            item = self.user_list.currentItem()
            if item is None:
                return
            user_id = item.data(Qt.ItemDataRole.UserRole)
            self.chosen_user = next(u for u in self._users if u.id == user_id)
        else:
            email = self.email_edit.text().strip()
            self.new_user = (email, self.name_edit.text().strip() or email)
        super().accept()
