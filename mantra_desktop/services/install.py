"""Install mantras into n8n servers and keep the installations under control.

The install path (one mantra, one server):

1. prepare the workflow (``workflows.prepare_for_install``: fresh node and webhook
   ids, webhook paths unique to this installation, credential references, a name
   saying which mantra and version it is);
2. write the installation row ``pending``, with the bindings chosen and the
   prepared workflow's fingerprint, in one commit before any call to the server;
3. create the credentials the bindings ask for (a linked Google account's); the
   workflow is prepared after them, and its fingerprint recorded, in that case;
4. create the workflow;
5. tag it ``mantra`` and ``mantra-<first 8 characters of the mantra id>``;
6. activate it if asked;
7. read it back and compare its fingerprint with what was sent;
8. mark the row ``installed`` with the workflow's id.

Any failure, cancellation included, deletes what was created on the server and
marks the row ``failed`` with the server's own message. A process killed half-way
leaves the row ``pending``; ``reconcile_pending`` settles those at the next start,
finding the workflow by its name and the fingerprint on the row (the workflow's id
is not written before step 8: the fingerprint is enough to find it, and one commit
fewer per install counts in a bulk install).

A bulk install keeps one client (one kept-alive connection) and one reading of the
server's tags for the whole run. Preparing and fingerprinting a big workflow runs
in a worker thread so the window stays responsive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from mantra_desktop.models import (
    InstallationState,
    Mantra,
    MantraInstallation,
    N8nServer,
    new_id,
)
from mantra_desktop.n8n import (
    CredentialSummary,
    Execution,
    N8nClient,
    N8nError,
    N8nNotFound,
    N8nUnsupported,
    Workflow,
)
from mantra_desktop.services.catalog import CatalogService
from mantra_desktop.services.errors import ServiceError
from mantra_desktop.services.servers import ServerService
from mantra_desktop.workflows import (
    CredentialRequirement,
    InstallWarning,
    InstallWarningKind,
    WorkflowDiff,
    check_install,
    derive_facts,
    diff_workflows,
    prepare_for_install,
    workflow_fingerprint,
)

if TYPE_CHECKING:
    from mantra_desktop.services.context import Repositories

logger = logging.getLogger(__name__)

MANTRA_TAG = "mantra"
"""Every workflow the app installs carries this tag."""

RUNS_SHOWN = 20

THREADED_NODE_COUNT = 25
"""Workflows with this many nodes are prepared and fingerprinted in a worker thread;
below it the work takes less time than the hop to the thread."""

_T = TypeVar("_T")


def mantra_tag(mantra_id: str) -> str:
    """Return the tag naming one mantra on the server (n8n tags are short)."""
    return f"{MANTRA_TAG}-{mantra_id[:8]}"


class BindingKind(StrEnum):
    """How one required credential is provided on the server."""

    EXISTING = "existing"
    """An n8n credential already on the server, by id (and name)."""

    LATER = "later"
    """Nothing now: n8n shows the credential as missing until the user sets it."""

    GOOGLE_ACCOUNT = "google_account"
    """A new n8n credential made from a linked Google account's tokens."""


@dataclass(frozen=True)
class CredentialBinding:
    """The user's choice for one required credential."""

    kind: BindingKind = BindingKind.LATER
    credential_id: str = ""
    credential_name: str = ""
    google_account_id: str = ""

    @classmethod
    def existing(cls, credential_id: str, name: str = "") -> CredentialBinding:
        return cls(BindingKind.EXISTING, credential_id.strip(), name.strip())

    @classmethod
    def google_account(cls, google_account_id: str) -> CredentialBinding:
        return cls(BindingKind.GOOGLE_ACCOUNT, google_account_id=google_account_id)


class GoogleCredentialFactory(Protocol):
    """Provides the n8n credential made from a linked Google account.

    The install service calls it for each ``google_account`` binding. The credential
    belongs to the account (it may be shared by several installations on the
    server), so the install service never deletes it; unlinking the account lists it.
    """

    async def create_credential(
        self,
        client: N8nClient,
        requirement: CredentialRequirement,
        google_account_id: str,
    ) -> CredentialSummary: ...


@dataclass(frozen=True)
class InstallPlan:
    """What the install dialog shows for one mantra on one server.

    ``server_credentials`` is None when the server cannot list credentials (1.x):
    the user then types an id. ``cannot_activate`` is true when activation will
    fail, so the dialog can untick it.
    """

    mantra_id: str
    mantra_name: str
    mantra_version: int
    server_id: str
    server_name: str
    server_version: str
    requirements: tuple[CredentialRequirement, ...]
    warnings: tuple[InstallWarning, ...]
    server_credentials: tuple[CredentialSummary, ...] | None

    @property
    def cannot_activate(self) -> bool:
        return any(w.kind is InstallWarningKind.CANNOT_ACTIVATE for w in self.warnings)


@dataclass(frozen=True)
class InstallRequest:
    """One mantra to install on one server, with the user's choices."""

    mantra_id: str
    server_id: str
    activate: bool = False
    bindings: Mapping[tuple[str, str], CredentialBinding] = field(default_factory=dict)


@dataclass(frozen=True)
class InstallationView:
    """An installation as the Installed page lists it, from the database only."""

    id: str
    mantra_id: str
    mantra_name: str
    server_id: str
    server_name: str
    server_url: str
    mantra_version: int
    latest_version: int
    state: str
    error: str | None
    workflow_id: str | None
    workflow_hash: str | None

    @property
    def update_available(self) -> bool:
        return (
            self.state == InstallationState.INSTALLED
            and self.latest_version > self.mantra_version
        )


class Presence(StrEnum):
    """What a refresh found on the server for an installation."""

    PRESENT = "present"
    MISSING = "missing"
    UNREACHABLE = "unreachable"
    NOT_CHECKED = "not_checked"


@dataclass(frozen=True)
class LiveStatus:
    """The server's side of an installation, read on refresh."""

    presence: Presence
    active: bool | None = None
    changed_on_server: bool = False
    message: str = ""


@dataclass(frozen=True)
class UpdatePreview:
    """What updating an installation to the mantra's current version changes."""

    installation_id: str
    from_version: int
    to_version: int
    diff: WorkflowDiff
    changed_on_server: bool
    active: bool


@dataclass(frozen=True)
class ServerWorkflow:
    """A workflow on a server, as the copy-to-catalog dialog lists it."""

    id: str
    name: str
    active: bool
    node_count: int


@dataclass(frozen=True)
class ReconcileReport:
    """What the start-up reconcile did with the installations left pending."""

    adopted: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    left_pending: tuple[str, ...] = ()


BulkProgress = Callable[[int, int, str], None]
"""Called as ``progress(done, total, mantra_name)`` during a bulk install."""


@dataclass(frozen=True)
class BulkOutcome:
    """The result of one item of a bulk install."""

    mantra_id: str
    mantra_name: str
    installation_id: str | None
    error: str | None


class _Undo:
    """What an install created on the server, to remove on failure."""

    def __init__(self) -> None:
        self.workflow_id: str | None = None

    async def run(self, client: N8nClient) -> None:
        if self.workflow_id is None:
            return
        try:
            await client.delete_workflow(self.workflow_id)
        except N8nNotFound:
            pass
        except N8nError as error:
            logger.warning(
                "Could not remove workflow %s after a failed install: %s",
                self.workflow_id,
                error,
            )


class _ServerTags:
    """The ids of a server's tags, read once and completed as tags are created."""

    def __init__(self) -> None:
        self._ids: dict[str, str] | None = None

    async def ids(self, client: N8nClient, names: Sequence[str]) -> list[str]:
        """Return the ids of the tags ``names``, creating the missing ones."""
        if self._ids is None:
            self._ids = await client.tag_ids()
        for name in names:
            if name not in self._ids:
                self._ids[name] = await client.create_tag(name)
        return [self._ids[name] for name in names]


async def _pure(work: Callable[[], _T], node_count: int) -> _T:
    """Run pure work on a workflow, in a worker thread when the workflow is big."""
    if node_count >= THREADED_NODE_COUNT:
        return await asyncio.to_thread(work)
    return work()


async def _to_the_end(work: Awaitable[_T]) -> tuple[_T, bool]:
    """Await ``work`` to its end even if the caller is cancelled meanwhile.

    Returns its result and whether a cancellation arrived: the caller then puts
    things in order (a commit half-seen, a workflow the server made anyway) and
    raises ``CancelledError`` itself.
    """
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task), False
    except asyncio.CancelledError:
        return await task, True


def _node_count(workflow: Mapping[str, Any]) -> int:
    nodes = workflow.get("nodes")
    return len(nodes) if isinstance(nodes, list) else 0


def _binding_record(
    requirement: CredentialRequirement, binding: CredentialBinding
) -> dict[str, str]:
    return {
        "type": requirement.type,
        "template_name": requirement.template_name,
        "kind": binding.kind.value,
        "id": binding.credential_id,
        "name": binding.credential_name,
        "google_account_id": binding.google_account_id,
    }


def _server_bindings(row: MantraInstallation) -> dict[tuple[str, str], dict[str, str]]:
    """Return the server credential references recorded on an installation."""
    bound: dict[tuple[str, str], dict[str, str]] = {}
    for record in (row.bindings or {}).get("credentials", []):
        if record.get("id"):
            key = (record["type"], record["template_name"])
            bound[key] = {"id": record["id"], "name": record.get("name", "")}
    return bound


def _failure_text(error: BaseException) -> str:
    if isinstance(error, asyncio.CancelledError):
        return "Cancelled before it finished; nothing was left on the server."
    return str(error) or type(error).__name__


class InstallService:
    """Installations of one user: install, update, activate, runs, uninstall.

    ``google_credentials`` fills ``google_account`` bindings; without it such a
    binding is refused with a clear message.
    """

    def __init__(
        self,
        repositories: Repositories,
        servers: ServerService,
        user_id: str,
        *,
        catalog: CatalogService | None = None,
        google_credentials: GoogleCredentialFactory | None = None,
    ) -> None:
        self._catalog = catalog
        self._mantras = repositories.mantras
        self._installations = repositories.installations
        self._servers = servers
        self._user_id = user_id
        self.google_credentials = google_credentials

    # -- planning ---------------------------------------------------------

    async def plan(self, mantra_id: str, server_id: str) -> InstallPlan:
        """Read what installing ``mantra_id`` on ``server_id`` needs and risks."""
        mantra = await self._mantras.require(mantra_id)
        server = await self._servers.get(server_id)
        async with await self._servers.client(server) as client:
            info = await client.server_info()
            known = await client.known_node_types()
            credentials: tuple[CredentialSummary, ...] | None
            try:
                credentials = tuple([c async for c in client.list_credentials()])
            except N8nUnsupported:
                credentials = None
        facts = derive_facts(mantra.workflow_json)
        return InstallPlan(
            mantra_id=mantra.id,
            mantra_name=mantra.name,
            mantra_version=mantra.version,
            server_id=server.id,
            server_name=server.name,
            server_version=info.version,
            requirements=facts.credentials,
            warnings=tuple(check_install(mantra.workflow_json, known)),
            server_credentials=credentials,
        )

    # -- installing -------------------------------------------------------

    async def install(self, request: InstallRequest) -> MantraInstallation:
        """Install one mantra; see the module doc for the steps.

        Raises ``N8nError`` or ``ServiceError`` after undoing what it created; the
        row is then ``failed`` with the same message.
        """
        server = await self._servers.get(request.server_id)
        async with await self._servers.client(server) as client:
            return await self._install(client, request, _ServerTags())

    async def install_many(
        self,
        mantra_ids: Sequence[str],
        server_id: str,
        *,
        activate: bool = False,
        progress: BulkProgress | None = None,
    ) -> list[BulkOutcome]:
        """Install several mantras on one server, credentials left for later.

        A failed item does not stop the others; cancelling the task stops at the
        current item, which is undone like a failure. ``progress`` is called from
        the event loop between steps, not from inside this task, so it may let
        Qt process events (a modal progress dialog does).
        """
        loop = asyncio.get_running_loop()

        def tell(done: int, name: str) -> None:
            if progress is not None:
                loop.call_soon(progress, done, len(mantra_ids), name)

        server = await self._servers.get(server_id)
        outcomes: list[BulkOutcome] = []
        tags = _ServerTags()
        upcoming: asyncio.Future[Mantra] | None = None
        try:
            async with await self._servers.client(server) as client:
                for done, mantra_id in enumerate(mantra_ids):
                    if upcoming is None:
                        mantra = await self._mantras.require(mantra_id)
                    else:
                        mantra = await upcoming
                    tell(done, mantra.name)
                    # The next mantra is read while this one installs.
                    upcoming = (
                        asyncio.ensure_future(
                            self._mantras.require(mantra_ids[done + 1])
                        )
                        if done + 1 < len(mantra_ids)
                        else None
                    )
                    request = InstallRequest(mantra_id, server_id, activate=activate)
                    try:
                        row = await self._install(client, request, tags, mantra=mantra)
                    except (N8nError, ServiceError) as error:
                        outcomes.append(
                            BulkOutcome(mantra_id, mantra.name, None, str(error))
                        )
                        continue
                    outcomes.append(BulkOutcome(mantra_id, mantra.name, row.id, None))
        finally:
            if upcoming is not None and not upcoming.done():
                upcoming.cancel()
            elif upcoming is not None and not upcoming.cancelled():
                upcoming.exception()  # read, so an unused failure is not reported
        tell(len(mantra_ids), "")
        await asyncio.sleep(0)  # the last report arrives before the result
        return outcomes

    async def _install(
        self,
        client: N8nClient,
        request: InstallRequest,
        tags: _ServerTags,
        *,
        mantra: Mantra | None = None,
    ) -> MantraInstallation:
        if mantra is None:
            mantra = await self._mantras.require(request.mantra_id)
        workflow = mantra.workflow_json
        size = _node_count(workflow)
        requirements = await _pure(lambda: derive_facts(workflow).credentials, size)
        chosen = {
            r.key: request.bindings.get(r.key, CredentialBinding())
            for r in requirements
        }
        if (
            any(b.kind is BindingKind.GOOGLE_ACCOUNT for b in chosen.values())
            and self.google_credentials is None
        ):
            raise ServiceError(
                "Creating credentials from a Google account is not set up here: "
                "bind an existing credential or leave it for later."
            )
        references: dict[tuple[str, str], Mapping[str, str] | None] = {}
        for requirement in requirements:
            binding = chosen[requirement.key]
            if binding.kind is BindingKind.EXISTING and binding.credential_id:
                references[requirement.key] = {
                    "id": binding.credential_id,
                    "name": binding.credential_name,
                }
        installation_id = new_id()

        def plan() -> tuple[dict[str, Any], str]:
            body = prepare_for_install(
                workflow,
                install_id=installation_id,
                mantra_name=mantra.name,
                mantra_version=mantra.version,
                credential_bindings=references,
            )
            return body, workflow_fingerprint(body)

        # Without credentials to create on the server first, the workflow is
        # prepared now and its fingerprint goes into the pending row's commit.
        creates_credentials = any(
            b.kind is BindingKind.GOOGLE_ACCOUNT for b in chosen.values()
        )
        planned_early = None if creates_credentials else await _pure(plan, size)
        row, cancelled = await _to_the_end(
            self._installations.create_pending(
                user_id=self._user_id,
                mantra_id=mantra.id,
                server_id=request.server_id,
                mantra_version=mantra.version,
                bindings={
                    "activate": request.activate,
                    "credentials": [
                        _binding_record(r, chosen[r.key]) for r in requirements
                    ],
                },
                installation_id=installation_id,
                workflow_hash=planned_early[1] if planned_early else None,
            )
        )
        if cancelled:
            await self._installations.mark_failed(
                row.id, _failure_text(asyncio.CancelledError())
            )
            raise asyncio.CancelledError
        undo = _Undo()
        try:
            for requirement in requirements:
                binding = chosen[requirement.key]
                if binding.kind is BindingKind.GOOGLE_ACCOUNT:
                    assert self.google_credentials is not None
                    # The account owns this credential and later installs on
                    # this server reuse it: neither undo nor uninstall deletes it.
                    made = await self.google_credentials.create_credential(
                        client, requirement, binding.google_account_id
                    )
                    references[requirement.key] = {"id": made.id, "name": made.name}
            if planned_early is None:
                body, planned = await _pure(plan, size)
                await self._installations.record_plan(row.id, planned)
            else:
                body, planned = planned_early

            # A cancel during the create waits for the server's answer, so the
            # workflow it may have made is known and undone.
            created, cancelled = await _to_the_end(client.create_workflow(body))
            undo.workflow_id = str(created["id"])
            if cancelled:
                raise asyncio.CancelledError
            await self._tag(client, undo.workflow_id, mantra.id, tags)
            if request.activate:
                await client.activate(undo.workflow_id)
            stored = await client.get_workflow(undo.workflow_id)
            stored_hash = await _pure(
                lambda: workflow_fingerprint(stored), _node_count(stored)
            )
            if stored_hash != planned:
                raise ServiceError(
                    "The server stored a different workflow from the one sent; the "
                    "install was undone."
                )
            installed, cancelled = await _to_the_end(
                self._installations.mark_installed(
                    row.id,
                    n8n_workflow_id=undo.workflow_id,
                    workflow_hash=stored_hash,
                    bindings={
                        **row.bindings,
                        # An install makes no credential of its own: those made
                        # from a linked account belong to the account.
                        "created_credentials": [],
                        "credentials": [
                            _binding_record(r, chosen[r.key])
                            if chosen[r.key].kind is not BindingKind.GOOGLE_ACCOUNT
                            else {
                                **_binding_record(r, chosen[r.key]),
                                **dict(references[r.key] or {}),
                            }
                            for r in requirements
                        ],
                    },
                )
            )
        except BaseException as error:
            logger.warning(
                "Installing %s failed: %s", mantra.name, _failure_text(error)
            )
            await undo.run(client)
            await self._installations.mark_failed(
                row.id, _failure_text(error), n8n_workflow_id=undo.workflow_id
            )
            raise
        logger.info(
            "Installed %s v%s as workflow %s",
            mantra.name,
            mantra.version,
            installed.n8n_workflow_id,
        )
        if cancelled:
            # Complete and recorded: it stays; whoever cancelled stops after it.
            raise asyncio.CancelledError
        return installed

    async def _tag(
        self,
        client: N8nClient,
        workflow_id: str,
        mantra_id: str,
        tags: _ServerTags,
    ) -> None:
        ids = await tags.ids(client, (MANTRA_TAG, mantra_tag(mantra_id)))
        await client.set_workflow_tags(workflow_id, ids)

    # -- listing and status -----------------------------------------------

    async def list_installations(self) -> list[InstallationView]:
        """Return the user's installations on every server, newest first."""
        rows = await self._installations.list_for_user(self._user_id)
        return [_view(row) for row in rows]

    async def view(self, installation_id: str) -> InstallationView:
        return _view(await self._installations.require(installation_id))

    async def live_status(
        self, views: Sequence[InstallationView]
    ) -> dict[str, LiveStatus]:
        """Read the server side of each installed view, server by server."""
        result: dict[str, LiveStatus] = {}
        by_server: dict[str, list[InstallationView]] = {}
        for view in views:
            if view.state == InstallationState.INSTALLED and view.workflow_id:
                by_server.setdefault(view.server_id, []).append(view)
            else:
                result[view.id] = LiveStatus(Presence.NOT_CHECKED)

        async def one_server(server_id: str, group: list[InstallationView]) -> None:
            try:
                server = await self._servers.get(server_id)
                async with await self._servers.client(server) as client:
                    for view in group:
                        result[view.id] = await _status_of(client, view)
            except (N8nError, ServiceError) as error:
                for view in group:
                    result[view.id] = LiveStatus(
                        Presence.UNREACHABLE, message=str(error)
                    )

        await asyncio.gather(*(one_server(s, g) for s, g in by_server.items()))
        return result

    # -- actions on an installation ---------------------------------------

    async def set_active(self, installation_id: str, active: bool) -> None:
        """Activate or deactivate an installed workflow on its server."""
        row, server = await self._installed(installation_id)
        assert row.n8n_workflow_id is not None
        async with await self._servers.client(server) as client:
            if active:
                await client.activate(row.n8n_workflow_id)
            else:
                await client.deactivate(row.n8n_workflow_id)
        await self._installations.set_error(installation_id, None)

    async def runs(
        self, installation_id: str, limit: int = RUNS_SHOWN
    ) -> list[Execution]:
        """Return the workflow's most recent runs, newest first."""
        row, server = await self._installed(installation_id)
        assert row.n8n_workflow_id is not None
        async with await self._servers.client(server) as client:
            return await client.list_executions(row.n8n_workflow_id, limit)

    async def editor_url(self, installation_id: str) -> str:
        """Return the workflow's address in the n8n editor."""
        row, server = await self._installed(installation_id)
        assert row.n8n_workflow_id is not None
        base = server.base_url.rstrip("/")
        return f"{base}/workflow/{row.n8n_workflow_id}"

    async def uninstall(self, installation_id: str) -> None:
        """Delete the workflow from its server and mark the installation removed.

        A workflow already gone from the server is not an error. Credentials
        stay: one made from a linked account belongs to the account, and other
        installations may use it.
        """
        row = await self._installations.require(installation_id)
        if row.state == InstallationState.PENDING:
            raise ServiceError("This installation is still in progress.")
        if row.n8n_workflow_id and row.state == InstallationState.INSTALLED:
            server = await self._servers.get(row.server_id)
            async with await self._servers.client(server) as client:
                try:
                    await client.delete_workflow(row.n8n_workflow_id)
                except N8nNotFound:
                    logger.info("Workflow %s was already gone", row.n8n_workflow_id)
        await self._installations.mark_removed(installation_id)
        logger.info("Uninstalled installation %s", installation_id)

    # -- updating ---------------------------------------------------------

    async def preview_update(self, installation_id: str) -> UpdatePreview:
        """Compare the server's copy with the mantra's current version."""
        row, server = await self._installed(installation_id)
        assert row.n8n_workflow_id is not None
        mantra = await self._mantras.require(row.mantra_id)
        async with await self._servers.client(server) as client:
            current = await client.get_workflow(row.n8n_workflow_id)
        new_body = self._prepared(row, mantra)
        return UpdatePreview(
            installation_id=row.id,
            from_version=row.mantra_version,
            to_version=mantra.version,
            diff=diff_workflows(current, new_body),
            changed_on_server=workflow_fingerprint(current) != row.workflow_hash,
            active=bool(current.get("active")),
        )

    async def update(
        self, installation_id: str, *, overwrite_changes: bool = False
    ) -> MantraInstallation:
        """Replace the workflow with the mantra's current version, keeping its id.

        Its bindings and active state are kept: an active workflow is deactivated,
        updated and activated again. A workflow edited on the server since the
        install is refused unless ``overwrite_changes``. On failure the previous
        workflow is put back and the error is recorded on the row.
        """
        row, server = await self._installed(installation_id)
        workflow_id = row.n8n_workflow_id
        assert workflow_id is not None
        mantra = await self._mantras.require(row.mantra_id)
        async with await self._servers.client(server) as client:
            current = await client.get_workflow(workflow_id)
            if workflow_fingerprint(current) != row.workflow_hash and not (
                overwrite_changes
            ):
                raise ServiceError(
                    "The workflow was changed in n8n since it was installed; "
                    "updating would overwrite those changes."
                )
            was_active = bool(current.get("active"))
            body = self._prepared(row, mantra)
            try:
                if was_active:
                    await client.deactivate(workflow_id)
                await client.update_workflow(workflow_id, body)
                if was_active:
                    await client.activate(workflow_id)
                stored = await client.get_workflow(workflow_id)
            except N8nError as error:
                await self._installations.set_error(installation_id, str(error))
                await _restore(client, workflow_id, current, was_active)
                raise
        updated = await self._installations.mark_installed(
            installation_id,
            n8n_workflow_id=workflow_id,
            workflow_hash=workflow_fingerprint(stored),
            mantra_version=mantra.version,
        )
        logger.info("Updated installation %s to v%s", installation_id, mantra.version)
        return updated

    def _prepared(self, row: MantraInstallation, mantra: Mantra) -> dict[str, Any]:
        return prepare_for_install(
            mantra.workflow_json,
            install_id=row.id,
            mantra_name=mantra.name,
            mantra_version=mantra.version,
            credential_bindings=_server_bindings(row),
        )

    # -- copying from a server --------------------------------------------

    async def server_workflows(self, server_id: str) -> list[ServerWorkflow]:
        """List the workflows on a server, for copying one into the catalog."""
        server = await self._servers.get(server_id)
        found: list[ServerWorkflow] = []
        async with await self._servers.client(server) as client:
            async for workflow in client.list_workflows(page_size=250):
                found.append(
                    ServerWorkflow(
                        id=str(workflow["id"]),
                        name=str(workflow.get("name", "")),
                        active=bool(workflow.get("active")),
                        node_count=len(workflow.get("nodes") or []),
                    )
                )
        found.sort(key=lambda w: w.name.lower())
        return found

    async def copy_to_catalog(self, server_id: str, workflow_id: str) -> Mantra:
        """Copy a server's workflow into the catalog as a new mantra."""
        if self._catalog is None:
            raise ServiceError("The catalog is not available here.")
        server = await self._servers.get(server_id)
        async with await self._servers.client(server) as client:
            workflow = await client.get_workflow(workflow_id)
        source = f"{server.base_url}/workflow/{workflow_id}"
        return await self._catalog.add_from_server(workflow, source=source)

    # -- crash recovery ---------------------------------------------------

    async def reconcile_pending(self) -> ReconcileReport:
        """Settle installations left ``pending`` by a process that stopped.

        A workflow found on the server with the planned name and fingerprint is
        adopted (tagged, marked installed); a recorded workflow that is not
        complete is deleted; with nothing found the row is marked failed. Rows
        whose server cannot be reached stay pending for the next start.
        """
        adopted: list[str] = []
        failed: list[str] = []
        left: list[str] = []
        claimed = {
            view.workflow_id
            for view in await self.list_installations()
            if view.workflow_id and view.state == InstallationState.INSTALLED
        }
        for row in await self._installations.list_pending(self._user_id):
            try:
                outcome = await self._reconcile_one(row, claimed)
            except (N8nError, ServiceError) as error:
                logger.warning(
                    "Cannot reconcile installation %s yet: %s", row.id, error
                )
                left.append(row.id)
                continue
            (adopted if outcome else failed).append(row.id)
        if adopted or failed:
            logger.info(
                "Reconciled pending installations: %s adopted, %s failed",
                len(adopted),
                len(failed),
            )
        return ReconcileReport(tuple(adopted), tuple(failed), tuple(left))

    async def _reconcile_one(self, row: MantraInstallation, claimed: set[str]) -> bool:
        server = await self._servers.get(row.server_id)
        mantra = await self._mantras.require(row.mantra_id)
        planned = row.workflow_hash
        body = self._prepared(row, mantra)
        name = body["name"]
        async with await self._servers.client(server) as client:
            candidates: list[Workflow] = []
            if row.n8n_workflow_id:
                with contextlib.suppress(N8nNotFound):
                    candidates.append(await client.get_workflow(row.n8n_workflow_id))
            async for workflow in client.list_workflows(name=name):
                if str(workflow["id"]) not in claimed and all(
                    str(workflow["id"]) != str(c["id"]) for c in candidates
                ):
                    candidates.append(workflow)
            match = next(
                (
                    w
                    for w in candidates
                    if planned and workflow_fingerprint(w) == planned
                ),
                None,
            )
            for workflow in candidates:
                if workflow is not match and str(workflow["id"]) == row.n8n_workflow_id:
                    await client.delete_workflow(str(workflow["id"]))
            if match is None:
                await self._installations.mark_failed(
                    row.id,
                    "The app stopped during the install; nothing complete was found "
                    "on the server.",
                )
                return False
            workflow_id = str(match["id"])
            await self._tag(client, workflow_id, mantra.id, _ServerTags())
            if (row.bindings or {}).get("activate") and not match.get("active"):
                try:
                    await client.activate(workflow_id)
                except N8nError as error:
                    await client.delete_workflow(workflow_id)
                    await self._installations.mark_failed(row.id, str(error))
                    return False
        claimed.add(workflow_id)
        await self._installations.mark_installed(
            row.id,
            n8n_workflow_id=workflow_id,
            workflow_hash=workflow_fingerprint(match),
        )
        return True

    # -- helpers ----------------------------------------------------------

    async def _installed(
        self, installation_id: str
    ) -> tuple[MantraInstallation, N8nServer]:
        row = await self._installations.require(installation_id)
        if row.state != InstallationState.INSTALLED or not row.n8n_workflow_id:
            raise ServiceError(f"This installation is {row.state}, not installed.")
        return row, row.server


async def _status_of(client: N8nClient, view: InstallationView) -> LiveStatus:
    assert view.workflow_id is not None
    try:
        workflow = await client.get_workflow(view.workflow_id)
    except N8nNotFound:
        return LiveStatus(
            Presence.MISSING, message="The workflow is no longer on the server."
        )
    changed = workflow_fingerprint(workflow) != view.workflow_hash
    return LiveStatus(Presence.PRESENT, bool(workflow.get("active")), changed)


async def _restore(
    client: N8nClient, workflow_id: str, previous: Workflow, was_active: bool
) -> None:
    """Put a workflow back as it was after a failed update; log what fails."""
    body = {
        "name": previous.get("name", ""),
        "nodes": previous.get("nodes", []),
        "connections": previous.get("connections", {}),
        "settings": {
            k: v
            for k, v in (previous.get("settings") or {}).items()
            if k in {"executionOrder", "timezone", "saveManualExecutions"}
        },
    }
    try:
        await client.update_workflow(workflow_id, body)
        if was_active:
            await client.activate(workflow_id)
    except N8nError as error:
        logger.warning("Could not restore workflow %s: %s", workflow_id, error)


def _view(row: MantraInstallation) -> InstallationView:
    return InstallationView(
        id=row.id,
        mantra_id=row.mantra_id,
        mantra_name=row.mantra.name if row.mantra else "",
        server_id=row.server_id,
        server_name=row.server.name if row.server else "",
        server_url=row.server.base_url if row.server else "",
        mantra_version=row.mantra_version,
        latest_version=row.mantra.version if row.mantra else row.mantra_version,
        state=row.state,
        error=row.error,
        workflow_id=row.n8n_workflow_id,
        workflow_hash=row.workflow_hash,
    )
