"""Linking an account against a real OpenID provider on loopback, through a browser.

The provider (``tests.peers.oidc``) is configured like Google for a Desktop app
client; a headless browser signs in and consents on its pages. Every refusal must end
with its own error, a closed listener and no tokens.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import psutil
import pytest
import requests

from mantra_desktop import secrets
from mantra_desktop.google import client, identity, loopback, scopes, tokens
from mantra_desktop.google.client import OAuthClientConfig
from mantra_desktop.google.tokens import TokenGrant
from tests.peers.browser import HeadlessBrowser
from tests.peers.oidc import OidcPeer

pytestmark = pytest.mark.oidc

Runner = Callable[..., Any]
WANTED_SCOPES = scopes.IDENTITY_SCOPES | scopes.scopes_for(["googleSheetsOAuth2Api"])


@pytest.fixture
def desktop_client(
    oidc_provider: OidcPeer, arun: Runner
) -> tuple[OAuthClientConfig, str]:
    """The provider's desktop client, read from its client file and discovered."""
    config, secret = client.parse_client_file(json.dumps(oidc_provider.client_file()))
    return arun(client.discover(config)), secret


def new_authorization(
    desktop_client: tuple[OAuthClientConfig, str],
    opener: loopback.Opener,
    **options: Any,
) -> loopback.LoopbackAuthorization:
    config, secret = desktop_client
    return loopback.LoopbackAuthorization(
        config, secret, WANTED_SCOPES, opener=opener, **options
    )


def assert_listener_closed(redirect_uri: str | None) -> None:
    assert redirect_uri is not None
    parts = urlsplit(redirect_uri)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((parts.hostname, parts.port), timeout=5).close()


def test_link_gives_tokens_identity_and_scopes_on_a_loopback_only_listener(
    desktop_client: tuple[OAuthClientConfig, str],
    arun: Runner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    config, secret = desktop_client
    browser = HeadlessBrowser(login="alice")
    listeners: list[list[str]] = []

    def inspect_then_open(url: str) -> bool:
        assert attempt.redirect_uri is not None
        port = urlsplit(attempt.redirect_uri).port
        listeners.append(
            [
                connection.laddr.ip
                for connection in psutil.Process(os.getpid()).net_connections("inet")
                if connection.status == psutil.CONN_LISTEN
                and connection.laddr.port == port
            ]
        )
        return browser.open(url)

    attempt = new_authorization(desktop_client, inspect_then_open)

    grant = arun(attempt.authorize())
    arrival = browser.wait()

    assert listeners == [["127.0.0.1"]]
    assert arrival.status == 200
    assert "You can close this tab and return to Mantra Desktop" in arrival.text
    assert grant.refresh_token and grant.access_token
    assert grant.expiry is not None and grant.expiry > datetime.now(UTC)
    assert grant.scopes == WANTED_SCOPES
    assert scopes.missing_scopes(grant.scopes, WANTED_SCOPES) == set()
    assert identity.identity_from_id_token(grant.id_token, config) == (
        identity.AccountIdentity(
            subject="alice",
            email="alice@example.test",
            name="Alice",
            email_verified=True,
        )
    )

    # The authorization URL carried PKCE S256, the offline request and a state.
    query = urlsplit(browser.opened_urls[0]).query
    for parameter in ("code_challenge_method=S256", "access_type=offline", "state="):
        assert parameter in query

    # A second callback finds nobody listening.
    with pytest.raises(requests.ConnectionError):
        requests.get(arrival.url, timeout=5)
    assert_listener_closed(attempt.redirect_uri)

    # What the keychain keeps comes back whole.
    name = secrets.google_tokens_name("account-1")
    secrets.store(name, tokens.grant_to_json(grant))
    stored = secrets.load(name)
    assert stored is not None
    assert tokens.grant_from_json(stored) == dataclasses.replace(grant, id_token=None)

    for secret_text in (grant.access_token, grant.refresh_token, secret):
        assert secret_text not in caplog.text


def link(desktop_client: tuple[OAuthClientConfig, str], arun: Runner) -> TokenGrant:
    browser = HeadlessBrowser(login="bob")
    grant: TokenGrant = arun(
        new_authorization(desktop_client, browser.open).authorize()
    )
    browser.wait()
    return grant


def test_refresh_then_revoke_ends_the_grant(
    desktop_client: tuple[OAuthClientConfig, str],
    arun: Runner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    config, secret = desktop_client
    grant = link(desktop_client, arun)

    assert arun(tokens.ensure_fresh(grant, config, secret)) is grant
    expired = dataclasses.replace(
        grant, expiry=datetime.now(UTC) - timedelta(minutes=1)
    )
    refreshed = arun(tokens.ensure_fresh(expired, config, secret))

    assert refreshed.access_token != grant.access_token
    assert refreshed.refresh_token == grant.refresh_token
    assert refreshed.expiry is not None and not refreshed.is_expired()
    assert refreshed.scopes == grant.scopes
    assert identity.identity_from_id_token(refreshed.id_token, config).subject == "bob"

    arun(tokens.revoke(refreshed, config, secret))
    with pytest.raises(
        tokens.TokenRefreshFailed, match="link the account again"
    ) as info:
        arun(tokens.refresh(refreshed, config, secret))
    assert info.value.relink_needed

    for secret_text in (
        grant.access_token,
        refreshed.access_token,
        grant.refresh_token,
    ):
        assert secret_text not in caplog.text


def test_declined_consent_ends_with_a_refusal(
    desktop_client: tuple[OAuthClientConfig, str], arun: Runner
) -> None:
    browser = HeadlessBrowser(grant=False)
    attempt = new_authorization(desktop_client, browser.open)

    with pytest.raises(loopback.AuthorizationDenied, match="Access was not granted"):
        arun(attempt.authorize())

    arrival = browser.wait()
    assert arrival.status == 400
    assert "Access was not granted" in arrival.text
    assert_listener_closed(attempt.redirect_uri)


def test_a_callback_with_a_forged_state_is_refused(
    desktop_client: tuple[OAuthClientConfig, str], arun: Runner
) -> None:
    answers: list[requests.Response] = []

    def forge_callback(url: str) -> bool:
        assert attempt.redirect_uri is not None
        answers.append(
            requests.get(
                attempt.redirect_uri,
                params={"code": "stolen", "state": "forged"},
                timeout=10,
            )
        )
        return True

    attempt = new_authorization(desktop_client, forge_callback)

    with pytest.raises(loopback.StateMismatch, match="wrong state"):
        arun(attempt.authorize())

    assert [answer.status_code for answer in answers] == [400]
    assert_listener_closed(attempt.redirect_uri)


def test_timeout_and_cancel_close_the_listener(
    desktop_client: tuple[OAuthClientConfig, str], arun: Runner
) -> None:
    def never_opens(url: str) -> bool:
        return True

    waiting = new_authorization(desktop_client, never_opens, timeout=0.2)
    with pytest.raises(loopback.AuthorizationTimedOut, match="did not come back"):
        arun(waiting.authorize())
    assert_listener_closed(waiting.redirect_uri)

    loop = asyncio.get_event_loop()

    def cancel_from_the_loop(url: str) -> bool:
        loop.call_soon_threadsafe(cancelled.cancel)
        return True

    cancelled = new_authorization(desktop_client, cancel_from_the_loop)
    with pytest.raises(loopback.AuthorizationCancelled, match="cancelled"):
        arun(cancelled.authorize())
    assert_listener_closed(cancelled.redirect_uri)


class CodeReplayingAuthorization(loopback.LoopbackAuthorization):
    """Redeems the code once on the side, so that the real exchange is a replay."""

    def _redeem(self, flow: Any, code: str) -> TokenGrant:
        super()._redeem(flow, code)
        return super()._redeem(flow, code)


def test_a_code_that_was_already_used_is_refused(
    desktop_client: tuple[OAuthClientConfig, str], arun: Runner
) -> None:
    config, secret = desktop_client
    browser = HeadlessBrowser()
    attempt = CodeReplayingAuthorization(
        config, secret, WANTED_SCOPES, opener=browser.open
    )

    with pytest.raises(loopback.TokenExchangeFailed, match="invalid_grant"):
        arun(attempt.authorize())
    assert browser.wait().status == 200
    assert_listener_closed(attempt.redirect_uri)
