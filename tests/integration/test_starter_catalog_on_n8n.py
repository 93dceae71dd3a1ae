"""Every starter mantra is a workflow both n8n releases accept as it is."""

from __future__ import annotations

import uuid
from typing import Any

from mantra_desktop.config import resources_dir
from mantra_desktop.n8n.client import N8nClient
from mantra_desktop.workflows import check_install, parse_document, workflow_fingerprint
from mantra_desktop.workflows.prepare import InstallWarningKind, prepare_for_install
from tests.peers.n8n import N8nPeer


def _starter_documents() -> list[Any]:
    documents = []
    for path in sorted((resources_dir() / "catalog").glob("*.json")):
        result = parse_document(path.read_bytes(), source=path.name)
        assert result.ok and len(result.accepted) == 1, (path, result.rejected)
        documents.extend(result.accepted)
    return documents


def test_every_starter_mantra_is_accepted_by_n8n(
    n8n_server: N8nPeer, arun: Any
) -> None:
    documents = _starter_documents()
    assert len(documents) >= 12

    async def create_each() -> list[tuple[str, list[str], bool]]:
        outcomes = []
        async with N8nClient(n8n_server.url, n8n_server.api_key) as client:
            known = await client.known_node_types()
            for document in documents:
                warnings = check_install(document.workflow, known)
                unknown = [
                    w.message
                    for w in warnings
                    if w.kind != InstallWarningKind.CANNOT_ACTIVATE
                ]
                body = prepare_for_install(
                    document.workflow,
                    install_id=str(uuid.uuid4()),
                    mantra_name=document.name,
                    mantra_version=1,
                    credential_bindings={},
                )
                created = await client.create_workflow(body)
                try:
                    stored = await client.get_workflow(created["id"])
                    same = workflow_fingerprint(stored) == workflow_fingerprint(body)
                finally:
                    await client.delete_workflow(created["id"])
                outcomes.append((document.name, unknown, same))
        return outcomes

    outcomes = arun(create_each(), timeout=120_000)
    assert [name for name, unknown, _ in outcomes if unknown] == []
    assert [name for name, _, same in outcomes if not same] == []
