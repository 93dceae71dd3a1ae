"""Link a Google account: the browser sign-in and the dialog that waits for it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.services.accounts import AccountService, LinkAttempt, LinkedAccount
from mantra_desktop.ui.bridge import AsyncRunner

logger = logging.getLogger(__name__)

LINK_ACTION = "link a Google account"


class LinkWaitingDialog(QDialog):
    """Non-modal: "Waiting for you to sign in in your browser… [Cancel]".

    Cancel (or closing the dialog) cancels the attempt, which closes the listener.
    """

    def __init__(self, attempt: LinkAttempt, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._attempt = attempt
        self.setWindowTitle("Link Google Account")
        self.setModal(False)
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        who = attempt.expected.email if attempt.expected else "your Google account"
        self.message = QLabel(
            "<b>Waiting for you to sign in in your browser…</b><br><br>"
            f"Sign in with {who} and allow access. This window closes by itself "
            "when you are done."
        )
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        busy = QProgressBar()
        busy.setRange(0, 0)
        busy.setTextVisible(False)
        busy.setMaximumHeight(8)
        layout.addWidget(busy)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.copy_button = QPushButton("Copy Sign-in Link")
        self.copy_button.setToolTip("If no browser opened, paste this link into one")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    cancelled_by_user = False
    """True once the person pressed Cancel or closed the dialog."""

    def reject(self) -> None:  # Qt override: Cancel, Escape and closing
        self.cancelled_by_user = True
        self._attempt.cancel()
        super().reject()

    def _on_copy_clicked(self) -> None:
        url = self._attempt.authorization_url
        if url:
            QGuiApplication.clipboard().setText(url)


def start_link(
    parent: QWidget,
    runner: AsyncRunner,
    accounts: AccountService,
    *,
    needed_scopes: Iterable[str] = (),
    account: LinkedAccount | None = None,
    on_linked: Callable[[LinkedAccount], None] | None = None,
    on_finished: Callable[[], None] | None = None,
) -> LinkWaitingDialog:
    """Open the browser sign-in and the waiting dialog; return the dialog.

    ``on_linked`` gets the stored account. A refusal or timeout goes to the
    runner's error display; a cancellation is silent. ``on_finished`` runs in
    every case.
    """
    attempt = accounts.new_link(needed_scopes, account=account)
    dialog = LinkWaitingDialog(attempt, parent)

    def finish() -> None:
        if dialog.isVisible():
            dialog.done(QDialog.DialogCode.Accepted)
        dialog.deleteLater()
        if on_finished is not None:
            on_finished()

    def linked(result: LinkedAccount) -> None:
        finish()
        if on_linked is not None:
            on_linked(result)

    def failed(error: BaseException) -> None:
        cancelled = dialog.cancelled_by_user
        finish()
        if not cancelled:
            runner.failed.emit(LINK_ACTION, str(error))

    runner.run(LINK_ACTION, attempt.run(), on_result=linked, on_error=failed)
    dialog.show()
    return dialog
