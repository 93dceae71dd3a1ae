"""The install dialog's Google rows, driven with qtbot.

A linked account of the local OpenID provider is offered for the Google credentials
of a mantra planned on a real n8n 2.x; adding access runs the headless browser
sign-in while the dialog stays responsive. The n8n 1.x rows (no credential list,
an id typed instead) are filled from a plan written out in the test.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mantra_desktop.models import Mantra
from mantra_desktop.n8n import N8nClient
from mantra_desktop.services.accounts import AccountState, LinkedAccount
from mantra_desktop.services.context import Services
from mantra_desktop.services.install import (
    BindingKind,
    CredentialBinding,
    InstallPlan,
    InstallRequest,
)
from mantra_desktop.ui.bridge import AsyncRunner
from mantra_desktop.ui.install_dialog import InstallDialog, credential_type_name
from mantra_desktop.workflows import CredentialRequirement
from tests.integration.install_support import (
    add_mantra,
    make_services,
    node,
    webhook_workflow,
)
from tests.peers.browser import HeadlessBrowser
from tests.peers.n8n import N8nPeer
from tests.peers.oidc import OidcPeer

Runner = Callable[..., Any]
SCREENSHOTS = os.environ.get("MANTRA_SCREENSHOTS")
GMAIL = ("gmailOAuth2", "Gmail account")
SHEETS = ("googleSheetsOAuth2Api", "Sheets account")
VALID = AccountState.VALID


@pytest.fixture
def services(tmp_path: Path, arun: Runner) -> Iterator[Services]:
    built = arun(make_services(tmp_path))
    yield built
    arun(built.database.dispose())


def mail_to_sheet() -> dict[str, Any]:
    """Webhook → Gmail → Google Sheets, each app node with its template credential."""
    workflow = webhook_workflow()
    trigger = workflow["nodes"][0]
    gmail = node(
        "Read mail",
        "n8n-nodes-base.gmail",
        2.1,
        parameters={"operation": "getAll", "filters": {}},
        credentials={GMAIL[0]: {"id": "4", "name": GMAIL[1]}},
    )
    sheets = node(
        "Append row",
        "n8n-nodes-base.googleSheets",
        4.5,
        parameters={"operation": "append"},
        credentials={SHEETS[0]: {"id": "5", "name": SHEETS[1]}},
    )
    return {
        **workflow,
        "nodes": [trigger, gmail, sheets],
        "connections": {
            "Webhook": {"main": [[{"node": "Read mail", "type": "main", "index": 0}]]},
            "Read mail": {
                "main": [[{"node": "Append row", "type": "main", "index": 0}]]
            },
        },
    }


@pytest.mark.oidc
@pytest.mark.n8n
def test_the_only_account_is_offered_and_access_is_added_from_the_row(
    services: Services,
    n8n_v2: N8nPeer,
    oidc_provider: OidcPeer,
    qtbot: Any,
    arun: Runner,
    tmp_path: Path,
) -> None:
    accounts = services.accounts
    arun(accounts.import_client_file(json.dumps(oidc_provider.client_file())))
    accounts.opener = HeadlessBrowser(login="ada").open
    account = arun(accounts.new_link().run(), timeout=60_000)
    server = arun(services.servers.add("Studio", n8n_v2.url, n8n_v2.api_key))
    mantra = arun(add_mantra(services, mail_to_sheet(), name="Mail to sheet"))

    runner = AsyncRunner()
    errors: list[str] = []
    runner.failed.connect(lambda _action, message: errors.append(message))
    dialog = InstallDialog(
        services, runner, [mantra], arun(services.servers.list_servers())
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=20_000)

    gmail, sheets = dialog.rows[GMAIL], dialog.rows[SHEETS]
    assert [gmail.choice.itemText(i) for i in range(gmail.choice.count())] == [
        "Use ada@example.test",
        "Leave for later",
    ]
    for row in (gmail, sheets):
        assert row.choice.currentText() == "Use ada@example.test"
        assert row.add_access.isVisible()
    assert "Needs Gmail access" in gmail.note.text()
    assert "Needs Drive and Sheets access" in sheets.note.text()
    assert not dialog.install_button.isEnabled()

    # Add Gmail access from its row; the Sheets row keeps asking for its own.
    accounts.opener = HeadlessBrowser(login="ada").open
    gmail.add_access.click()
    assert not gmail.add_access.isEnabled()
    assert "Waiting for you to allow access" in gmail.note.text()
    qtbot.waitUntil(lambda: not gmail.add_access.isVisible(), timeout=30_000)
    assert errors == []
    assert "Has Gmail access" in gmail.note.text()
    assert "Needs Drive and Sheets access" in sheets.note.text()
    assert not dialog.install_button.isEnabled()

    sheets.choice.setCurrentText("Leave for later")
    assert not sheets.note.isVisible() and not sheets.add_access.isVisible()
    assert dialog.install_button.isEnabled()
    chosen = dialog.bindings()
    assert chosen[GMAIL].kind is BindingKind.GOOGLE_ACCOUNT
    assert chosen[GMAIL].google_account_id == account.id
    assert chosen[SHEETS].kind is BindingKind.LATER

    sheets.choice.setCurrentText("Use ada@example.test")
    qtbot.wait(50)
    shot = Path(SCREENSHOTS or tmp_path) / "install-google.png"
    assert dialog.grab().save(str(shot))

    sheets.choice.setCurrentText("Leave for later")
    row = arun(
        services.installs.install(
            InstallRequest(mantra.id, server.id, bindings=dialog.bindings())
        ),
        timeout=60_000,
    )
    credential_id = row.bindings["credentials"][0]["id"]

    async def check_and_clean() -> tuple[dict[str, str], bool]:
        async with N8nClient(n8n_v2.url, n8n_v2.api_key) as client:
            listed = {c.id: c.type async for c in client.list_credentials()}
            await services.installs.uninstall(row.id)
            await client.delete_credential(credential_id)
            return listed, credential_id in {
                c.id async for c in client.list_credentials()
            }

    listed, still_there = arun(check_and_clean(), timeout=60_000)
    assert listed[credential_id] == "gmailOAuth2"
    assert not still_there


def test_credential_types_have_the_names_people_know() -> None:
    assert [
        credential_type_name(t)
        for t in (
            "gmailOAuth2",
            "googleSheetsOAuth2Api",
            "googleCalendarOAuth2Api",
            "oAuth2Api",
            "slackApi",
        )
    ] == ["Gmail", "Google Sheets", "Google Calendar", "OAuth2 (generic)", "Slack"]


def test_on_n8n_1x_each_account_is_offered_beside_a_typed_id(
    services: Services, qtbot: Any
) -> None:
    """n8n 1.x cannot list credentials: the rows offer an id to type instead."""
    accounts = services.accounts
    granted = accounts.needed_scopes(GMAIL[0])
    linked = [
        LinkedAccount("a1", "ada@example.test", "Ada", "ada", granted, None, VALID),
        LinkedAccount("b2", "bob@example.test", "Bob", "bob", frozenset(), None, VALID),
    ]
    plan = InstallPlan(
        mantra_id="m",
        mantra_name="Mail to Slack",
        mantra_version=1,
        server_id="s",
        server_name="Old n8n",
        server_version="1.123.4",
        requirements=(
            CredentialRequirement(GMAIL[0], GMAIL[1], ("Read mail",)),
            CredentialRequirement("slackApi", "Team Slack", ("Post",)),
        ),
        warnings=(),
        server_credentials=None,
    )
    mantra = Mantra(id="m", name="Mail to Slack", version=1)
    dialog = InstallDialog(services, AsyncRunner(), [mantra], [])
    qtbot.addWidget(dialog)
    dialog.show_plan(plan, linked)
    dialog.show()

    gmail, slack = dialog.rows[GMAIL], dialog.rows[("slackApi", "Team Slack")]
    assert [gmail.choice.itemText(i) for i in range(gmail.choice.count())] == [
        "Use ada@example.test",
        "Use bob@example.test",
        "Existing n8n credential, by id…",
        "Leave for later",
    ]
    assert gmail.choice.currentText() == "Leave for later"
    assert [slack.choice.itemText(i) for i in range(slack.choice.count())] == [
        "Existing n8n credential, by id…",
        "Leave for later",
    ]
    assert slack.typed.isVisible() and not gmail.typed.isVisible()
    slack.typed.setText(" 42 ")
    gmail.choice.setCurrentText("Use bob@example.test")
    assert gmail.add_access.isVisible() and not dialog.install_button.isEnabled()
    # Bob comes back from the browser with Gmail access: his row keeps him.
    gmail.set_accounts([linked[0], replace(linked[1], scopes=granted)])
    assert gmail.choice.currentText() == "Use bob@example.test"
    assert "Has Gmail access" in gmail.note.text() and dialog.install_button.isEnabled()
    chosen = dialog.bindings()
    assert chosen[GMAIL] == CredentialBinding.google_account("b2")
    if SCREENSHOTS:
        dialog.grab().save(str(Path(SCREENSHOTS) / "install-google-1x.png"))
    assert chosen[("slackApi", "Team Slack")] == CredentialBinding.existing("42")
