"""The Accounts page, the OAuth client dialog and the link dialog, driven with qtbot.

The sign-in runs against the local OpenID provider with a headless browser as the
opener, on the same qasync loop the app uses.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QMainWindow

from mantra_desktop.db.engine import Database, create_engine
from mantra_desktop.db.migrate import migrate
from mantra_desktop.repositories.google_auth import GoogleAuthRepository
from mantra_desktop.repositories.users import UserRepository
from mantra_desktop.services.accounts import AccountService
from mantra_desktop.ui.accounts_page import AccountsPage
from mantra_desktop.ui.bridge import AsyncRunner
from mantra_desktop.ui.oauth_client_dialog import OAuthClientDialog
from tests.peers.browser import HeadlessBrowser
from tests.peers.oidc import OidcPeer

pytestmark = pytest.mark.oidc

Runner = Callable[..., Any]
SCREENSHOTS = (
    Path(os.environ.get("MANTRA_SCREENSHOTS", ""))
    if os.environ.get("MANTRA_SCREENSHOTS")
    else None
)


@pytest.fixture
def accounts(tmp_path: Path, arun: Runner) -> Iterator[AccountService]:
    database = Database(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"))
    arun(migrate(database))
    user = arun(UserRepository(database).create(email="me@x.test", name="Me"))
    yield AccountService(GoogleAuthRepository(database), user, tmp_path / "config")
    arun(database.dispose())


@pytest.fixture
def page(
    accounts: AccountService, qtbot: Any
) -> Iterator[tuple[AccountsPage, list[str]]]:
    window = QMainWindow()
    qtbot.addWidget(window)
    runner = AsyncRunner(window)
    errors: list[str] = []
    runner.failed.connect(lambda _action, message: errors.append(message))
    accounts_page = AccountsPage(accounts, runner, window.statusBar().showMessage)
    window.setCentralWidget(accounts_page)
    window.resize(900, 420)
    window.show()
    yield accounts_page, errors
    window.close()


def test_the_client_dialog_explains_a_wrong_file_then_imports_a_good_one(
    accounts: AccountService,
    page: tuple[AccountsPage, list[str]],
    oidc_provider: OidcPeer,
    tmp_path: Path,
    qtbot: Any,
) -> None:
    accounts_page, _ = page
    web_file = tmp_path / "web.json"
    web_file.write_text(json.dumps({"web": oidc_provider.client_file()["installed"]}))
    good_file = tmp_path / "client_secret.json"
    good_file.write_text(json.dumps(oidc_provider.client_file()))
    assert "Import your Google OAuth client" in accounts_page.client_label.text()
    dialog = OAuthClientDialog(accounts, accounts_page._runner, accounts_page)
    qtbot.addWidget(dialog)
    dialog.show()

    dialog.import_file(web_file)
    qtbot.waitUntil(dialog.error_label.isVisible)
    assert "Web application client" in dialog.error_label.text()
    assert accounts.client_config() is None

    dialog.import_file(good_file)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    config = accounts.client_config()
    assert config is not None and config.client_id == oidc_provider.client_id


def test_link_from_the_page_then_cancel_a_second_sign_in(
    accounts: AccountService,
    page: tuple[AccountsPage, list[str]],
    oidc_provider: OidcPeer,
    arun: Runner,
    qtbot: Any,
    qtmodeltester: Any,
) -> None:
    accounts_page, errors = page
    arun(accounts.import_client_file(json.dumps(oidc_provider.client_file())))
    accounts_page._update_client_label()
    accounts_page.reload()
    qtbot.waitUntil(lambda: accounts_page.stack.currentWidget() is not None)
    browser = HeadlessBrowser(login="frank")
    accounts.opener = browser.open

    accounts_page.link_account()
    assert accounts_page.waiting_dialog is not None
    assert accounts_page.waiting_dialog.isVisible()
    qtbot.waitUntil(lambda: accounts_page.model.rowCount() == 1, timeout=30_000)

    assert errors == []
    assert accounts_page.waiting_dialog is None
    qtmodeltester.check(accounts_page.model)
    model = accounts_page.model
    assert [model.index(0, column).data() for column in range(4)] == [
        "frank@example.test",
        "Frank",
        "Sign-in only",
        "Valid",
    ]
    assert accounts_page.unlink_button.isEnabled()

    # Add access to Gmail for the same account, from the page.
    accounts.opener = HeadlessBrowser(login="frank").open
    account = accounts_page.selected_account()
    assert account is not None
    accounts_page.add_access(account, "gmailOAuth2")
    qtbot.waitUntil(lambda: model.index(0, 2).data() == "Gmail", timeout=30_000)
    assert model.rowCount() == 1 and errors == []
    qtmodeltester.check(model)
    if SCREENSHOTS is not None:
        accounts_page.window().grab().save(str(SCREENSHOTS / "accounts.png"))

    # A second sign-in that nobody completes: the dialog waits, Cancel ends it
    # silently and the page is usable again.
    accounts.opener = lambda url: True
    accounts_page.link_account()
    waiting = accounts_page.waiting_dialog
    assert waiting is not None
    qtbot.waitUntil(lambda: waiting._attempt.authorization_url is not None)
    if SCREENSHOTS is not None:
        waiting.grab().save(str(SCREENSHOTS / "link-waiting.png"))
    waiting.reject()
    qtbot.waitUntil(lambda: accounts_page.link_button.isEnabled())
    assert errors == []
    assert accounts_page.model.rowCount() == 1
