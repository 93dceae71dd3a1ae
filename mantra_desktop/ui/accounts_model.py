"""The table of linked Google accounts shown on the Accounts page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from mantra_desktop.services.accounts import AccountState, LinkedAccount
from mantra_desktop.ui.record_table import AnyIndex, RecordTableModel

COLUMNS = ("Account", "Name", "May access", "State")
ACCOUNT_ROLE = Qt.ItemDataRole.UserRole + 1
"""The :class:`LinkedAccount` of a row."""

_STATE_TEXT = {
    AccountState.VALID: "Valid",
    AccountState.EXPIRED: "Expired (renewed when used)",
    AccountState.REVOKED: "Revoked: link again",
}
_STATE_COLOUR = {
    AccountState.VALID: QColor("#1b7f3b"),
    AccountState.EXPIRED: QColor("#8a6d00"),
    AccountState.REVOKED: QColor("#b3261e"),
}


class AccountsModel(RecordTableModel):
    """One row per linked account: email, name, products it may access, state."""

    headers = COLUMNS

    def set_accounts(self, accounts: Sequence[LinkedAccount]) -> None:
        """Replace every row."""
        self._replace_records(accounts)

    def account_at(self, row: int) -> LinkedAccount | None:
        """Return the account on ``row``, or None outside the table."""
        account: LinkedAccount | None = self.record_at(row)
        return account

    def data(  # Qt override
        self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        account = self.account_at(index.row())
        if account is None:
            return None
        column = index.column()
        if role == ACCOUNT_ROLE:
            return account
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return account.email
            if column == 1:
                return account.name or ""
            if column == 2:
                return ", ".join(account.access) or "Sign-in only"
            if column == 3:
                return _STATE_TEXT[account.state]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 2:
                return "\n".join(sorted(account.scopes))
            if column == 3 and account.expiry is not None:
                return (
                    "Access token valid until "
                    + account.expiry.astimezone().strftime("%Y-%m-%d %H:%M")
                )
        if role == Qt.ItemDataRole.ForegroundRole and column == 3:
            return QBrush(_STATE_COLOUR[account.state])
        return None
