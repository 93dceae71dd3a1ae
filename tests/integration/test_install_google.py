"""Installing mantras whose credentials come from a linked account, on real n8n.

The account is linked at the local OpenID provider with a headless browser; every
install goes through ``InstallService.install`` against n8n 1.x and 2.x. The public
API never returns a credential's data, so the tests check what it does return (the
credential's id, name and type, the workflow's node references) and, end to end,
that n8n really calls an API with the account's tokens and refreshes them itself.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mantra_desktop.models import InstallationState
from mantra_desktop.n8n import N8nClient, N8nNotFound, N8nUnsupported
from mantra_desktop.services.accounts import LinkedAccount, MissingAccess
from mantra_desktop.services.context import Services
from mantra_desktop.services.install import CredentialBinding, InstallRequest
from tests.integration.install_support import (
    add_mantra,
    call_webhook,
    make_services,
    node,
    webhook_path,
    webhook_workflow,
)
from tests.peers.browser import HeadlessBrowser
from tests.peers.n8n import N8nPeer
from tests.peers.oidc import OidcPeer, start_oidc

pytestmark = [pytest.mark.oidc, pytest.mark.n8n]

Runner = Callable[..., Any]
ACCESS_TOKEN_TTL = 5
GMAIL = ("gmailOAuth2", "Gmail account")
SHEETS = ("googleSheetsOAuth2Api", "Sheets account")
PROVIDER = ("oAuth2Api", "Provider account")


@pytest.fixture
def services(tmp_path: Path, arun: Runner) -> Iterator[Services]:
    built = arun(make_services(tmp_path))
    yield built
    arun(built.database.dispose())


@pytest.fixture(scope="module")
def short_lived_provider() -> Iterator[OidcPeer]:
    peer = start_oidc(access_token_ttl=ACCESS_TOKEN_TTL)
    yield peer
    peer.stop()


def link(
    services: Services,
    provider: OidcPeer,
    login: str,
    credential_types: tuple[str, ...],
    arun: Runner,
) -> LinkedAccount:
    """Import the provider's client and link ``login`` with access for the types."""
    accounts = services.accounts
    accounts.opener = HeadlessBrowser(login=login).open
    arun(accounts.import_client_file(json.dumps(provider.client_file())))
    needed = set().union(*(accounts.needed_scopes(t) for t in credential_types))
    return arun(accounts.new_link(needed).run(), timeout=60_000)


def with_app_node(
    node_name: str, node_type: str, version: float, key: tuple[str, str]
) -> dict[str, Any]:
    """The webhook sample followed by an app node that uses credential ``key``."""
    workflow = webhook_workflow()
    app = node(
        node_name,
        node_type,
        version,
        parameters={"operation": "getAll", "filters": {}},
        credentials={key[0]: {"id": "17", "name": key[1]}},
    )
    workflow["nodes"].append(app)
    workflow["connections"]["Edit Fields"] = {
        "main": [[{"node": node_name, "type": "main", "index": 0}]]
    }
    return workflow


def probe_workflow(userinfo_url: str) -> dict[str, Any]:
    """Webhook (answers with the last node) → HTTP Request with generic OAuth2."""
    workflow = webhook_workflow()
    trigger = workflow["nodes"][0]
    trigger["parameters"]["responseMode"] = "lastNode"
    who = node(
        "Who am I",
        "n8n-nodes-base.httpRequest",
        4.2,
        parameters={
            "authentication": "genericCredentialType",
            "genericAuthType": "oAuth2Api",
            "url": userinfo_url,
            "options": {},
        },
        credentials={PROVIDER[0]: {"id": "3", "name": PROVIDER[1]}},
    )
    return {
        **workflow,
        "nodes": [trigger, who],
        "connections": {
            "Webhook": {"main": [[{"node": "Who am I", "type": "main", "index": 0}]]}
        },
    }


async def stored_workflow(peer: N8nPeer, workflow_id: str) -> dict[str, Any]:
    async with N8nClient(peer.url, peer.api_key) as client:
        return dict(await client.get_workflow(workflow_id))


async def listed_credentials(peer: N8nPeer) -> dict[str, tuple[str, str]] | None:
    """Return id -> (name, type) of the server's credentials; None on 1.x."""
    async with N8nClient(peer.url, peer.api_key) as client:
        try:
            return {c.id: (c.name, c.type) async for c in client.list_credentials()}
        except N8nUnsupported:
            return None


async def delete_credential(peer: N8nPeer, credential_id: str) -> None:
    """Delete a credential; raises N8nNotFound when it was not on the server."""
    async with N8nClient(peer.url, peer.api_key) as client:
        await client.delete_credential(credential_id)


def node_credential(workflow: dict[str, Any], node_name: str) -> dict[str, Any]:
    found = next(n for n in workflow["nodes"] if n["name"] == node_name)
    return dict(found["credentials"])


def test_an_account_becomes_one_reused_credential_that_outlives_uninstalls(
    services: Services,
    n8n_server: N8nPeer,
    oidc_provider: OidcPeer,
    arun: Runner,
) -> None:
    account = link(services, oidc_provider, "ada", ("gmailOAuth2",), arun)
    server = arun(services.servers.add("Home", n8n_server.url, n8n_server.api_key))
    installs = services.installs
    first_mantra = arun(
        add_mantra(
            services, with_app_node("Read mail", "n8n-nodes-base.gmail", 2.1, GMAIL)
        )
    )
    second_mantra = arun(
        add_mantra(
            services, with_app_node("Label mail", "n8n-nodes-base.gmail", 2.1, GMAIL)
        )
    )
    bound = {GMAIL: CredentialBinding.google_account(account.id)}

    first = arun(
        installs.install(InstallRequest(first_mantra.id, server.id, bindings=bound)),
        timeout=60_000,
    )
    second = arun(
        installs.install(InstallRequest(second_mantra.id, server.id, bindings=bound)),
        timeout=60_000,
    )

    assert first.state == second.state == InstallationState.INSTALLED
    [record] = first.bindings["credentials"]
    assert record["kind"] == "google_account"
    assert record["google_account_id"] == account.id
    credential_id = record["id"]
    assert record["name"] == "ada@example.test (Gmail)"
    assert second.bindings["credentials"][0]["id"] == credential_id
    assert first.bindings["created_credentials"] == []
    assert first.n8n_workflow_id is not None and second.n8n_workflow_id is not None
    for row, node_name in ((first, "Read mail"), (second, "Label mail")):
        assert row.n8n_workflow_id is not None
        stored = arun(stored_workflow(n8n_server, row.n8n_workflow_id))
        assert node_credential(stored, node_name) == {
            "gmailOAuth2": {"id": credential_id, "name": "ada@example.test (Gmail)"}
        }
    listed = arun(listed_credentials(n8n_server))
    if n8n_server.major >= 2:
        assert listed is not None
        assert listed[credential_id] == ("ada@example.test (Gmail)", "gmailOAuth2")
    else:
        assert listed is None
    records = arun(services.accounts.account(account.id)).n8n_credentials
    assert [(r.credential_id, r.server_id, r.credential_type) for r in records] == [
        (credential_id, server.id, "gmailOAuth2")
    ]

    # A Sheets credential needs access the account has not granted: the install
    # stops before anything is created, and says which product is missing.
    sheets_mantra = arun(
        add_mantra(
            services,
            with_app_node("Read rows", "n8n-nodes-base.googleSheets", 4.5, SHEETS),
        )
    )
    with pytest.raises(MissingAccess) as refused:
        arun(
            installs.install(
                InstallRequest(
                    sheets_mantra.id,
                    server.id,
                    bindings={SHEETS: CredentialBinding.google_account(account.id)},
                )
            ),
            timeout=60_000,
        )
    assert "ada@example.test has not granted access to" in str(refused.value)
    assert "Sheets" in str(refused.value)
    failed = next(
        v
        for v in arun(installs.list_installations())
        if v.mantra_id == sheets_mantra.id
    )
    assert failed.state == InstallationState.FAILED
    assert failed.error == str(refused.value)
    assert failed.workflow_id is None

    # Uninstalling leaves the account's credential for the other installation
    # and for later installs; only the account's owner removes it.
    arun(installs.uninstall(first.id))
    arun(installs.uninstall(second.id))
    if n8n_server.major >= 2:
        after = arun(listed_credentials(n8n_server))
        assert after is not None and credential_id in after
    arun(delete_credential(n8n_server, credential_id))
    with pytest.raises(N8nNotFound):
        arun(delete_credential(n8n_server, credential_id))


def test_n8n_calls_the_provider_with_the_bound_account_and_refreshes_it(
    services: Services,
    n8n_server: N8nPeer,
    short_lived_provider: OidcPeer,
    arun: Runner,
) -> None:
    account = link(services, short_lived_provider, "grace", (), arun)
    server = arun(services.servers.add("Home", n8n_server.url, n8n_server.api_key))
    workflow = probe_workflow(f"{short_lived_provider.issuer}/me")
    mantra = arun(add_mantra(services, workflow, name=f"Who am I {uuid.uuid4().hex}"))

    row = arun(
        services.installs.install(
            InstallRequest(
                mantra.id,
                server.id,
                activate=True,
                bindings={PROVIDER: CredentialBinding.google_account(account.id)},
            )
        ),
        timeout=60_000,
    )
    assert row.n8n_workflow_id is not None
    stored = arun(stored_workflow(n8n_server, row.n8n_workflow_id))
    credential_id = row.bindings["credentials"][0]["id"]
    assert node_credential(stored, "Who am I")["oAuth2Api"]["id"] == credential_id
    path = webhook_path(stored)
    try:
        first = call_webhook(n8n_server.url, path)
        assert first.status_code == 200, first.text
        assert first.json()["sub"] == "grace"

        # Past the access token's lifetime n8n is refused once, refreshes with
        # the refresh token at the provider's token endpoint, and answers again.
        time.sleep(ACCESS_TOKEN_TTL + 2)
        second = call_webhook(n8n_server.url, path)
        assert second.status_code == 200, second.text
        assert second.json()["sub"] == "grace"
    finally:
        arun(services.installs.uninstall(row.id))
        arun(delete_credential(n8n_server, credential_id))
