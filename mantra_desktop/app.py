"""The composition root: arguments, logging, Qt, the qasync loop, services.

This is the only module that knows every layer. The window is shown first;
the database is opened and migrated after the first paint, so the app looks
alive at once, and everything that can wait runs after that.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
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
    """Resolves a future on the first paint of a widget."""

    def __init__(self, widget: QWidget, future: asyncio.Future[float]) -> None:
        super().__init__(widget)
        self._future = future
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Paint and not self._future.done():
            self._future.set_result(time.time())
            watched.removeEventFilter(self)
        return False


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
    paths = app_paths()
    configure_logging(paths.log_file, debug=args.debug)
    logger.info("Starting %s", APP_NAME)

    if _no_display():
        sys.stderr.write(
            f"{APP_NAME} needs a desktop session: no display was found "
            "(DISPLAY and WAYLAND_DISPLAY are unset). For a check without a "
            "screen, set QT_QPA_PLATFORM=offscreen.\n"
        )
        return EXIT_FAILED

    import qasync

    app = _application(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    from mantra_desktop.ui.main_window import MainWindow

    window = MainWindow(log_folder=str(paths.log_dir))
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
    """Show the window, open the database, attach the pages, wait for close."""
    from mantra_desktop.ui.session import attach_services, choose_user

    loop = asyncio.get_running_loop()
    painted: asyncio.Future[float] = loop.create_future()
    closed: asyncio.Future[None] = loop.create_future()
    _FirstPaint(window, painted)

    def on_closed() -> None:
        if not closed.done():
            closed.set_result(None)

    window.closed.connect(on_closed)
    window.show()
    first_paint = await asyncio.wait_for(painted, timeout=30)
    version = mantra_desktop.__version__
    QApplication.setApplicationVersion(version)
    logger.info("Running %s %s", APP_NAME, version)
    if os.environ.get(FIRST_PAINT_ENV):
        sys.stdout.write(f"first-paint {first_paint:.6f}\n")
        sys.stdout.flush()

    from mantra_desktop.db.errors import DatabaseError
    from mantra_desktop.services.context import build_services, open_database

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
