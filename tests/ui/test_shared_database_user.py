"""On a shared PostgreSQL database each person picks or creates their user once."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtWidgets import QApplication

from mantra_desktop.config import app_paths
from mantra_desktop.db.engine import Database, create_engine
from mantra_desktop.db.migrate import migrate
from mantra_desktop.repositories.users import UserRepository
from mantra_desktop.ui.main_window import MainWindow
from mantra_desktop.ui.session import choose_user
from mantra_desktop.ui.user_picker import UserPickerDialog


def _picker() -> UserPickerDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, UserPickerDialog) and widget.isVisible():
            return widget
    return None


def test_pick_create_and_remember(qtbot: Any, arun: Any, postgres_server: Any) -> None:
    name = postgres_server.create_database()
    url = postgres_server.url(name)
    database = Database(create_engine(url))
    window = MainWindow()
    qtbot.addWidget(window)
    try:
        arun(migrate(database))
        arun(UserRepository(database).create(email="bob@example.test", name="Bob"))
        paths = app_paths()

        # first start: nobody remembered, the person creates their own user
        task = asyncio.ensure_future(
            choose_user(window, database, paths, url, smoke=False)
        )
        qtbot.waitUntil(lambda: _picker() is not None, timeout=10_000)
        dialog = _picker()
        assert dialog is not None and dialog.user_list.count() == 1
        dialog.new_option.setChecked(True)
        qtbot.keyClicks(dialog.name_edit, "Ada")
        qtbot.keyClicks(dialog.email_edit, "ada@example.test")
        dialog.accept()
        qtbot.waitUntil(task.done, timeout=10_000)
        ada = task.result()
        assert ada.email == "ada@example.test"

        # next start: the choice is remembered, no dialog
        again = arun(choose_user(window, database, paths, url, smoke=False))
        assert again.id == ada.id and _picker() is None

        # another person on the same database picks an existing user
        (paths.config_dir / "profiles.json").unlink()
        task = asyncio.ensure_future(
            choose_user(window, database, paths, url, smoke=False)
        )
        qtbot.waitUntil(lambda: _picker() is not None, timeout=10_000)
        dialog = _picker()
        assert dialog is not None
        names = [dialog.user_list.item(i).text() for i in range(2)]
        assert names == ["Ada <ada@example.test>", "Bob <bob@example.test>"]
        dialog.user_list.setCurrentRow(1)
        dialog.accept()
        qtbot.waitUntil(task.done, timeout=10_000)
        assert task.result().name == "Bob"
    finally:
        arun(database.dispose())
        postgres_server.drop_database(name)
