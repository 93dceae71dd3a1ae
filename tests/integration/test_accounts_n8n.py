"""A linked account's tokens handed to real n8n, which then refreshes them itself.

The provider runs with a 5-second access-token lifetime. n8n's generic ``oAuth2Api``
credential is used, pointed at the provider's endpoints (Google's own credential
types would send n8n to Google's real token URL).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mantra_desktop import secrets
from mantra_desktop.db.engine import Database, create_engine
from mantra_desktop.db.migrate import migrate
from mantra_desktop.google import tokens
from mantra_desktop.n8n import N8nClient
from mantra_desktop.repositories.google_auth import GoogleAuthRepository
from mantra_desktop.repositories.users import UserRepository
from mantra_desktop.services.accounts import GENERIC_OAUTH2_TYPE, AccountService
from tests.peers.browser import HeadlessBrowser
from tests.peers.n8n import N8nPeer
from tests.peers.oidc import OidcPeer, start_oidc

pytestmark = [pytest.mark.oidc, pytest.mark.n8n]

Runner = Callable[..., Any]
ACCESS_TOKEN_TTL = 5


@pytest.fixture(scope="module")
def short_lived_provider() -> Iterator[OidcPeer]:
    peer = start_oidc(access_token_ttl=ACCESS_TOKEN_TTL)
    yield peer
    peer.stop()


def probe_workflow(path: str, userinfo_url: str, credential: dict[str, str]) -> dict:
    """Webhook (GET, answers with the last node) → HTTP Request to /me with OAuth2."""
    return {
        "name": f"account probe {path}",
        "nodes": [
            {
                "id": str(uuid.uuid4()),
                "name": "Webhook",
                "type": "n8n-nodes-base.webhook",
                "typeVersion": 2,
                "webhookId": str(uuid.uuid4()),
                "position": [0, 0],
                "parameters": {
                    "httpMethod": "GET",
                    "path": path,
                    "responseMode": "lastNode",
                    "options": {},
                },
            },
            {
                "id": str(uuid.uuid4()),
                "name": "Who am I",
                "type": "n8n-nodes-base.httpRequest",
                "typeVersion": 4.2,
                "position": [220, 0],
                "parameters": {
                    "authentication": "genericCredentialType",
                    "genericAuthType": "oAuth2Api",
                    "url": userinfo_url,
                    "options": {},
                },
                "credentials": {"oAuth2Api": credential},
            },
        ],
        "connections": {
            "Webhook": {"main": [[{"node": "Who am I", "type": "main", "index": 0}]]}
        },
        "settings": {"executionOrder": "v1"},
    }


def call_webhook(base_url: str, path: str) -> httpx.Response:
    """GET the production webhook; 2.x needs a moment after activation."""
    for _ in range(50):
        response = httpx.get(f"{base_url}/webhook/{path}", timeout=30)
        if response.status_code != 404:
            return response
        time.sleep(0.1)
    return response


def test_n8n_uses_and_refreshes_the_account_tokens_and_no_secret_is_written(
    n8n_server: N8nPeer,
    short_lived_provider: OidcPeer,
    tmp_path: Path,
    arun: Runner,
) -> None:
    log_file = tmp_path / "app.log"
    handler = logging.FileHandler(log_file)
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    database_file = tmp_path / "app.db"
    database = Database(create_engine(f"sqlite+aiosqlite:///{database_file}"))
    try:
        arun(migrate(database))
        user = arun(UserRepository(database).create(email="me@x.test", name="Me"))
        service = AccountService(
            GoogleAuthRepository(database),
            user,
            tmp_path,
            opener=HeadlessBrowser(login="erin").open,
        )
        arun(service.import_client_file(json.dumps(short_lived_provider.client_file())))
        account = arun(service.new_link().run())
        arun(service.refresh(account.id))

        async def install() -> tuple[dict[str, str], dict[str, str], str]:
            async with N8nClient(n8n_server.url, n8n_server.api_key) as n8n:
                made = await service.credential_for_install(
                    n8n, "server-1", "Local n8n", account.id, GENERIC_OAUTH2_TYPE
                )
                reused = await service.credential_for_install(
                    n8n, "server-1", "Local n8n", account.id, GENERIC_OAUTH2_TYPE
                )
                path = f"probe-{uuid.uuid4().hex[:12]}"
                workflow = await n8n.create_workflow(
                    probe_workflow(path, f"{short_lived_provider.issuer}/me", made)
                )
                await n8n.activate(str(workflow["id"]))
                return made, reused, path

        made, reused, path = arun(install(), timeout=60_000)

        assert reused == made
        first = call_webhook(n8n_server.url, path)
        assert first.status_code == 200, first.text
        assert first.json()["sub"] == "erin"

        # Past the access token's lifetime n8n gets a 401, refreshes with the
        # refresh token at the provider, and answers again.
        time.sleep(ACCESS_TOKEN_TTL + 2)
        second = call_webhook(n8n_server.url, path)
        assert second.status_code == 200, second.text
        assert second.json()["sub"] == "erin"

        listed = arun(service.account(account.id)).n8n_credentials
        assert [(r.credential_id, r.server_name) for r in listed] == [
            (made["id"], "Local n8n")
        ]
        stored = secrets.load(secrets.google_tokens_name(account.id))
        assert stored is not None
        grant = tokens.grant_from_json(stored)
        wal_file = Path(f"{database_file}-wal")
        written_while_open = wal_file.read_bytes() if wal_file.exists() else b""
    finally:
        arun(database.dispose())
        root.removeHandler(handler)
        handler.close()
        root.setLevel(previous_level)

    assert grant.refresh_token is not None
    written = written_while_open + b"".join(
        path.read_bytes()
        for path in (database_file, Path(f"{database_file}-wal"), log_file)
        if path.exists()
    )
    assert b"erin@example.test" in written, "the account itself is recorded"
    for secret_text in (
        grant.access_token,
        grant.refresh_token,
        short_lived_provider.client_secret,
    ):
        assert secret_text.encode() not in written
