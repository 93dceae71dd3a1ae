"""Fill the main window once the database is open: the user, then the pages."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QDialog

from mantra_desktop.config import AppPaths
from mantra_desktop.db.engine import Database
from mantra_desktop.models import User
from mantra_desktop.services.context import Services, user_service
from mantra_desktop.ui.accounts_page import attach_accounts
from mantra_desktop.ui.bridge import AsyncRunner, dialog_result
from mantra_desktop.ui.catalog_page import attach_catalog
from mantra_desktop.ui.installed_page import attach_installs
from mantra_desktop.ui.main_window import MainWindow
from mantra_desktop.ui.user_picker import UserPickerDialog

logger = logging.getLogger(__name__)


async def choose_user(
    window: MainWindow, database: Database, paths: AppPaths, url: str, *, smoke: bool
) -> User | None:
    """The current user: the local one, or on a shared database the chosen one.

    Returns None when the person cancels the choice.
    """
    users = user_service(database, paths)
    if not database.is_shared:
        return await users.ensure_local_user()
    remembered = await users.remembered_user(url)
    if remembered is not None:
        return remembered
    if smoke:
        # A check run must not wait for a click; it stands in as the OS user.
        return await users.ensure_local_user()
    while True:
        dialog = UserPickerDialog(await users.list_users(), window)
        if await dialog_result(dialog) != QDialog.DialogCode.Accepted:
            return None
        if dialog.chosen_user is not None:
            user = dialog.chosen_user
        else:
            assert dialog.new_user is not None
            email, name = dialog.new_user
            try:
                user = await users.create_user(email=email, name=name)
            except Exception as error:  # an email already taken: ask again
                window.show_error("create your user", str(error))
                continue
        users.remember_user(url, user)
        logger.info("Working as %s on a shared database", user.name)
        return user


async def attach_services(window: MainWindow, services: Services) -> AsyncRunner:
    """Create the pages for ``services`` and wire the window's actions to them."""
    runner = AsyncRunner(window)
    runner.failed.connect(window.show_error)
    window.runner = runner  # type: ignore[attr-defined]
    window.catalog_page = attach_catalog(  # type: ignore[attr-defined]
        window, services.catalog, runner
    )
    window.accounts_page = attach_accounts(  # type: ignore[attr-defined]
        window, services.accounts, runner
    )
    attach_installs(window, services, runner)
    return runner
