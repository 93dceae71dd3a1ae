"""Linking Google accounts through the account service, against a real provider.

The local OpenID provider stands in for Google and a headless browser signs in on
its pages. A link stores tokens in the keychain only; every refusal leaves nothing
behind: no row, no keychain entry.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import psutil
import pytest
import requests

from mantra_desktop import secrets
from mantra_desktop.db.engine import Database, create_engine
from mantra_desktop.db.migrate import migrate
from mantra_desktop.google import loopback, scopes, tokens
from mantra_desktop.models import User
from mantra_desktop.repositories.google_auth import GoogleAuthRepository
from mantra_desktop.repositories.users import UserRepository
from mantra_desktop.services.accounts import (
    CLIENTS_FILE,
    AccountService,
    AccountState,
    MissingAccess,
    NoOAuthClient,
    access_labels,
)
from mantra_desktop.services.errors import ServiceError
from tests.peers.browser import HeadlessBrowser
from tests.peers.oidc import OidcPeer

pytestmark = pytest.mark.oidc

Runner = Callable[..., Any]
SHEETS = scopes.scopes_for(["googleSheetsOAuth2Api"])


@pytest.fixture
def sqlite_database(tmp_path: Path, arun: Runner) -> Iterator[Database]:
    database = Database(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"))
    arun(migrate(database))
    yield database
    arun(database.dispose())


def make_service(
    database: Database,
    config_dir: Path,
    provider: OidcPeer,
    arun: Runner,
    opener: loopback.Opener,
    **options: Any,
) -> tuple[AccountService, User]:
    user = arun(UserRepository(database).create(email="me@example.test", name="Me"))
    service = AccountService(
        GoogleAuthRepository(database), user, config_dir, opener=opener, **options
    )
    arun(service.import_client_file(json.dumps(provider.client_file())))
    return service, user


def keychain_names(keychain: secrets.MemoryKeyring) -> list[str]:
    return sorted(name for _, name in keychain._entries)


def test_the_client_file_is_checked_and_its_secret_kept_in_the_keychain(
    sqlite_database: Database,
    tmp_path: Path,
    oidc_provider: OidcPeer,
    arun: Runner,
    memory_keychain: secrets.MemoryKeyring,
) -> None:
    user = arun(UserRepository(sqlite_database).create(email="a@b.test", name="A"))
    service = AccountService(GoogleAuthRepository(sqlite_database), user, tmp_path)
    good = oidc_provider.client_file()
    web_client = {"web": good["installed"]}
    no_token_uri = {"installed": dict(good["installed"], token_uri="")}

    with pytest.raises(NoOAuthClient, match="Import your Google OAuth client"):
        arun(service.new_link().run())
    with pytest.raises(ServiceError, match="Web application client"):
        arun(service.import_client_file(json.dumps(web_client)))
    with pytest.raises(ServiceError, match="lacks token_uri"):
        arun(service.import_client_file(json.dumps(no_token_uri)))
    with pytest.raises(ServiceError, match="not JSON"):
        arun(service.import_client_file("{"))
    assert service.client_config() is None
    assert keychain_names(memory_keychain) == []

    config = arun(service.import_client_file(json.dumps(good)))

    assert service.client_config() == config
    assert config.revoke_uri == f"{oidc_provider.issuer}/token/revocation"
    assert keychain_names(memory_keychain) == [
        secrets.google_client_secret_name(oidc_provider.client_id)
    ]
    assert oidc_provider.client_secret not in (tmp_path / CLIENTS_FILE).read_text()


def test_link_again_refresh_then_unlink_revokes_at_the_provider(
    database: Database,
    tmp_path: Path,
    oidc_provider: OidcPeer,
    arun: Runner,
    memory_keychain: secrets.MemoryKeyring,
) -> None:
    browser = HeadlessBrowser(login="carol")
    listening: list[list[str]] = []

    def open_and_inspect(url: str) -> bool:
        port = urlsplit(parse_qs(urlsplit(url).query)["redirect_uri"][0]).port
        listening.append(
            [
                c.laddr.ip
                for c in psutil.Process(os.getpid()).net_connections("inet")
                if c.status == psutil.CONN_LISTEN and c.laddr.port == port
            ]
        )
        return browser.open(url)

    service, _ = make_service(database, tmp_path, oidc_provider, arun, open_and_inspect)

    linked = arun(service.new_link(SHEETS).run())

    assert listening == [["127.0.0.1"]]
    assert (linked.email, linked.name, linked.subject) == (
        "carol@example.test",
        "Carol",
        "carol",
    )
    assert linked.state is AccountState.VALID
    assert linked.access == ["Drive", "Sheets"]
    assert linked.scopes == scopes.IDENTITY_SCOPES | SHEETS
    row = arun(GoogleAuthRepository(database).get(linked.id))
    assert row is not None and row.credentials["token_uri"].endswith("/token")
    stored_text = secrets.load(secrets.google_tokens_name(linked.id))
    assert stored_text is not None
    first_grant = tokens.grant_from_json(stored_text)
    assert first_grant.access_token not in json.dumps(row.credentials)

    # Linking the same account again updates its row instead of adding one.
    browser = HeadlessBrowser(login="carol")
    again = arun(service.new_link(SHEETS).run())
    assert again.id == linked.id
    assert [account.id for account in arun(service.list_accounts())] == [linked.id]

    # An expired access token is refreshed before use, and the new one is stored.
    stored_text = secrets.load(secrets.google_tokens_name(linked.id))
    assert stored_text is not None
    expired = dataclasses.replace(
        tokens.grant_from_json(stored_text),
        expiry=datetime.now(UTC) - timedelta(minutes=5),
    )
    secrets.store(secrets.google_tokens_name(linked.id), tokens.grant_to_json(expired))
    assert arun(service.account(linked.id)).state is AccountState.EXPIRED
    fresh = arun(service.fresh_grant(linked.id))
    assert fresh.access_token != expired.access_token
    assert arun(service.account(linked.id)).state is AccountState.VALID
    assert arun(service.fresh_grant(linked.id)).access_token == fresh.access_token

    report = arun(service.unlink(linked.id))

    assert report.revoked and report.email == "carol@example.test"
    assert arun(service.list_accounts()) == []
    assert secrets.load(secrets.google_tokens_name(linked.id)) is None
    config = service.client_config()
    assert config is not None
    with pytest.raises(tokens.TokenRefreshFailed) as refused:
        arun(tokens.refresh(fresh, config, oidc_provider.client_secret))
    assert refused.value.relink_needed


def test_missing_access_is_named_then_added_to_the_same_account(
    sqlite_database: Database,
    tmp_path: Path,
    oidc_provider: OidcPeer,
    arun: Runner,
) -> None:
    browsers: list[HeadlessBrowser] = []

    def sign_in_as_dave(url: str) -> bool:
        browsers.append(HeadlessBrowser(login="dave"))
        return browsers[-1].open(url)

    service, _ = make_service(
        sqlite_database, tmp_path, oidc_provider, arun, sign_in_as_dave
    )
    linked = arun(service.new_link().run())
    assert linked.access == []
    gmail = service.needed_scopes("gmailOAuth2")
    assert gmail - oidc_scopes(oidc_provider) == set(), "provider must know them"

    # The scopes are checked before the server is used: no server is needed here.
    no_server: Any = None
    with pytest.raises(MissingAccess, match="not granted access to Gmail") as missing:
        arun(
            service.credential_for_install(
                no_server, "server-id", "Server", linked.id, "gmailOAuth2"
            )
        )
    assert missing.value.missing == gmail

    added = arun(service.new_link(missing.value.missing, account=linked).run())

    assert added.id == linked.id
    assert added.access == ["Gmail"]
    login_hint = parse_qs(urlsplit(browsers[-1].opened_urls[0]).query)["login_hint"]
    assert login_hint == ["dave@example.test"]


def oidc_scopes(provider: OidcPeer) -> set[str]:
    metadata = requests.get(
        f"{provider.issuer}/.well-known/openid-configuration", timeout=10
    ).json()
    return set(metadata["scopes_supported"])


def forged_state(url: str) -> bool:
    redirect_uri = parse_qs(urlsplit(url).query)["redirect_uri"][0]
    requests.get(redirect_uri, params={"code": "x", "state": "forged"}, timeout=10)
    return True


def bogus_code_first(url: str) -> bool:
    """Answer first with a bogus code and the right state, then as the real browser.

    The listener takes only the first answer: the browser is told so (409).
    """
    query = parse_qs(urlsplit(url).query)
    redirect_uri, state = query["redirect_uri"][0], query["state"][0]
    requests.get(redirect_uri, params={"code": "bogus", "state": state}, timeout=10)
    browser = HeadlessBrowser()
    browser.open(url)
    arrival = browser.wait()
    assert (arrival.status, "already been answered" in arrival.text) == (409, True)
    return True


def never_opens(url: str) -> bool:
    return True


def declines(url: str) -> bool:
    return HeadlessBrowser(grant=False).open(url)


def signs_in(url: str) -> bool:
    return HeadlessBrowser().open(url)


@pytest.mark.parametrize(
    ("opener", "message"),
    [
        (forged_state, "wrong state"),
        (bogus_code_first, "refused the authorization code"),
        (declines, "Access was not granted"),
        (never_opens, "did not come back in time"),
        (signs_in, "invalid_grant"),
    ],
    ids=["wrong-state", "second-callback", "denied", "timeout", "code-replayed"],
)
def test_a_refused_link_stores_nothing(
    opener: loopback.Opener,
    message: str,
    sqlite_database: Database,
    tmp_path: Path,
    oidc_provider: OidcPeer,
    arun: Runner,
    memory_keychain: secrets.MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if opener is signs_in:
        # The exchange redeems the code twice, as a replay by someone else would.
        redeem = loopback.LoopbackAuthorization._redeem

        def redeem_twice(self: Any, flow: Any, code: str) -> tokens.TokenGrant:
            redeem(self, flow, code)
            return redeem(self, flow, code)

        monkeypatch.setattr(loopback.LoopbackAuthorization, "_redeem", redeem_twice)
    service, user = make_service(
        sqlite_database, tmp_path, oidc_provider, arun, opener, link_timeout=0.5
    )
    attempt = service.new_link(SHEETS)

    with pytest.raises(ServiceError, match=message):
        arun(attempt.run())

    assert arun(GoogleAuthRepository(sqlite_database).list_for_user(user.id)) == []
    assert keychain_names(memory_keychain) == [
        secrets.google_client_secret_name(oidc_provider.client_id)
    ]
    assert attempt.authorization_url is not None
    redirect_uri = parse_qs(urlsplit(attempt.authorization_url).query)["redirect_uri"]
    with pytest.raises(requests.ConnectionError):
        requests.get(redirect_uri[0], timeout=5)


def test_cancel_before_and_during_the_sign_in(
    sqlite_database: Database, tmp_path: Path, oidc_provider: OidcPeer, arun: Runner
) -> None:
    service, user = make_service(
        sqlite_database, tmp_path, oidc_provider, arun, never_opens
    )
    early = service.new_link()
    early.cancel()
    with pytest.raises(ServiceError, match="cancelled"):
        arun(early.run())

    loop = asyncio.get_event_loop()

    def cancel_from_the_loop(url: str) -> bool:
        loop.call_soon_threadsafe(waiting.cancel)
        return True

    waiting = service.new_link()
    service.opener = cancel_from_the_loop
    with pytest.raises(ServiceError, match="cancelled"):
        arun(waiting.run())
    assert arun(GoogleAuthRepository(sqlite_database).list_for_user(user.id)) == []


def test_access_labels_name_products() -> None:
    assert access_labels(
        scopes.IDENTITY_SCOPES
        | scopes.scopes_for(["gmailOAuth2", "googleCalendarOAuth2Api"])
    ) == ["Calendar", "Gmail"]
