"""The composition root: arguments, logging, Qt, the qasync loop, services.

This is the only module that knows every layer. The window is shown first;
the database is opened and migrated after the first paint, so the app looks
alive at once, and everything that can wait runs after that.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

import mantra_desktop
from mantra_desktop import APP_ID, APP_NAME, DESKTOP_ID
from mantra_desktop.config import (
    app_paths,
    describe_database_url,
    resolve_database_url,
    resources_dir,
)
from mantra_desktop.logs import configure_logging

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_DATABASE = 2
FIRST_PAINT_ENV = "MANTRA_DESKTOP_REPORT_FIRST_PAINT"


class _FirstPaint(QObject):
    """Ends a local event loop on the first paint of a widget, noting its time."""

    def __init__(self, widget: QWidget, waiting: QEventLoop) -> None:
        super().__init__(widget)
        self.painted_at: float | None = None
        self._waiting = waiting
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Paint and self.painted_at is None:
            self.painted_at = time.time()
            watched.removeEventFilter(self)
            self._waiting.quit()
        return False


def show_and_wait_for_paint(window: QWidget, timeout_ms: int = 30_000) -> float:
    """Show ``window`` and return the wall-clock time of its first paint.

    This runs before the asyncio loop exists, so nothing but Qt stands
    between the start of the process and a window on screen.
    """
    waiting = QEventLoop()
    watcher = _FirstPaint(window, waiting)
    QTimer.singleShot(timeout_ms, waiting.quit)
    window.show()
    if watcher.painted_at is None:
        waiting.exec()
    return watcher.painted_at or time.time()


def _application(argv: Sequence[str]) -> QApplication:
    app = QApplication.instance() or QApplication(list(argv))
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_ID)
    app.setDesktopFileName(DESKTOP_ID)
    app.setQuitOnLastWindowClosed(False)  # the session ends when run_session does
    icon = resources_dir() / "icons" / f"{APP_ID}.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def _no_display() -> bool:
    """True on Linux when Qt would abort for want of a screen to draw on."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_window(args: argparse.Namespace) -> int:
    """Run the windowed app until its window closes; return the exit code."""
    if _no_display():
        sys.stderr.write(
            f"{APP_NAME} needs a desktop session: no display was found "
            "(DISPLAY and WAYLAND_DISPLAY are unset). For a check without a "
            "screen, set QT_QPA_PLATFORM=offscreen.\n"
        )
        return EXIT_FAILED

    app = _application(sys.argv[:1])
    from mantra_desktop.ui.main_window import MainWindow

    window = MainWindow()
    first_paint = show_and_wait_for_paint(window)
    # Logging starts right after the paint: it is the first thing that can wait.
    paths = app_paths()
    configure_logging(paths.log_file, debug=args.debug)
    logger.info("Started %s", APP_NAME)
    window.set_log_folder(str(paths.log_dir))
    if os.environ.get(FIRST_PAINT_ENV):
        sys.stdout.write(f"first-paint {first_paint:.6f}\n")
        sys.stdout.flush()

    # The asyncio loop, and everything that needs it, comes after the paint.
    import asyncio

    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            return loop.run_until_complete(run_session(window, args))
    except Exception:
        logger.exception("The app stopped unexpectedly")
        sys.stderr.write(
            f"{APP_NAME} stopped unexpectedly; details are in {paths.log_file}\n"
        )
        return EXIT_FAILED


async def _report_startup_failure(window: QWidget, message: str, smoke: bool) -> None:
    """Tell the user why the app cannot start: a dialog, or stderr with --smoke."""
    logger.error("Cannot start: %s", message)
    if smoke:
        sys.stderr.write(f"error: {message}\n")
        return
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        APP_NAME,
        message,
        QMessageBox.StandardButton.Close,
        window,
    )
    box.setObjectName("StartupErrorBox")
    from mantra_desktop.ui.bridge import dialog_result

    await dialog_result(box)


async def run_session(window: Any, args: argparse.Namespace) -> int:
    """Open the database for the shown window, attach the pages, wait for close."""
    import asyncio

    closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_closed() -> None:
        if not closed.done():
            closed.set_result(None)

    window.closed.connect(on_closed)
    version = mantra_desktop.__version__
    QApplication.setApplicationVersion(version)
    logger.info("Running %s %s", APP_NAME, version)

    # Everything below loads the database, network and service layers: only
    # now, once the window is on screen.
    from mantra_desktop.db.errors import DatabaseError
    from mantra_desktop.services.context import build_services, open_database
    from mantra_desktop.ui.session import attach_services, choose_user

    paths = app_paths()
    url = resolve_database_url(args.database, paths)
    try:
        database, _report = await open_database(url, paths, echo=args.debug)
    except DatabaseError as error:
        await _report_startup_failure(window, str(error), args.smoke)
        window.close()
        return EXIT_DATABASE

    try:
        user = await choose_user(window, database, paths, url, smoke=args.smoke)
        if user is None:
            window.close()
            return EXIT_OK
        services = build_services(database, paths, user)
        await attach_services(window, services)
        window.show_status(f"{user.name} on {describe_database_url(url)}", 8000)
        if args.smoke:
            QTimer.singleShot(0, window.close)
        await closed
        return EXIT_OK
    finally:
        await database.dispose()
