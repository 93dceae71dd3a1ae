"""The catalog use cases: import, create, edit, hide, export and search mantras.

Every workflow that enters the catalog goes through ``workflows.parse_document``
and has its facts derived by ``workflows.derive_facts``, whether it comes from
a file, a folder, the starter catalog or text pasted in the editor. An import
is all or nothing at the database: the files are read first, then every new
mantra is written in one transaction, so a failure half-way loses nothing
that was in the catalog and adds nothing either.

A workflow whose content hash is already in the catalog is reported as
present ("already in the catalog as <name>") and not stored twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mantra_desktop.models import Mantra, MantraOrigin
from mantra_desktop.repositories.errors import NotFound
from mantra_desktop.repositories.mantras import (
    FacetCounts,
    MantraFields,
    MantraQuery,
    MantraRepository,
    MantraSummary,
)
from mantra_desktop.services.errors import ServiceError
from mantra_desktop.workflows import (
    WorkflowDocument,
    derive_facts,
    parse_document,
    to_n8n_file,
)

logger = logging.getLogger(__name__)

WORKFLOW_SUFFIX = ".json"
MAX_NAME_LENGTH = 300
PASTED_SOURCE = "the workflow"

TRIGGER_LABELS = {
    "schedule": "Schedule",
    "webhook": "Webhook",
    "app_event": "App event",
    "manual": "Manual",
    "form": "Form",
    "chat": "Chat",
    "sub_workflow": "Called by a workflow",
    "error": "On error",
    "none": "No trigger",
}

ImportProgress = Callable[[int, int, str], None]
"""Called as ``progress(done, total, file_name)`` while files are read."""


@dataclass(frozen=True)
class ImportedMantra:
    """A workflow that became a new mantra."""

    source: str
    name: str
    mantra_id: str


@dataclass(frozen=True)
class AlreadyPresent:
    """A workflow the catalog already holds, under the name ``existing_name``."""

    source: str
    existing_name: str
    mantra_id: str | None = None

    @property
    def reason(self) -> str:
        if self.mantra_id is None:
            return f"already in this import as {self.existing_name}"
        return f"already in the catalog as {self.existing_name}"


@dataclass(frozen=True)
class RejectedFile:
    """A file, or one workflow in it, that could not be imported."""

    source: str
    reason: str

    @property
    def message(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass
class ImportSummary:
    """What an import did, file by file. ``cancelled`` imports store nothing."""

    imported: list[ImportedMantra] = field(default_factory=list)
    present: list[AlreadyPresent] = field(default_factory=list)
    rejected: list[RejectedFile] = field(default_factory=list)
    cancelled: bool = False
    files_read: int = 0

    @property
    def ok(self) -> bool:
        """Tell whether nothing was rejected and the import ran to its end."""
        return not self.rejected and not self.cancelled

    def headline(self) -> str:
        """One sentence for a status line or the end of a command's output."""
        if self.cancelled:
            return f"Import cancelled after {self.files_read} files; nothing added."
        parts = [f"{len(self.imported)} imported"]
        parts.append(f"{len(self.present)} already in the catalog")
        parts.append(f"{len(self.rejected)} rejected")
        return ", ".join(parts) + "."


@dataclass(frozen=True)
class WorkflowCheck:
    """The verdict on a workflow typed or loaded in the editor."""

    document: WorkflowDocument | None
    message: str

    @property
    def ok(self) -> bool:
        return self.document is not None


@dataclass(frozen=True)
class CatalogPage:
    """The first rows of a search and how many rows match in all."""

    rows: list[MantraSummary]
    total: int


def trigger_label(kind: str) -> str:
    """Return the words a user reads for a stored trigger kind."""
    return TRIGGER_LABELS.get(kind, kind.replace("_", " ").capitalize())


def fields_for(document: WorkflowDocument, *, name: str | None = None) -> MantraFields:
    """Derive the stored fields of a mantra from an accepted workflow."""
    facts = derive_facts(document.workflow)
    trigger = facts.primary_trigger.value if facts.primary_trigger else "none"
    return MantraFields(
        name=(name or document.name).strip()[:MAX_NAME_LENGTH],
        description=document.description,
        workflow_json=document.workflow,
        content_hash=document.content_hash,
        apps=list(facts.apps),
        trigger_kind=trigger,
        credential_types=list(facts.credential_types),
        node_count=facts.node_count,
    )


def check_workflow_text(text: str) -> WorkflowCheck:
    """Validate pasted or loaded workflow JSON the way an import does.

    Exactly one workflow must be accepted; the message says what is wrong or,
    when it is fine, what the workflow holds. Pure and quick: safe to call on
    every edit.
    """
    if not text.strip():
        return WorkflowCheck(None, "Paste a workflow, or load it from a file.")
    result = parse_document(text.encode("utf-8"), source=PASTED_SOURCE)
    if result.rejected:
        return WorkflowCheck(None, result.rejected[0].message)
    if len(result.accepted) != 1:
        return WorkflowCheck(
            None, f"This holds {len(result.accepted)} workflows; a mantra is one."
        )
    document = result.accepted[0]
    facts = derive_facts(document.workflow)
    apps = ", ".join(facts.apps) or "no apps"
    nodes = "node" if facts.node_count == 1 else "nodes"
    return WorkflowCheck(
        document, f"A valid workflow: {facts.node_count} {nodes}, {apps}."
    )


def workflow_files(folder: Path) -> list[Path]:
    """The workflow files of a folder and its subfolders, hidden ones left out."""
    found = [
        path
        for path in folder.rglob("*")
        if path.suffix.lower() == WORKFLOW_SUFFIX
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    ]
    return sorted(found)


class CatalogService:
    """Use cases on the mantra catalog for one user (``user_id``)."""

    def __init__(
        self,
        mantras: MantraRepository,
        *,
        user_id: str | None = None,
        starter_folder: Path | None = None,
    ) -> None:
        self._mantras = mantras
        self._user_id = user_id
        self._starter_folder = starter_folder

    @property
    def user_id(self) -> str | None:
        return self._user_id

    # -- reading ----------------------------------------------------------

    def scoped(self, query: MantraQuery) -> MantraQuery:
        """Return ``query`` with the current user set for the installed filter."""
        if query.user_id is None and self._user_id is not None:
            return replace(query, user_id=self._user_id)
        return query

    async def search(
        self, query: MantraQuery, *, offset: int = 0, limit: int = 100
    ) -> list[MantraSummary]:
        return await self._mantras.search(
            self.scoped(query), offset=offset, limit=limit
        )

    async def count(self, query: MantraQuery | None = None) -> int:
        return await self._mantras.count(self.scoped(query or MantraQuery()))

    async def first_page(self, query: MantraQuery, *, limit: int = 100) -> CatalogPage:
        """The first rows of ``query`` and the number of matches, for one keystroke."""
        rows, total = await self._mantras.search_page(self.scoped(query), limit=limit)
        return CatalogPage(rows, total)

    async def facet_counts(self, query: MantraQuery) -> FacetCounts:
        return await self._mantras.facet_counts(self.scoped(query))

    async def get(self, mantra_id: str) -> Mantra:
        """The whole mantra, workflow included. Raises ServiceError when gone."""
        try:
            return await self._mantras.require(mantra_id)
        except NotFound as error:
            raise ServiceError(str(error)) from error

    async def resolve(self, reference: str) -> Mantra:
        """Find a mantra by its id or its exact (case-insensitive) name.

        Raises ServiceError when nothing matches or the name is ambiguous.
        """
        by_id = await self._mantras.get(reference.strip())
        if by_id is not None:
            return by_id
        wanted = reference.strip().casefold()
        query = MantraQuery(words=reference, include_inactive=True)
        matches: list[MantraSummary] = []
        offset = 0
        while True:
            rows = await self._mantras.search(query, offset=offset, limit=200)
            matches += [row for row in rows if row.name.casefold() == wanted]
            if len(rows) < 200:
                break
            offset += 200
        if not matches:
            raise ServiceError(f'No mantra has the id or name "{reference}".')
        if len(matches) > 1:
            ids = ", ".join(row.id for row in matches[:5])
            raise ServiceError(
                f'{len(matches)} mantras are named "{reference}"; use an id: {ids}'
            )
        return await self.get(matches[0].id)

    # -- importing --------------------------------------------------------

    async def import_paths(
        self,
        paths: Iterable[Path],
        *,
        origin: str = MantraOrigin.IMPORTED,
        progress: ImportProgress | None = None,
        is_cancelled: Callable[[], bool] | None = None,
    ) -> ImportSummary:
        """Import files and folders (folders: their ``*.json`` files, recursively).

        Reads every file, then stores the new mantras in one transaction. When
        ``is_cancelled`` turns true while reading, nothing is stored and the
        summary says ``cancelled``. Files that cannot be read are rejected with
        the reason; no exception escapes for a bad file.
        """
        summary = ImportSummary()
        files: list[tuple[Path, str]] = []
        for path in paths:
            if path.is_dir():
                found = workflow_files(path)
                if not found:
                    summary.rejected.append(
                        RejectedFile(path.name, "is a folder with no .json files")
                    )
                files += [(f, str(f.relative_to(path.parent))) for f in found]
            else:
                files.append((path, path.name))

        documents: list[WorkflowDocument] = []
        for done, (path, label) in enumerate(files):
            if is_cancelled is not None and is_cancelled():
                summary.cancelled = True
                break
            if progress is not None:
                progress(done, len(files), label)
            documents += self._read_file(path, label, summary)
            summary.files_read = done + 1
            if done % 8 == 7:
                await asyncio.sleep(0)  # let the window repaint the progress
        if summary.cancelled:
            logger.info("Import cancelled after %s files", summary.files_read)
            return summary
        if progress is not None:
            progress(len(files), len(files), "")

        await self._store(documents, origin, summary)
        logger.info(
            "Imported %s mantras (%s already present, %s rejected)",
            len(summary.imported),
            len(summary.present),
            len(summary.rejected),
        )
        return summary

    async def import_documents(
        self, documents: Sequence[WorkflowDocument], *, origin: str
    ) -> ImportSummary:
        """Store already-parsed workflows, skipping those the catalog holds."""
        summary = ImportSummary()
        await self._store(list(documents), origin, summary)
        return summary

    def _read_file(
        self, path: Path, label: str, summary: ImportSummary
    ) -> list[WorkflowDocument]:
        try:
            raw = path.read_bytes()
        except OSError as error:
            reason = error.strerror or type(error).__name__
            summary.rejected.append(RejectedFile(label, f"cannot be read: {reason}"))
            return []
        result = parse_document(raw, source=label)
        for rejection in result.rejected:
            summary.rejected.append(RejectedFile(rejection.source, rejection.reason))
        return list(result.accepted)

    async def _store(
        self, documents: list[WorkflowDocument], origin: str, summary: ImportSummary
    ) -> None:
        known = await self._mantras.existing_hashes(d.content_hash for d in documents)
        names: dict[str, tuple[str, str | None]] = {}
        for content_hash in known:
            existing = await self._mantras.find_by_hash(content_hash)
            if existing is not None:
                names[content_hash] = (existing.name, existing.id)

        fresh: list[WorkflowDocument] = []
        for document in documents:
            seen = names.get(document.content_hash)
            if seen is not None:
                summary.present.append(AlreadyPresent(document.source, *seen))
                continue
            names[document.content_hash] = (document.name, None)
            fresh.append(document)
        if not fresh:
            return

        created = await self._mantras.create_many(
            [fields_for(d) for d in fresh],
            origin=origin,
            user_id=self._user_id,
            sources=[d.source for d in fresh],
        )
        summary.imported += [
            ImportedMantra(d.source, m.name, m.id)
            for d, m in zip(fresh, created, strict=True)
        ]

    async def load_starter_catalog(self) -> ImportSummary | None:
        """Import the bundled mantras when the catalog has none at all.

        Returns None when the catalog already had mantras (hidden ones count).
        """
        if self._starter_folder is None or not self._starter_folder.is_dir():
            return None
        if await self._mantras.count(MantraQuery(include_inactive=True)) > 0:
            return None
        files = sorted(self._starter_folder.glob("*" + WORKFLOW_SUFFIX))
        summary = await self.import_paths(files, origin=MantraOrigin.BUNDLED)
        for rejected in summary.rejected:
            logger.warning("A starter mantra was refused: %s", rejected.message)
        return summary

    # -- creating and editing ---------------------------------------------

    async def create(
        self, *, name: str, description: str, workflow_text: str
    ) -> Mantra:
        """Create a mantra from workflow JSON. Raises ServiceError when invalid."""
        document = _accepted(workflow_text)
        name = _clean_name(name)
        await self._refuse_duplicate(document.content_hash, None)
        fields = fields_for(document, name=name)
        fields = _with_description(fields, description)
        mantra = await self._mantras.create(
            fields, origin=MantraOrigin.CREATED, user_id=self._user_id
        )
        logger.info("Created the mantra %s", mantra.name)
        return mantra

    async def add_from_server(
        self, workflow: Mapping[str, Any], *, source: str
    ) -> Mantra:
        """Add a workflow read from an n8n server as a new mantra.

        Raises ServiceError when it is not a workflow the catalog accepts, or
        when the catalog already holds it.
        """
        document = _accepted(json.dumps(workflow))
        await self._refuse_duplicate(document.content_hash, None)
        mantra = await self._mantras.create(
            fields_for(document),
            origin=MantraOrigin.SERVER,
            source=source,
            user_id=self._user_id,
        )
        logger.info("Copied %s from %s into the catalog", mantra.name, source)
        return mantra

    async def edit(
        self,
        mantra_id: str,
        *,
        name: str,
        description: str,
        workflow_text: str | None = None,
    ) -> Mantra:
        """Change a mantra; a changed workflow gets a new version number.

        ``workflow_text`` None keeps the workflow. Raises ServiceError when the
        workflow is invalid or equal to another mantra's.
        """
        name = _clean_name(name)
        fields = None
        if workflow_text is not None:
            document = _accepted(workflow_text)
            await self._refuse_duplicate(document.content_hash, mantra_id)
            fields = _with_description(fields_for(document, name=name), description)
        try:
            mantra = await self._mantras.update(
                mantra_id, fields=fields, name=name, description=description
            )
        except NotFound as error:
            raise ServiceError(str(error)) from error
        logger.info("Edited the mantra %s (version %s)", mantra.name, mantra.version)
        return mantra

    async def hide(self, mantra_id: str) -> Mantra:
        """Hide a mantra from the catalog; its installations are kept."""
        try:
            mantra = await self._mantras.deactivate(mantra_id)
        except NotFound as error:
            raise ServiceError(str(error)) from error
        logger.info("Hid the mantra %s", mantra.name)
        return mantra

    async def show(self, mantra_id: str) -> Mantra:
        """Show a hidden mantra in the catalog again."""
        try:
            return await self._mantras.set_active(mantra_id, True)
        except NotFound as error:
            raise ServiceError(str(error)) from error

    # -- exporting --------------------------------------------------------

    async def export_bytes(self, mantra_id: str) -> tuple[str, bytes]:
        """The mantra's name and a file n8n's editor imports as it is."""
        mantra = await self.get(mantra_id)
        return mantra.name, to_n8n_file(mantra.workflow_json, mantra.name)

    async def export(self, mantra_id: str, target: Path) -> Path:
        """Write the mantra as an n8n workflow file at ``target``.

        Raises ServiceError when the file cannot be written.
        """
        name, content = await self.export_bytes(mantra_id)
        try:
            await asyncio.to_thread(target.write_bytes, content)
        except OSError as error:
            raise ServiceError(
                f"Cannot write {target}: {error.strerror or error}"
            ) from error
        logger.info("Exported the mantra %s to %s", name, target)
        return target

    async def _refuse_duplicate(self, content_hash: str, own_id: str | None) -> None:
        existing = await self._mantras.find_by_hash(content_hash)
        if existing is not None and existing.id != own_id:
            raise ServiceError(
                f"This workflow is already in the catalog as {existing.name}."
            )


def export_file_name(name: str) -> str:
    """A safe file name for an exported mantra: letters, digits and dashes."""
    cleaned = "".join(c if c.isalnum() else "-" for c in name.strip().lower())
    cleaned = "-".join(part for part in cleaned.split("-") if part)
    return (cleaned or "mantra")[:80] + WORKFLOW_SUFFIX


def _accepted(workflow_text: str) -> WorkflowDocument:
    check = check_workflow_text(workflow_text)
    if check.document is None:
        raise ServiceError(check.message)
    return check.document


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ServiceError("A mantra needs a name.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ServiceError(f"A name is at most {MAX_NAME_LENGTH} characters long.")
    return cleaned


def _with_description(fields: MantraFields, description: str) -> MantraFields:
    return replace(fields, description=description.strip())
