"""The main window: a sidebar of pages, menus, and one place for errors.

The window is shown before the database is open (first paint comes first);
pages are filled in by :meth:`MainWindow.set_page` once the services exist.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QSettings, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

import mantra_desktop
from mantra_desktop import APP_NAME

logger = logging.getLogger(__name__)

PAGES = (
    ("catalog", "Catalog", "Browse, search and import mantras"),
    ("installed", "Installed", "Mantras installed on your n8n servers"),
    ("servers", "Servers", "Your n8n servers"),
    ("accounts", "Accounts", "Linked Google accounts"),
)


class PlaceholderPage(QWidget):
    """What a page shows until its content is ready."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.label = QLabel(text)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setEnabled(False)
        layout.addWidget(self.label)


class MainWindow(QMainWindow):
    """The application window.

    Signals:
        closed(): the window was closed; the app shuts down.
    """

    closed = Signal()

    def __init__(self, log_folder: str | None = None) -> None:
        super().__init__()
        self._log_folder = log_folder
        self._pages: dict[str, QWidget] = {}
        self.setWindowTitle(APP_NAME)
        self.setObjectName("MainWindow")
        self.setWindowIcon(QIcon.fromTheme("mantra-desktop"))
        self.resize(QSize(1180, 760))
        self._init_actions()
        self._init_menus()
        self._init_central()
        self.statusBar().showMessage("Opening the catalog…")
        self._restore_geometry()

    # -- construction -----------------------------------------------------

    def _init_actions(self) -> None:
        def action(
            text: str,
            shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
            tip: str = "",
        ) -> QAction:
            created = QAction(text, self)
            if shortcut is not None:
                created.setShortcut(QKeySequence(shortcut))
            created.setStatusTip(tip)
            return created

        self.import_action = action(
            "&Import Mantras…",
            QKeySequence.StandardKey.Open,
            "Import n8n workflow files",
        )
        self.new_mantra_action = action(
            "&New Mantra…", QKeySequence.StandardKey.New, "Create a mantra"
        )
        self.export_action = action(
            "&Export Mantra…", "Ctrl+E", "Save the selected mantra as an n8n file"
        )
        self.quit_action = action("&Quit", QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.servers_action = action("&Manage Servers…", None, "Add or edit servers")
        self.link_account_action = action(
            "&Link Google Account…", None, "Sign in with Google in your browser"
        )
        self.oauth_client_action = action(
            "Google &OAuth Client…", None, "Import your Google Desktop app client"
        )
        self.open_log_action = action("Open &Log Folder")
        self.open_log_action.triggered.connect(self.open_log_folder)
        self.about_action = action(f"&About {APP_NAME}")
        self.about_action.triggered.connect(self._show_about)
        for waiting in (
            self.import_action,
            self.new_mantra_action,
            self.export_action,
            self.servers_action,
            self.link_account_action,
            self.oauth_client_action,
        ):
            waiting.setEnabled(False)

    def _init_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.addAction(self.new_mantra_action)
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        servers_menu = menus.addMenu("&Servers")
        servers_menu.addAction(self.servers_action)
        accounts_menu = menus.addMenu("&Accounts")
        accounts_menu.addAction(self.link_account_action)
        accounts_menu.addAction(self.oauth_client_action)
        help_menu = menus.addMenu("&Help")
        help_menu.addAction(self.open_log_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    def _init_central(self) -> None:
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("Sidebar")
        self.sidebar.setFrameShape(QListWidget.Shape.NoFrame)
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setFixedWidth(170)
        self.stack = QStackedWidget()
        for key, title, tip in PAGES:
            item = QListWidgetItem(title)
            item.setToolTip(tip)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setSizeHint(QSize(150, 36))
            self.sidebar.addItem(item)
            page = PlaceholderPage("Loading…")
            self._pages[key] = page
            self.stack.addWidget(page)
        self.sidebar.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.sidebar.setCurrentRow(0)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    # -- pages ------------------------------------------------------------

    def set_page(self, key: str, widget: QWidget) -> None:
        """Put ``widget`` in place of the page named ``key``."""
        index = [page_key for page_key, _, _ in PAGES].index(key)
        old = self._pages[key]
        self.stack.insertWidget(index, widget)
        self.stack.removeWidget(old)
        old.deleteLater()
        self._pages[key] = widget
        if self.sidebar.currentRow() == index:
            self.stack.setCurrentIndex(index)

    def page(self, key: str) -> QWidget:
        return self._pages[key]

    def show_page(self, key: str) -> None:
        self.sidebar.setCurrentRow([k for k, _, _ in PAGES].index(key))

    # -- messages ---------------------------------------------------------

    def show_error(self, action: str, message: str) -> None:
        """Show a failure without blocking the event loop."""
        self.statusBar().showMessage(message, 10_000)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            APP_NAME,
            message,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("ErrorBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def show_status(self, message: str, timeout_ms: int = 5000) -> None:
        self.statusBar().showMessage(message, timeout_ms)

    def set_log_folder(self, folder: str) -> None:
        """Where Help > Open Log Folder leads (known once logging has started)."""
        self._log_folder = folder

    def open_log_folder(self) -> None:
        if self._log_folder:
            QDesktopServices.openUrl(QUrl.fromLocalFile(self._log_folder))

    def _show_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<b>{APP_NAME}</b> {mantra_desktop.__version__}<br>"
            "Workflow templates for n8n, installed into your own servers.",
        )

    # -- geometry ---------------------------------------------------------

    def _restore_geometry(self) -> None:
        saved = QSettings().value("main_window/geometry")
        if saved is not None:
            self.restoreGeometry(saved)

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        QSettings().setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)
        self.closed.emit()


def connect_action(action: QAction, slot: Callable[[], None]) -> None:
    """Enable ``action`` and route it to ``slot``."""
    action.triggered.connect(slot)
    action.setEnabled(True)
