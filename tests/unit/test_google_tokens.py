"""Token grants: expiry, the keychain form, n8n's form, and revocation refusals."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx

from mantra_desktop.google import tokens
from mantra_desktop.google.client import OAuthClientConfig

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
CONFIG = OAuthClientConfig(
    client_id="desktop-app",
    auth_uri="https://accounts.example.com/auth",
    token_uri="https://accounts.example.com/token",
    issuer="https://accounts.example.com",
    revoke_uri="https://accounts.example.com/revoke",
)


def response_grant(**changes: Any) -> tokens.TokenGrant:
    answer = {
        "access_token": "ya29.access",
        "refresh_token": "1//refresh",
        "expires_in": 3599,
        "token_type": "Bearer",
        "scope": "openid https://www.googleapis.com/auth/drive.file",
        "id_token": "header.claims.signature",
        **changes,
    }
    return tokens.grant_from_token_response(answer, ["openid"], received_at=NOW)


def test_a_token_response_becomes_a_grant_that_hides_its_tokens() -> None:
    grant = response_grant()

    assert grant.expiry == NOW + timedelta(seconds=3599)
    assert grant.scopes == {"openid", "https://www.googleapis.com/auth/drive.file"}
    for secret in ("ya29.access", "1//refresh", "header.claims"):
        assert secret not in repr(grant)
    assert response_grant(scope=None).scopes == {"openid"}
    assert response_grant(scope=["openid", "email"]).scopes == {
        "openid",
        "https://www.googleapis.com/auth/userinfo.email",
    }


def test_expiry_counts_a_margin_before_the_end() -> None:
    grant = response_grant()

    assert not grant.is_expired(NOW)
    assert not grant.is_expired(NOW + timedelta(seconds=3500))
    assert grant.is_expired(NOW + timedelta(seconds=3560))
    assert not response_grant(expires_in=None).is_expired(NOW + timedelta(days=999))


def test_the_keychain_form_round_trips_without_the_id_token() -> None:
    grant = response_grant()
    stored = tokens.grant_to_json(grant)

    assert "header.claims" not in stored
    restored = tokens.grant_from_json(stored)
    assert restored.access_token == grant.access_token
    assert restored.refresh_token == grant.refresh_token
    assert restored.expiry == grant.expiry
    assert restored.scopes == grant.scopes
    assert restored.id_token is None

    for damaged in ("", "{}", json.dumps({**json.loads(stored), "expiry": "soon"})):
        with pytest.raises(tokens.StoredTokensInvalid, match="link it again"):
            tokens.grant_from_json(damaged)


def test_n8n_gets_the_oauth_token_data_shape() -> None:
    grant = response_grant()

    assert tokens.n8n_token_data(grant, now=NOW + timedelta(seconds=599)) == {
        "access_token": "ya29.access",
        "refresh_token": "1//refresh",
        "token_type": "Bearer",
        "expires_in": 3000,
        "scope": "https://www.googleapis.com/auth/drive.file openid",
    }
    assert tokens.n8n_token_data(grant, now=NOW + timedelta(days=1))["expires_in"] == 0


@respx.mock
def test_revocation_accepts_a_token_already_gone_and_reports_refusals(
    arun: Callable[..., Any],
) -> None:
    # Google answers 400 invalid_token for a token it no longer knows; the local
    # provider answers 200 (RFC 7009), so this path needs a stand-in.
    route = respx.post(CONFIG.revoke_uri)
    route.mock(return_value=httpx.Response(400, json={"error": "invalid_token"}))
    arun(tokens.revoke(response_grant(), CONFIG, "client-secret"))
    assert route.calls.last.request.content == (
        b"token=1%2F%2Frefresh&token_type_hint=refresh_token"
    )

    route.mock(return_value=httpx.Response(503, text="unavailable"))
    with pytest.raises(tokens.TokenRevokeFailed, match="HTTP 503"):
        arun(tokens.revoke(response_grant(), CONFIG, "client-secret"))

    route.mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(tokens.TokenRevokeFailed, match="Could not reach"):
        arun(tokens.revoke(response_grant(), CONFIG, "client-secret"))


def test_refresh_without_a_refresh_token_asks_to_link_again(
    arun: Callable[..., Any],
) -> None:
    with pytest.raises(tokens.TokenRefreshFailed, match="link it again") as info:
        arun(tokens.refresh(response_grant(refresh_token=None), CONFIG, "secret"))
    assert info.value.relink_needed
