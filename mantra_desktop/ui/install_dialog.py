"""The install dialog: choose a server, bind credentials, activate or not.

For one mantra the dialog reads the install plan of the chosen server (what
credentials the workflow needs, the node types the server lacks, whether it can be
activated) and lets the user bind each credential: to a linked Google account of
the user (for Google credential types and n8n's generic OAuth2 type), to one of the
server's credentials of that type when the server can list them (n8n 2.x), to an
id typed by hand (1.x), or leave it for later. A chosen account that has not
granted the access a credential type needs says so in its row, with an "Add
access…" button that runs the browser sign-in for that account; Install waits
until every chosen account has the access it needs.

For several mantras it asks only for the server and activation, and installs them
one after another under a cancellable progress dialog; credentials are then left
for later.

``open_install_dialog(window, services, mantra_ids)`` is the one entry point the
catalog calls.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.models import Mantra, N8nServer
from mantra_desktop.services.accounts import (
    AccountService,
    AccountState,
    LinkedAccount,
    access_labels,
)
from mantra_desktop.services.context import Services
from mantra_desktop.services.install import (
    BulkOutcome,
    CredentialBinding,
    InstallPlan,
    InstallRequest,
)
from mantra_desktop.ui.accounts_link import start_link
from mantra_desktop.ui.bridge import AsyncRunner, dialog_result
from mantra_desktop.workflows import CredentialRequirement
from mantra_desktop.workflows.node_types import credential_type_label

logger = logging.getLogger(__name__)

_MUTED = "#667085"
_ATTENTION = "#b54708"
_GOOD = "#067647"


def credential_type_name(credential_type: str) -> str:
    """Return the name a person knows an n8n credential type by (``Gmail``)."""
    return credential_type_label(credential_type, with_kind=False)


def _requirement_label(requirement: CredentialRequirement) -> str:
    named = (
        f" &nbsp;“{html.escape(requirement.template_name)}”"
        if requirement.template_name
        else ""
    )
    nodes = ", ".join(requirement.node_names[:3])
    if len(requirement.node_names) > 3:
        nodes += f" and {len(requirement.node_names) - 3} more"
    return (
        f"<b>{html.escape(credential_type_name(requirement.type))}</b>{named}<br>"
        f"<span style='color:{_MUTED}'>used by {html.escape(nodes)}</span>"
    )


class _Kind:
    LATER = "later"
    ACCOUNT = "account"
    EXISTING = "existing"
    TYPED = "typed"


@dataclass(frozen=True)
class _Choice:
    """What one entry of a binding row's list stands for."""

    kind: str
    value: str = ""
    name: str = ""


class BindingRow(QWidget):
    """The choice for one required credential, with its access note.

    ``choice`` lists the linked accounts (when one can fill the type), the
    server's credentials of the type (or an id to type on 1.x) and "Leave for
    later". ``add_access`` is shown when the chosen account lacks access.
    """

    changed = Signal()
    add_access_clicked = Signal()

    def __init__(
        self,
        requirement: CredentialRequirement,
        plan: InstallPlan,
        accounts: AccountService,
        linked: Sequence[LinkedAccount],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.requirement = requirement
        self._plan = plan
        self._accounts = accounts
        self._linked: list[LinkedAccount] = []
        self._waiting = False
        self.fillable = accounts.can_fill(requirement.type)

        self.choice = QComboBox()
        self.choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.choice.setMinimumContentsLength(24)
        self.typed = QLineEdit()
        self.typed.setPlaceholderText("n8n credential id, or empty to set it later")
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.add_access = QPushButton("Add access…")
        self.add_access.setToolTip(
            "Sign in with this account in your browser and allow the access"
        )
        self.add_access.clicked.connect(self.add_access_clicked)

        access_line = QHBoxLayout()
        access_line.setContentsMargins(0, 0, 0, 0)
        access_line.addWidget(self.note, 1)
        access_line.addWidget(self.add_access, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.choice)
        layout.addWidget(self.typed)
        layout.addLayout(access_line)

        self._fill(linked, keep=None)
        self.choice.currentIndexChanged.connect(self._choice_changed)
        self.typed.textChanged.connect(self.changed)
        self._update()

    # -- reading the choice -----------------------------------------------

    def current(self) -> _Choice:
        data = self.choice.currentData()
        return data if isinstance(data, _Choice) else _Choice(_Kind.LATER)

    def binding(self) -> CredentialBinding:
        """Return the binding the row's choice stands for."""
        chosen = self.current()
        if chosen.kind == _Kind.ACCOUNT:
            return CredentialBinding.google_account(chosen.value)
        if chosen.kind == _Kind.EXISTING:
            return CredentialBinding.existing(chosen.value, chosen.name)
        if chosen.kind == _Kind.TYPED and self.typed.text().strip():
            return CredentialBinding.existing(self.typed.text())
        return CredentialBinding()

    def chosen_account(self) -> LinkedAccount | None:
        chosen = self.current()
        if chosen.kind != _Kind.ACCOUNT:
            return None
        return next((a for a in self._linked if a.id == chosen.value), None)

    def missing_access(self) -> frozenset[str]:
        """Return the scopes the chosen account lacks (empty without one)."""
        account = self.chosen_account()
        if account is None:
            return frozenset()
        return self._accounts.missing_access(account, self.requirement.type)

    @property
    def blocks_install(self) -> bool:
        return bool(self.missing_access())

    # -- changing ---------------------------------------------------------

    def set_accounts(self, linked: Sequence[LinkedAccount]) -> None:
        """Offer ``linked`` accounts, keeping the current choice when possible."""
        self.choice.blockSignals(True)
        self._fill(linked, keep=self.current())
        self.choice.blockSignals(False)
        self._update()
        self.changed.emit()

    def set_waiting(self, waiting: bool) -> None:
        """Show that the chosen account is adding access in the browser."""
        self._waiting = waiting
        self._update()

    def _fill(self, linked: Sequence[LinkedAccount], keep: _Choice | None) -> None:
        requirement = self.requirement
        self._linked = list(linked) if self.fillable else []
        self.choice.clear()
        for account in self._linked:
            self.choice.addItem(
                f"Use {account.email}", _Choice(_Kind.ACCOUNT, account.id)
            )
        made_from_accounts = {
            record.credential_id
            for account in self._linked
            for record in account.n8n_credentials
            if record.server_id == self._plan.server_id
        }
        template_match = -1
        if self._plan.server_credentials is None:
            self.choice.addItem("Existing n8n credential, by id…", _Choice(_Kind.TYPED))
        else:
            for credential in self._plan.server_credentials:
                if (
                    credential.type != requirement.type
                    or credential.id in made_from_accounts
                ):
                    continue
                self.choice.addItem(
                    credential.name,
                    _Choice(_Kind.EXISTING, credential.id, credential.name),
                )
                if credential.name == requirement.template_name:
                    template_match = self.choice.count() - 1
        self.choice.addItem("Leave for later", _Choice(_Kind.LATER))

        if keep is not None and (found := self._index_of(keep)) >= 0:
            self.choice.setCurrentIndex(found)
        elif requirement.is_google and len(self._linked) == 1:
            self.choice.setCurrentIndex(0)
        elif template_match >= 0:
            self.choice.setCurrentIndex(template_match)
        elif self._plan.server_credentials is None and not self._linked:
            self.choice.setCurrentIndex(self._index_of(_Choice(_Kind.TYPED)))
        else:
            self.choice.setCurrentIndex(self.choice.count() - 1)

    def _index_of(self, choice: _Choice) -> int:
        # findData compares Python objects by identity; choices compare by value.
        for index in range(self.choice.count()):
            if self.choice.itemData(index) == choice:
                return index
        return -1

    def _choice_changed(self, *_args: object) -> None:
        self._update()
        self.changed.emit()

    def _update(self) -> None:
        self.typed.setVisible(self.current().kind == _Kind.TYPED)
        account = self.chosen_account()
        if account is None:
            self.note.clear()
            self.note.hide()
            self.add_access.hide()
            return
        email = html.escape(account.email)
        missing = self.missing_access()
        self.note.show()
        self.add_access.setVisible(self._waiting or bool(missing))
        self.add_access.setEnabled(not self._waiting)
        if self._waiting:
            self.note.setText(
                f"<span style='color:{_MUTED}'>Waiting for you to allow access in "
                "the browser…</span>"
            )
            self.note.setToolTip(f"Sign in as {email} and allow the access asked.")
        elif missing:
            products = " and ".join(access_labels(missing)) or "more"
            self.note.setText(
                f"<span style='color:{_ATTENTION}'>⚠ Needs {html.escape(products)}"
                " access</span>"
            )
            self.note.setToolTip(
                f"{email} has not granted it yet: Add access… opens the sign-in "
                "in your browser."
            )
        else:
            granted = " and ".join(
                access_labels(self._accounts.needed_scopes(self.requirement.type))
            )
            self.note.setText(
                f"<span style='color:{_GOOD}'>✓ "
                + (f"Has {html.escape(granted)} access" if granted else "Ready")
                + "</span>"
            )
            self.note.setToolTip(
                f"A credential is made from {email} on this server, or the one "
                "made at an earlier install is reused; it belongs to the account."
            )


class InstallDialog(QDialog):
    """Collect the choices for installing ``mantras`` (one or several).

    After acceptance, ``server_id()``, ``activate()`` and ``bindings()`` hold the
    choices; with one mantra the plan of the chosen server is in ``plan`` and the
    user's linked accounts offered in the rows are in ``linked_accounts``.
    """

    def __init__(
        self,
        services: Services,
        runner: AsyncRunner,
        mantras: Sequence[Mantra],
        servers: Sequence[N8nServer],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._mantras = list(mantras)
        self.plan: InstallPlan | None = None
        self.linked_accounts: list[LinkedAccount] = []
        self.rows: dict[tuple[str, str], BindingRow] = {}
        self._linking: str | None = None
        self._link_dialog: QDialog | None = None
        single = len(mantras) == 1
        self.setWindowTitle(
            f"Install {mantras[0].name}"
            if single
            else f"Install {len(mantras)} Mantras"
        )
        self.setMinimumWidth(600)

        heading = QLabel(
            f"<b>{html.escape(mantras[0].name)}</b> &nbsp; version {mantras[0].version}"
            if single
            else f"<b>{len(mantras)} mantras</b>: "
            + html.escape(", ".join(m.name for m in mantras[:4]))
            + ("…" if len(mantras) > 4 else "")
        )
        heading.setWordWrap(True)
        heading.setTextFormat(Qt.TextFormat.RichText)

        self.server_combo = QComboBox()
        for server in servers:
            version = f" — n8n {server.n8n_version}" if server.n8n_version else ""
            self.server_combo.addItem(f"{server.name}{version}", server.id)
        default = next((i for i, s in enumerate(servers) if s.is_default), 0)
        self.server_combo.setCurrentIndex(default)
        self.server_combo.currentIndexChanged.connect(self._server_changed)
        server_form = QFormLayout()
        server_form.addRow("&Server:", self.server_combo)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.warnings = QLabel()
        self.warnings.setObjectName("InstallWarnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(
            "QLabel#InstallWarnings { background: #fff4e5; border: 1px solid #f0c36d;"
            " border-radius: 4px; padding: 6px; color: #5c3c00; }"
        )
        self.warnings.hide()

        self.credentials_box = QGroupBox("Credentials")
        self.credentials_form = QFormLayout(self.credentials_box)
        self.credentials_form.setVerticalSpacing(12)
        self.credentials_form.setFieldGrowthPolicy(
            QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow
        )
        self.credentials_box.setVisible(single)

        self.activate_check = QCheckBox("&Activate after installing")
        self.activate_check.setChecked(True)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.install_button = self.buttons.addButton(
            "&Install", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(server_form)
        layout.addWidget(self.status)
        layout.addWidget(self.warnings)
        layout.addWidget(self.credentials_box)
        if not single:
            layout.addWidget(
                QLabel("Credentials are left for later; set them in n8n's editor.")
            )
        layout.addWidget(line)
        layout.addWidget(self.activate_check)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        if not servers:
            self.status.setText("Add an n8n server first (Servers page).")
            self.install_button.setEnabled(False)
        elif single:
            self._server_changed()

    # -- choices ----------------------------------------------------------

    def server_id(self) -> str:
        return str(self.server_combo.currentData())

    def activate(self) -> bool:
        return self.activate_check.isEnabled() and self.activate_check.isChecked()

    def bindings(self) -> dict[tuple[str, str], CredentialBinding]:
        """Return the binding chosen for each required credential."""
        return {key: row.binding() for key, row in self.rows.items()}

    # -- plan of the chosen server ----------------------------------------

    def _server_changed(self, *_args: object) -> None:
        if len(self._mantras) != 1 or self.server_combo.count() == 0:
            return
        self.install_button.setEnabled(False)
        self.status.setText("Reading what the server has…")
        self._runner.run(
            "read the install plan",
            self._read_plan(self._mantras[0].id, self.server_id()),
            on_result=lambda found: self.show_plan(*found),
            on_error=self._plan_failed,
        )

    async def _read_plan(
        self, mantra_id: str, server_id: str
    ) -> tuple[InstallPlan, list[LinkedAccount]]:
        plan = await self._services.installs.plan(mantra_id, server_id)
        accounts = self._services.accounts
        linked: list[LinkedAccount] = []
        if any(accounts.can_fill(r.type) for r in plan.requirements):
            linked = [
                account
                for account in await accounts.list_accounts()
                if account.state is not AccountState.REVOKED
            ]
        return plan, linked

    def _plan_failed(self, error: BaseException) -> None:
        self.status.setText(
            f"<span style='color:#b42318'>{html.escape(str(error))}</span>"
        )
        self.install_button.setEnabled(False)

    def show_plan(
        self, plan: InstallPlan, linked: Sequence[LinkedAccount] = ()
    ) -> None:
        """Fill the dialog from ``plan`` and the user's ``linked`` accounts.

        Public for tests and screenshots; revoked accounts should not be passed.
        """
        self.plan = plan
        self.linked_accounts = list(linked)
        self.status.setText(
            f"n8n {plan.server_version or '(version unknown)'} at {plan.server_name}."
        )
        if plan.warnings:
            self.warnings.setText(
                "<b>Before installing:</b><ul style='margin:0'>"
                + "".join(f"<li>{html.escape(w.message)}</li>" for w in plan.warnings)
                + "</ul>"
            )
        self.warnings.setVisible(bool(plan.warnings))
        while self.credentials_form.rowCount():
            self.credentials_form.removeRow(0)
        self.rows.clear()
        for requirement in plan.requirements:
            row = BindingRow(
                requirement, plan, self._services.accounts, self.linked_accounts
            )
            row.changed.connect(self._update_install_button)
            row.add_access_clicked.connect(
                lambda row=row: self.add_access(row.requirement.key)
            )
            if self._linking is not None:
                chosen = row.chosen_account()
                row.set_waiting(chosen is not None and chosen.id == self._linking)
            self.rows[requirement.key] = row
            label = QLabel(_requirement_label(requirement))
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setToolTip(f"n8n credential type {requirement.type}")
            self.credentials_form.addRow(label, row)
        if not plan.requirements:
            self.credentials_form.addRow(QLabel("The workflow needs no credentials."))
        self.activate_check.setEnabled(not plan.cannot_activate)
        if plan.cannot_activate:
            self.activate_check.setChecked(False)
            self.activate_check.setToolTip("This workflow cannot be activated.")
        self._update_install_button()
        self.adjustSize()

    def _update_install_button(self) -> None:
        waiting_for = [row for row in self.rows.values() if row.blocks_install]
        self.install_button.setEnabled(self.plan is not None and not waiting_for)
        self.install_button.setToolTip(
            "Add the access the accounts need, or choose another credential."
            if waiting_for
            else ""
        )

    def done(self, result: int) -> None:  # Qt override: every way of closing
        """Close the dialog; a sign-in still waiting in the browser is cancelled."""
        if self._link_dialog is not None and self._link_dialog.isVisible():
            self._link_dialog.reject()
        super().done(result)

    # -- adding access to an account --------------------------------------

    def add_access(self, key: tuple[str, str]) -> None:
        """Ask the row's chosen account, in the browser, for the access it lacks.

        The dialog stays usable while the browser is open; when the account
        comes back every row using it is refreshed.
        """
        row = self.rows.get(key)
        account = row.chosen_account() if row is not None else None
        if row is None or account is None or self._linking is not None:
            return
        needed = self._services.accounts.needed_scopes(row.requirement.type)
        self._set_linking(account.id)
        self._link_dialog = start_link(
            self,
            self._runner,
            self._services.accounts,
            needed_scopes=needed,
            account=account,
            on_linked=self._account_updated,
            on_finished=lambda: self._set_linking(None),
        )

    def _set_linking(self, account_id: str | None) -> None:
        self._linking = account_id
        if account_id is None:
            self._link_dialog = None
        for row in self.rows.values():
            chosen = row.chosen_account()
            row.set_waiting(chosen is not None and chosen.id == account_id)

    def _account_updated(self, account: LinkedAccount) -> None:
        self.linked_accounts = [
            account if known.id == account.id else known
            for known in self.linked_accounts
        ]
        for row in self.rows.values():
            row.set_accounts(self.linked_accounts)
        self._update_install_button()


async def _installed_page_reload(window: QWidget) -> None:
    page = getattr(window, "page", None)
    if page is None:
        return
    installed = page("installed")
    reload = getattr(installed, "reload", None)
    if reload is not None:
        reload()


async def install_flow(
    window: QWidget, services: Services, runner: AsyncRunner, mantra_ids: Sequence[str]
) -> list[BulkOutcome] | None:
    """Ask for the choices, install, and say what happened; None if cancelled."""
    mantras = [await services.repositories.mantras.require(m) for m in mantra_ids]
    servers = await services.servers.list_servers()
    dialog = InstallDialog(services, runner, mantras, servers, window)
    if await dialog_result(dialog) != QDialog.DialogCode.Accepted:
        return None
    if len(mantras) == 1:
        row = await services.installs.install(
            InstallRequest(
                mantras[0].id,
                dialog.server_id(),
                activate=dialog.activate(),
                bindings=dialog.bindings(),
            )
        )
        outcomes = [BulkOutcome(mantras[0].id, mantras[0].name, row.id, None)]
    else:
        outcomes = await bulk_install(
            window,
            services,
            [m.id for m in mantras],
            dialog.server_id(),
            dialog.activate(),
        )
    await _installed_page_reload(window)
    show_status = getattr(window, "show_status", None)
    done = sum(1 for o in outcomes if o.error is None)
    if show_status is not None:
        show_status(f"Installed {done} of {len(mantra_ids)} mantras.")
    return outcomes


async def bulk_install(
    window: QWidget,
    services: Services,
    mantra_ids: Sequence[str],
    server_id: str,
    activate: bool,
) -> list[BulkOutcome]:
    """Install several mantras under a progress dialog that can cancel them.

    Cancelling undoes the item in progress; the items done stay installed.
    """
    progress = QProgressDialog("Installing…", "Cancel", 0, len(mantra_ids), window)
    progress.setWindowTitle("Installing Mantras")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)
    progress.setAutoClose(False)
    progress.setAutoReset(False)

    def step(done: int, total: int, name: str) -> None:
        progress.setMaximum(total)
        progress.setValue(done)
        if name:
            progress.setLabelText(f"Installing {name} ({done + 1} of {total})…")

    task = asyncio.ensure_future(
        services.installs.install_many(
            mantra_ids, server_id, activate=activate, progress=step
        )
    )
    progress.canceled.connect(task.cancel)
    progress.show()
    try:
        return await task
    except asyncio.CancelledError:
        if not task.cancelled():
            raise
        logger.info("Bulk install cancelled")
        return []
    finally:
        progress.close()
        progress.deleteLater()


def open_install_dialog(
    window: QWidget, services: Services, mantra_ids: Sequence[str]
) -> None:
    """Open the install dialog for one or several catalog mantras.

    Uses the window's ``runner``; failures reach the window's error display.
    """
    runner: AsyncRunner = getattr(window, "runner")  # noqa: B009
    if not mantra_ids:
        return
    runner.run(
        "install the mantra" if len(mantra_ids) == 1 else "install the mantras",
        install_flow(window, services, runner, list(mantra_ids)),
        replace=False,
    )
