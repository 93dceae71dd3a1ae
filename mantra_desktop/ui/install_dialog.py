"""The install dialog: choose a server, bind credentials, activate or not.

For one mantra the dialog reads the install plan of the chosen server (what
credentials the workflow needs, the node types the server lacks, whether it can be
activated) and lets the user bind each credential: to one of the server's
credentials of that type when the server can list them (n8n 2.x), to an id typed
by hand (1.x), or leave it for later. For several mantras it asks only for the
server and activation, and installs them one after another under a cancellable
progress dialog; credentials are then left for later.

``open_install_dialog(window, services, mantra_ids)`` is the one entry point the
catalog calls.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from mantra_desktop.models import Mantra, N8nServer
from mantra_desktop.services.context import Services
from mantra_desktop.services.install import (
    BulkOutcome,
    CredentialBinding,
    InstallPlan,
    InstallRequest,
)
from mantra_desktop.ui.bridge import AsyncRunner, dialog_result
from mantra_desktop.workflows import CredentialRequirement

logger = logging.getLogger(__name__)

_LATER = "later"


def _requirement_label(requirement: CredentialRequirement) -> str:
    named = f" “{requirement.template_name}”" if requirement.template_name else ""
    nodes = ", ".join(requirement.node_names[:3])
    if len(requirement.node_names) > 3:
        nodes += f" and {len(requirement.node_names) - 3} more"
    return f"{requirement.type}{named}\nused by {nodes}"


class InstallDialog(QDialog):
    """Collect the choices for installing ``mantras`` (one or several).

    After acceptance, ``server_id()``, ``activate()`` and ``bindings()`` hold the
    choices; with one mantra the plan of the chosen server is in ``plan``.
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
        self._binding_widgets: dict[tuple[str, str], QComboBox | QLineEdit] = {}
        single = len(mantras) == 1
        self.setWindowTitle(
            f"Install {mantras[0].name}"
            if single
            else f"Install {len(mantras)} Mantras"
        )
        self.setMinimumWidth(560)

        heading = QLabel(
            f"<b>{mantras[0].name}</b> &nbsp; version {mantras[0].version}"
            if single
            else f"<b>{len(mantras)} mantras</b>: "
            + ", ".join(m.name for m in mantras[:4])
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
        chosen: dict[tuple[str, str], CredentialBinding] = {}
        for key, widget in self._binding_widgets.items():
            if isinstance(widget, QLineEdit):
                typed = widget.text().strip()
                chosen[key] = (
                    CredentialBinding.existing(typed) if typed else CredentialBinding()
                )
            else:
                data = widget.currentData()
                if data and data != _LATER:
                    credential_id, name = data
                    chosen[key] = CredentialBinding.existing(credential_id, name)
                else:
                    chosen[key] = CredentialBinding()
        return chosen

    # -- plan of the chosen server ----------------------------------------

    def _server_changed(self, *_args: object) -> None:
        if len(self._mantras) != 1 or self.server_combo.count() == 0:
            return
        self.install_button.setEnabled(False)
        self.status.setText("Reading what the server has…")
        self._runner.run(
            "read the install plan",
            self._services.installs.plan(self._mantras[0].id, self.server_id()),
            on_result=self.show_plan,
            on_error=self._plan_failed,
        )

    def _plan_failed(self, error: BaseException) -> None:
        self.status.setText(f"<span style='color:#b42318'>{error}</span>")
        self.install_button.setEnabled(False)

    def show_plan(self, plan: InstallPlan) -> None:
        """Fill the dialog from ``plan`` (public for tests and screenshots)."""
        self.plan = plan
        self.status.setText(
            f"n8n {plan.server_version or '(version unknown)'} at {plan.server_name}."
        )
        if plan.warnings:
            self.warnings.setText(
                "<b>Before installing:</b><ul style='margin:0'>"
                + "".join(f"<li>{w.message}</li>" for w in plan.warnings)
                + "</ul>"
            )
        self.warnings.setVisible(bool(plan.warnings))
        while self.credentials_form.rowCount():
            self.credentials_form.removeRow(0)
        self._binding_widgets.clear()
        for requirement in plan.requirements:
            widget = self._binding_widget(plan, requirement)
            self._binding_widgets[requirement.key] = widget
            label = QLabel(_requirement_label(requirement))
            self.credentials_form.addRow(label, widget)
        if not plan.requirements:
            self.credentials_form.addRow(QLabel("The workflow needs no credentials."))
        self.activate_check.setEnabled(not plan.cannot_activate)
        if plan.cannot_activate:
            self.activate_check.setChecked(False)
            self.activate_check.setToolTip("This workflow cannot be activated.")
        self.install_button.setEnabled(True)
        self.adjustSize()

    def _binding_widget(
        self, plan: InstallPlan, requirement: CredentialRequirement
    ) -> QComboBox | QLineEdit:
        if plan.server_credentials is None:
            typed = QLineEdit()
            typed.setPlaceholderText("n8n credential id, or empty to set it later")
            return typed
        combo = QComboBox()
        combo.addItem("Leave for later", _LATER)
        for credential in plan.server_credentials:
            if credential.type == requirement.type:
                combo.addItem(credential.name, (credential.id, credential.name))
                if credential.name == requirement.template_name:
                    combo.setCurrentIndex(combo.count() - 1)
        return combo


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
