"""A linked account's tokens: keep them fresh, revoke, store and hand them to n8n.

A :class:`TokenGrant` is what the provider's token endpoint answered. It is stored in
the keychain as one JSON string (:func:`grant_to_json`, :func:`grant_from_json`) and
handed to n8n as the ``oauthTokenData`` of a credential (:func:`n8n_token_data`).
Tokens never appear in ``repr()`` or in log messages.

Refresh and revoke talk only to the endpoints of the configured client.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import google.auth.exceptions
import google.auth.transport.requests
import httpx
import requests
from google.oauth2.credentials import Credentials

from mantra_desktop.google.client import OAuthClientConfig
from mantra_desktop.google.scopes import normalize, scope_string

logger = logging.getLogger(__name__)

EXPIRY_MARGIN = timedelta(seconds=60)
"""A token this close to its expiry is refreshed before use."""

_HTTP_TIMEOUT_SECONDS = 30.0


class TokenError(Exception):
    """A token operation failed; the message is for the user."""


class TokenRefreshFailed(TokenError):
    """The provider refused to refresh, or could not be reached.

    ``relink_needed`` is True when the authorization is gone for good (revoked,
    expired or replayed: ``invalid_grant``) and the account must be linked again.
    """

    def __init__(self, message: str, *, relink_needed: bool) -> None:
        super().__init__(message)
        self.relink_needed = relink_needed


class TokenRevokeFailed(TokenError):
    """The provider did not confirm the revocation."""


class StoredTokensInvalid(TokenError):
    """The keychain entry of an account's tokens cannot be read."""


@dataclass(frozen=True)
class TokenGrant:
    """Tokens issued for one account, with their expiry and granted scopes.

    ``expiry`` is timezone-aware UTC, or None when the provider gave no lifetime.
    ``id_token`` is present only right after an authorization or a refresh; it is
    not stored.
    """

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expiry: datetime | None
    scopes: frozenset[str]
    token_type: str = "Bearer"
    id_token: str | None = field(default=None, repr=False)

    def is_expired(self, now: datetime | None = None) -> bool:
        """Whether the access token is expired or expires within EXPIRY_MARGIN."""
        if self.expiry is None:
            return False
        moment = now or datetime.now(UTC)
        return moment >= self.expiry - EXPIRY_MARGIN


def grant_from_token_response(
    response: Mapping[str, Any],
    requested_scopes: Iterable[str],
    received_at: datetime | None = None,
) -> TokenGrant:
    """Build a grant from a token endpoint's JSON answer.

    When the answer carries no ``scope``, the requested scopes were granted (RFC 6749
    section 5.1). ``scope`` may be a string or a list (oauthlib turns it into one).
    """
    moment = received_at or datetime.now(UTC)
    expiry = None
    if response.get("expires_in") is not None:
        expiry = moment + timedelta(seconds=int(response["expires_in"]))
    granted = response.get("scope")
    if granted is None:
        scopes = normalize(requested_scopes)
    elif isinstance(granted, str):
        scopes = normalize([granted])
    else:
        scopes = normalize(granted)
    return TokenGrant(
        access_token=str(response["access_token"]),
        refresh_token=response.get("refresh_token"),
        expiry=expiry,
        scopes=frozenset(scopes),
        token_type=str(response.get("token_type") or "Bearer"),
        id_token=response.get("id_token"),
    )


async def ensure_fresh(
    grant: TokenGrant, config: OAuthClientConfig, client_secret: str
) -> TokenGrant:
    """Return ``grant`` if it is still valid, otherwise a refreshed one.

    The caller must store a returned grant that differs from the one it passed.

    Raises:
        TokenRefreshFailed: see :func:`refresh`.
    """
    if not grant.is_expired():
        return grant
    return await refresh(grant, config, client_secret)


async def refresh(
    grant: TokenGrant, config: OAuthClientConfig, client_secret: str
) -> TokenGrant:
    """Ask the provider for a new access token with the grant's refresh token.

    The request runs in a worker thread; the event loop is not blocked. The refresh
    token is kept unless the provider sends a new one.

    Raises:
        TokenRefreshFailed: no refresh token, the provider refused (``relink_needed``
            is True for ``invalid_grant``), or it could not be reached.
    """
    if not grant.refresh_token:
        raise TokenRefreshFailed(
            "This account has no refresh token: link it again", relink_needed=True
        )

    credentials = Credentials(
        token=grant.access_token,
        refresh_token=grant.refresh_token,
        token_uri=config.token_uri,
        client_id=config.client_id,
        client_secret=client_secret,
    )
    await asyncio.to_thread(_refresh_blocking, credentials)

    expiry = credentials.expiry
    refreshed = replace(
        grant,
        access_token=str(credentials.token),
        refresh_token=credentials.refresh_token or grant.refresh_token,
        expiry=expiry.replace(tzinfo=UTC) if expiry is not None else None,
        id_token=credentials.id_token,
    )
    logger.info("Refreshed the access token of OAuth client %s", config.client_id)
    return refreshed


async def revoke(
    grant: TokenGrant, config: OAuthClientConfig, client_secret: str
) -> None:
    """Revoke the grant at the provider, so that its tokens stop working.

    The refresh token is revoked (which ends the whole grant at Google and at RFC
    7009 providers); without one, the access token. A token the provider no longer
    knows counts as revoked.

    Raises:
        TokenRevokeFailed: no revocation endpoint, the provider refused, or it could
            not be reached.
    """
    if not config.revoke_uri:
        raise TokenRevokeFailed("The provider offers no way to revoke tokens")

    token_hint = "refresh_token" if grant.refresh_token else "access_token"
    form = {
        "token": grant.refresh_token or grant.access_token,
        "token_type_hint": token_hint,
    }
    if config.revocation_client_auth:
        form |= {"client_id": config.client_id, "client_secret": client_secret}
    try:
        async with httpx.AsyncClient(timeout=_HTTP_TIMEOUT_SECONDS) as http:
            response = await http.post(config.revoke_uri, data=form)
    except httpx.HTTPError as error:
        raise TokenRevokeFailed(
            f"Could not reach the provider to revoke access: {type(error).__name__}"
        ) from error

    if response.status_code == 200:
        logger.info("Revoked the grant of OAuth client %s", config.client_id)
        return
    error_code = _error_code(response)
    if response.status_code == 400 and error_code == "invalid_token":
        logger.info("The grant of OAuth client %s was already gone", config.client_id)
        return
    raise TokenRevokeFailed(
        f"The provider refused to revoke access (HTTP {response.status_code}"
        + (f", {error_code}" if error_code else "")
        + ")"
    )


def grant_to_json(grant: TokenGrant) -> str:
    """Return the JSON string stored in the keychain for ``grant``."""
    return json.dumps(
        {
            "access_token": grant.access_token,
            "refresh_token": grant.refresh_token,
            "expiry": grant.expiry.isoformat() if grant.expiry else None,
            "token_type": grant.token_type,
            "scopes": sorted(grant.scopes),
        }
    )


def grant_from_json(text: str) -> TokenGrant:
    """Read a grant back from its keychain JSON string.

    Raises:
        StoredTokensInvalid: the string is not a stored grant.
    """
    try:
        stored = json.loads(text)
        expiry = stored["expiry"]
        return TokenGrant(
            access_token=str(stored["access_token"]),
            refresh_token=stored["refresh_token"],
            expiry=datetime.fromisoformat(expiry) if expiry else None,
            scopes=frozenset(stored["scopes"]),
            token_type=str(stored["token_type"]),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise StoredTokensInvalid(
            "The stored tokens of this account are damaged: link it again"
        ) from error


def n8n_token_data(grant: TokenGrant, now: datetime | None = None) -> dict[str, Any]:
    """Return the grant as the ``oauthTokenData`` of an n8n OAuth2 credential.

    ``expires_in`` counts from ``now``; n8n refreshes the token itself with the
    refresh token once it has expired.
    """
    token_data: dict[str, Any] = {
        "access_token": grant.access_token,
        "token_type": grant.token_type,
        "scope": scope_string(grant.scopes),
    }
    if grant.refresh_token:
        token_data["refresh_token"] = grant.refresh_token
    if grant.expiry is not None:
        moment = now or datetime.now(UTC)
        token_data["expires_in"] = max(0, int((grant.expiry - moment).total_seconds()))
    return token_data


def _refresh_blocking(credentials: Credentials) -> None:
    with requests.Session() as session:
        try:
            credentials.refresh(google.auth.transport.requests.Request(session))
        except google.auth.exceptions.RefreshError as error:
            details = error.args[1] if len(error.args) > 1 else None
            code = details.get("error") if isinstance(details, dict) else None
            if code == "invalid_grant":
                raise TokenRefreshFailed(
                    "The provider no longer accepts this account's authorization "
                    "(invalid_grant): link the account again",
                    relink_needed=True,
                ) from error
            raise TokenRefreshFailed(
                f"The provider refused to refresh the access token ({code or error})",
                relink_needed=False,
            ) from error
        except google.auth.exceptions.TransportError as error:
            raise TokenRefreshFailed(
                "Could not reach the provider to refresh the access token",
                relink_needed=False,
            ) from error


def _error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("error") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None
