"""The table of linked Google accounts shown on the Accounts page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from mantra_desktop.services.accounts import AccountState, LinkedAccount

AnyIndex = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

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


class AccountsModel(QAbstractTableModel):
    """One row per linked account: email, name, products it may access, state."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._accounts: list[LinkedAccount] = []

    def set_accounts(self, accounts: Sequence[LinkedAccount]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._accounts = list(accounts)
        self.endResetModel()

    def account_at(self, row: int) -> LinkedAccount | None:
        """Return the account on ``row``, or None outside the table."""
        return self._accounts[row] if 0 <= row < len(self._accounts) else None

    def row_of(self, account_id: str) -> int:
        """Return the row of an account, or -1."""
        for row, account in enumerate(self._accounts):
            if account.id == account_id:
                return row
        return -1

    def rowCount(self, parent: AnyIndex = _ROOT) -> int:  # Qt override
        return 0 if parent.isValid() else len(self._accounts)

    def columnCount(self, parent: AnyIndex = _ROOT) -> int:  # Qt override
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # Qt override
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

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
