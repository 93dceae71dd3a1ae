"""The install lifecycle against real n8n 1.x and 2.x on loopback.

Each test uses its own SQLite catalog and unique mantra names, so tests share the
session's n8n servers; every test removes what it installed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mantra_desktop.models import InstallationState
from mantra_desktop.n8n import N8nBadRequest, N8nClient
from mantra_desktop.services.context import Services
from mantra_desktop.services.install import (
    InstallRequest,
    Presence,
)
from mantra_desktop.services.servers import ServerService
from mantra_desktop.workflows import InstallWarningKind
from tests.integration.install_support import (
    add_mantra,
    call_webhook,
    make_services,
    manual_workflow,
    replace_workflow,
    webhook_path,
    webhook_workflow,
)
from tests.peers.n8n import N8nPeer

Runner = Callable[..., Any]


@pytest.fixture
def services(tmp_path: Path, arun: Runner) -> Iterator[Services]:
    built = arun(make_services(tmp_path))
    yield built
    arun(built.database.dispose())


def raw_client(peer: N8nPeer) -> N8nClient:
    return N8nClient(peer.url, peer.api_key)


async def server_workflow(peer: N8nPeer, workflow_id: str) -> dict[str, Any]:
    async with raw_client(peer) as client:
        return dict(await client.get_workflow(workflow_id))


async def workflow_exists(peer: N8nPeer, workflow_id: str) -> bool:
    async with raw_client(peer) as client:
        return any([w["id"] == workflow_id async for w in client.list_workflows()])


def test_whole_lifecycle(services: Services, n8n_server: N8nPeer, arun: Runner) -> None:
    server = arun(services.servers.add("Home", n8n_server.url, n8n_server.api_key))
    report = arun(services.servers.check(server.id))
    assert report.key_accepted
    assert report.version == n8n_server.version

    mantra = arun(add_mantra(services, webhook_workflow()))
    plan = arun(services.installs.plan(mantra.id, server.id))
    assert plan.warnings == ()
    assert (plan.server_credentials is None) == (n8n_server.major == 1)

    row = arun(
        services.installs.install(InstallRequest(mantra.id, server.id, activate=True))
    )
    assert row.state == InstallationState.INSTALLED
    workflow_id = row.n8n_workflow_id
    assert workflow_id is not None
    stored = arun(server_workflow(n8n_server, workflow_id))
    assert stored["active"] is True
    assert {t["name"] for t in stored["tags"]} == {"mantra", f"mantra-{mantra.id[:8]}"}
    path = webhook_path(stored)
    assert path.endswith("/hello") and path != "hello"
    assert call_webhook(n8n_server.url, path).status_code == 200

    views = arun(services.installs.list_installations())
    status = arun(services.installs.live_status(views))[row.id]
    assert status.presence is Presence.PRESENT
    assert status.active is True and not status.changed_on_server

    runs: list[Any] = []
    for _ in range(50):
        runs = arun(services.installs.runs(row.id))
        if runs:
            break
        arun(__import__("asyncio").sleep(0.1))
    assert runs and runs[0].workflow_id == workflow_id

    arun(services.installs.set_active(row.id, False))
    assert arun(server_workflow(n8n_server, workflow_id))["active"] is False
    arun(services.installs.set_active(row.id, True))

    arun(replace_workflow(services, mantra.id, webhook_workflow(extra_step=True)))
    preview = arun(services.installs.preview_update(row.id))
    assert (preview.from_version, preview.to_version) == (1, 2)
    assert preview.diff.added == ("Second Step",)
    assert not preview.changed_on_server
    updated = arun(services.installs.update(row.id))
    assert updated.n8n_workflow_id == workflow_id
    assert updated.mantra_version == 2
    after = arun(server_workflow(n8n_server, workflow_id))
    assert after["active"] is True
    assert "Second Step" in {n["name"] for n in after["nodes"]}
    assert webhook_path(after) == path
    assert call_webhook(n8n_server.url, path).status_code == 200

    arun(services.installs.uninstall(row.id))
    assert not arun(workflow_exists(n8n_server, workflow_id))
    assert arun(services.repositories.installations.require(row.id)).state == (
        InstallationState.REMOVED
    )


def test_same_mantra_twice_answers_on_two_paths(
    services: Services, n8n_server: N8nPeer, arun: Runner
) -> None:
    server = arun(services.servers.add("Twice", n8n_server.url, n8n_server.api_key))
    mantra = arun(add_mantra(services, webhook_workflow(path="twice")))
    request = InstallRequest(mantra.id, server.id, activate=True)
    first = arun(services.installs.install(request))
    second = arun(services.installs.install(request))
    paths = [
        webhook_path(arun(server_workflow(n8n_server, row.n8n_workflow_id or "")))
        for row in (first, second)
    ]
    assert paths[0] != paths[1]
    for path in paths:
        assert call_webhook(n8n_server.url, path).status_code == 200
    for row in (first, second):
        arun(services.installs.uninstall(row.id))


def test_manual_only_workflow_with_activate_leaves_nothing(
    services: Services, n8n_server: N8nPeer, arun: Runner
) -> None:
    server = arun(services.servers.add("Manual", n8n_server.url, n8n_server.api_key))
    mantra = arun(add_mantra(services, manual_workflow()))
    plan = arun(services.installs.plan(mantra.id, server.id))
    assert plan.cannot_activate

    with pytest.raises(N8nBadRequest) as raised:
        arun(
            services.installs.install(
                InstallRequest(mantra.id, server.id, activate=True)
            )
        )
    assert "trigger" in str(raised.value)
    rows = arun(services.repositories.installations.list_for_mantra(mantra.id))
    assert [r.state for r in rows] == [InstallationState.FAILED]
    assert rows[0].error == str(raised.value)
    assert rows[0].n8n_workflow_id is not None
    assert not arun(workflow_exists(n8n_server, rows[0].n8n_workflow_id))


def test_unknown_node_type_is_warned(
    services: Services, n8n_server: N8nPeer, arun: Runner
) -> None:
    server = arun(services.servers.add("Warn", n8n_server.url, n8n_server.api_key))
    workflow = webhook_workflow()
    workflow["nodes"][1]["type"] = "n8n-nodes-base.noSuchNodeAnywhere"
    mantra = arun(add_mantra(services, workflow))
    plan = arun(services.installs.plan(mantra.id, server.id))
    kinds = [w.kind for w in plan.warnings]
    assert kinds == [InstallWarningKind.UNKNOWN_NODE_TYPE]
    assert "noSuchNodeAnywhere" in plan.warnings[0].message


def test_bulk_install_and_drift_seen_on_refresh(
    services: Services, n8n_v2: N8nPeer, arun: Runner
) -> None:
    server = arun(services.servers.add("Bulk", n8n_v2.url, n8n_v2.api_key))
    mantras = [arun(add_mantra(services, webhook_workflow())) for _ in range(3)]
    seen: list[tuple[int, int, str]] = []
    outcomes = arun(
        services.installs.install_many(
            [m.id for m in mantras],
            server.id,
            activate=True,
            progress=lambda *step: seen.append(step),
        )
    )
    assert [o.error for o in outcomes] == [None, None, None]
    assert seen[-1][:2] == (3, 3)

    first = outcomes[0].installation_id
    assert first is not None
    row = arun(services.repositories.installations.require(first))
    edited = arun(server_workflow(n8n_v2, row.n8n_workflow_id or ""))

    async def edit_on_server() -> None:
        nodes = edited["nodes"]
        nodes[1]["parameters"]["assignments"]["assignments"][0]["value"] = "edited"
        body = {k: edited[k] for k in ("name", "nodes", "connections")}
        async with raw_client(n8n_v2) as client:
            await client.update_workflow(
                row.n8n_workflow_id or "", {**body, "settings": {}}
            )

    arun(edit_on_server())
    views = arun(services.installs.list_installations())
    statuses = arun(services.installs.live_status(views))
    assert statuses[first].changed_on_server
    assert sum(s.changed_on_server for s in statuses.values()) == 1

    arun(replace_workflow(services, row.mantra_id, webhook_workflow(value="v2")))
    assert arun(services.installs.preview_update(first)).changed_on_server
    with pytest.raises(Exception, match="changed in n8n"):
        arun(services.installs.update(first))
    arun(services.installs.update(first, overwrite_changes=True))

    for outcome in outcomes:
        arun(services.installs.uninstall(outcome.installation_id or ""))
    missing = arun(
        services.installs.live_status(arun(services.installs.list_installations()))
    )
    assert all(s.presence is Presence.NOT_CHECKED for s in missing.values())


def test_copy_server_workflow_into_catalog(
    services: Services, n8n_v1: N8nPeer, arun: Runner
) -> None:
    server = arun(services.servers.add("Copy", n8n_v1.url, n8n_v1.api_key))
    mantra = arun(add_mantra(services, webhook_workflow(path="copy-me")))
    row = arun(services.installs.install(InstallRequest(mantra.id, server.id)))
    listed = arun(services.installs.server_workflows(server.id))
    assert row.n8n_workflow_id in {w.id for w in listed}
    copied = arun(
        services.installs.copy_to_catalog(server.id, row.n8n_workflow_id or "")
    )
    assert copied.origin == "server"
    assert copied.node_count == 2
    assert copied.source and copied.source.endswith(row.n8n_workflow_id or "")
    arun(services.installs.uninstall(row.id))


def test_server_key_only_in_keychain(
    services: Services, n8n_v1: N8nPeer, arun: Runner, memory_keychain: Any
) -> None:
    server = arun(services.servers.add("Key", n8n_v1.url, n8n_v1.api_key))
    stored = list(memory_keychain._entries.values())
    assert stored == [n8n_v1.api_key]
    assert isinstance(services.servers, ServerService)
    arun(services.servers.remove(server.id))
    assert memory_keychain._entries == {}
