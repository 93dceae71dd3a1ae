"""The Accounts page: linked Google accounts, what they may access, and actions."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.google import scopes
from mantra_desktop.services.accounts import (
    PRODUCT_CREDENTIAL_TYPES,
    AccountService,
    LinkedAccount,
    UnlinkReport,
)
from mantra_desktop.ui.accounts_link import LinkWaitingDialog, start_link
from mantra_desktop.ui.accounts_model import AccountsModel
from mantra_desktop.ui.bridge import AsyncRunner, dialog_result
from mantra_desktop.ui.main_window import MainWindow, connect_action
from mantra_desktop.ui.oauth_client_dialog import OAuthClientDialog
from mantra_desktop.ui.record_table import page_title, record_view

logger = logging.getLogger(__name__)

StatusDisplay = Callable[[str], None]


class AccountsPage(QWidget):
    """Lists the user's linked accounts; links, refreshes, adds access, unlinks.

    ``show_status`` shows a short message (the main window's status bar).
    """

    def __init__(
        self,
        accounts: AccountService,
        runner: AsyncRunner,
        show_status: StatusDisplay,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._accounts = accounts
        self._runner = runner
        self._show_status = show_status
        self.waiting_dialog: LinkWaitingDialog | None = None
        self.model = AccountsModel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        self._init_header(layout)
        self._init_table(layout)
        self._init_actions(layout)
        self._update_client_label()
        self._on_selection_changed()

    # -- construction -----------------------------------------------------

    def _init_header(self, layout: QVBoxLayout) -> None:
        row = QHBoxLayout()
        titles = QVBoxLayout()
        title = page_title("Google accounts")
        self.client_label = QLabel()
        self.client_label.setWordWrap(True)
        titles.addWidget(title)
        titles.addWidget(self.client_label)
        row.addLayout(titles, 1)
        self.client_button = QPushButton("OAuth Client…")
        self.client_button.clicked.connect(self.edit_client)
        self.link_button = QPushButton("Link Google Account…")
        self.link_button.setDefault(True)
        self.link_button.clicked.connect(self.link_account)
        row.addWidget(self.client_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.link_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(row)

    def _init_table(self, layout: QVBoxLayout) -> None:
        self.table = record_view(self.model)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setStyleSheet(
            "QTableView::item { padding: 0 12px; }"
            "QHeaderView::section { padding: 4px 12px; }"
        )
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        header.setMinimumSectionSize(120)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.empty_label = QLabel(
            "No Google account is linked yet.\n\nLink one to let mantras that use "
            "Gmail, Sheets, Drive or Calendar run with it."
        )
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setEnabled(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(self.table)
        layout.addWidget(self.stack, 1)

    def _init_actions(self, layout: QVBoxLayout) -> None:
        row = QHBoxLayout()
        self.refresh_button = QPushButton("Refresh Token")
        self.refresh_button.setToolTip("Ask Google for a new access token now")
        self.refresh_button.clicked.connect(self.refresh_selected)
        self.add_access_button = QPushButton("Add Access")
        self.add_access_menu = QMenu(self)
        self.add_access_menu.aboutToShow.connect(self._fill_add_access_menu)
        self.add_access_button.setMenu(self.add_access_menu)
        self.unlink_button = QPushButton("Unlink…")
        self.unlink_button.clicked.connect(self.unlink_selected)
        self.details_label = QLabel()
        self.details_label.setEnabled(False)
        row.addWidget(self.details_label, 1)
        for button in (self.refresh_button, self.add_access_button, self.unlink_button):
            row.addWidget(button)
        layout.addLayout(row)

    # -- public slots -----------------------------------------------------

    def reload(self) -> None:
        """Read the accounts again."""
        self._runner.run(
            "list linked accounts",
            self._accounts.list_accounts(),
            on_result=self._show_accounts,
        )

    def edit_client(self) -> None:
        """Open the OAuth client dialog."""
        dialog = OAuthClientDialog(self._accounts, self._runner, self)

        async def wait() -> int:
            return await dialog_result(dialog)

        def closed(code: int) -> None:
            self._update_client_label()
            if code:
                self._show_status("Imported the Google OAuth client")
            dialog.deleteLater()

        self._runner.run("edit the OAuth client", wait(), on_result=closed)

    def link_account(self) -> None:
        """Sign in in the browser and add (or update) the account."""
        if self._accounts.client_config() is None:
            self.edit_client()
            return
        self._start(needed_scopes=(), account=None)

    def add_access(self, account: LinkedAccount, credential_type: str) -> None:
        """Ask the account for the scopes of ``credential_type`` too."""
        self._start(needed_scopes=scopes.scopes_for([credential_type]), account=account)

    def refresh_selected(self) -> None:
        account = self.selected_account()
        if account is None:
            return
        self._runner.run(
            "refresh the account's token",
            self._accounts.refresh(account.id),
            on_result=lambda refreshed: self._after_change(
                f"Renewed the access token of {refreshed.email}"
            ),
            on_error=self._on_refresh_failed,
        )

    def unlink_selected(self) -> None:
        account = self.selected_account()
        if account is None:
            return
        question = QMessageBox(
            QMessageBox.Icon.Question,
            "Unlink Google Account",
            f"Unlink {account.email}?\n\nGoogle is told to revoke the app's access; "
            "n8n credentials made from this account stop working.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        unlink = question.addButton("Unlink", QMessageBox.ButtonRole.DestructiveRole)
        question.setObjectName("UnlinkQuestion")

        def answered() -> None:
            if question.clickedButton() is unlink:
                self._runner.run(
                    "unlink the account",
                    self._accounts.unlink(account.id),
                    on_result=self._on_unlinked,
                )
            question.deleteLater()

        question.finished.connect(answered)
        question.open()

    def selected_account(self) -> LinkedAccount | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.account_at(rows[0].row()) if rows else None

    # -- internals --------------------------------------------------------

    def _start(
        self, needed_scopes: Iterable[str], account: LinkedAccount | None
    ) -> None:
        self.link_button.setEnabled(False)

        def finished() -> None:
            self.link_button.setEnabled(True)
            self.waiting_dialog = None

        self.waiting_dialog = start_link(
            self,
            self._runner,
            self._accounts,
            needed_scopes=needed_scopes,
            account=account,
            on_linked=lambda linked: self._after_change(
                f"Linked {linked.email}", select=linked.id
            ),
            on_finished=finished,
        )

    def _after_change(self, message: str, select: str | None = None) -> None:
        self._show_status(message)
        self._runner.run(
            "list linked accounts",
            self._accounts.list_accounts(),
            on_result=lambda accounts: self._show_accounts(accounts, select),
        )

    def _show_accounts(
        self, accounts: list[LinkedAccount], select: str | None = None
    ) -> None:
        previous = self.selected_account()
        self.model.set_accounts(accounts)
        self.stack.setCurrentWidget(self.table if accounts else self.empty_label)
        wanted = select or (previous.id if previous else None)
        row = self.model.row_of(wanted) if wanted else -1
        if row < 0 and accounts:
            row = 0
        if row >= 0:
            self.table.selectRow(row)
        self._on_selection_changed()

    def _on_unlinked(self, report: UnlinkReport) -> None:
        self._after_change(f"Unlinked {report.email}")
        if not report.n8n_credentials:
            return
        listed = "\n".join(
            f"• {record.name} on {record.server_name}"
            for record in report.n8n_credentials
        )
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Unlinked",
            f"{report.email} is unlinked. These n8n credentials were made from it "
            f"and no longer work; delete them or bind another account:\n\n{listed}",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("UnlinkReport")
        box.finished.connect(box.deleteLater)
        box.open()

    def _on_refresh_failed(self, error: BaseException) -> None:
        self._runner.failed.emit("refresh the account's token", str(error))
        self.reload()

    def _fill_add_access_menu(self) -> None:
        self.add_access_menu.clear()
        account = self.selected_account()
        if account is None:
            return
        for product, credential_type in PRODUCT_CREDENTIAL_TYPES.items():
            action = QAction(product, self.add_access_menu)
            granted = not scopes.missing_scopes(
                account.scopes, scopes.scopes_for([credential_type])
            )
            action.setEnabled(not granted)
            if granted:
                action.setText(f"{product} (granted)")
            action.triggered.connect(
                lambda _checked=False, kind=credential_type: self.add_access(
                    account, kind
                )
            )
            self.add_access_menu.addAction(action)

    def _on_selection_changed(self) -> None:
        account = self.selected_account()
        for button in (self.refresh_button, self.add_access_button, self.unlink_button):
            button.setEnabled(account is not None)
        if account is None:
            self.details_label.setText("")
            return
        used = len(account.n8n_credentials)
        self.details_label.setText(
            f"{account.email}: {used} n8n credential{'s' if used != 1 else ''} "
            "made from this account"
        )

    def _update_client_label(self) -> None:
        config = self._accounts.client_config()
        if config is None:
            self.client_label.setText(
                "Import your Google OAuth client (a Desktop app client file) "
                "before linking an account."
            )
        else:
            self.client_label.setText(
                f"Signing in with OAuth client {config.client_id}"
            )


def attach_accounts(
    window: MainWindow, accounts: AccountService, runner: AsyncRunner
) -> AccountsPage:
    """Put the Accounts page in ``window`` and enable its menu actions."""
    page = AccountsPage(accounts, runner, window.show_status)
    window.set_page("accounts", page)

    def link_from_menu() -> None:
        window.show_page("accounts")
        page.link_account()

    connect_action(window.link_account_action, link_from_menu)
    connect_action(window.oauth_client_action, page.edit_client)
    page.reload()
    return page
