"""The user's own Google OAuth client: the "Desktop app" client file and its endpoints.

Google Cloud gives a Desktop app client as a JSON file of the form
``{"installed": {"client_id", "client_secret", "auth_uri", "token_uri", ...}}``.
:func:`parse_client_file` reads it into an :class:`OAuthClientConfig` and the client
secret, kept apart so that the caller can put the secret in the keychain.

:func:`discover` completes the endpoints. For Google itself the well-known endpoints
are used without a network call; for any other issuer (the local OpenID provider the
tests run) they are read from its ``/.well-known/openid-configuration``. Plain http
is accepted only for a provider on this machine.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

logger = logging.getLogger(__name__)

GOOGLE_ISSUER = "https://accounts.google.com"
GOOGLE_REVOKE_URI = "https://oauth2.googleapis.com/revoke"
GOOGLE_USERINFO_URI = "https://openidconnect.googleapis.com/v1/userinfo"
_GOOGLE_AUTH_HOST = "accounts.google.com"
_REQUIRED_FIELDS = ("client_id", "client_secret", "auth_uri", "token_uri")
_DISCOVERY_TIMEOUT_SECONDS = 10.0


class ClientFileError(ValueError):
    """The client file cannot be used; the message says why, for the user."""


class DiscoveryError(RuntimeError):
    """The provider's discovery document could not be read or is unusable."""


@dataclass(frozen=True)
class OAuthClientConfig:
    """The non-secret part of an OAuth client and the endpoints it talks to.

    ``issuer`` is the value expected in the ID token's ``iss`` claim. The optional
    endpoints are filled by :func:`discover`; ``revocation_client_auth`` says whether
    the revocation endpoint wants the client id and secret with the token (RFC 7009
    providers do, Google does not).
    """

    client_id: str
    auth_uri: str
    token_uri: str
    issuer: str
    revoke_uri: str | None = None
    userinfo_uri: str | None = None
    revocation_client_auth: bool = False

    @property
    def is_google(self) -> bool:
        """Whether this client talks to Google itself."""
        return self.issuer == GOOGLE_ISSUER


def parse_client_file(text: str) -> tuple[OAuthClientConfig, str]:
    """Parse a Google "Desktop app" client file; return its config and its secret.

    Raises:
        ClientFileError: not JSON, a Web application client, a missing field (named
            in the message), or an endpoint that is neither https nor on this machine.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ClientFileError(
            f"The client file is not JSON (line {error.lineno}, column {error.colno})"
        ) from None
    if not isinstance(document, dict):
        raise ClientFileError("The client file is not a Google OAuth client file")
    if "installed" not in document:
        if "web" in document:
            raise ClientFileError(
                "This is a Web application client; create a Desktop app client"
            )
        raise ClientFileError(
            'The client file has no "installed" section: download the JSON of a '
            "Desktop app client from Google Cloud"
        )

    section = document["installed"]
    if not isinstance(section, dict):
        raise ClientFileError('The "installed" section of the client file is not valid')
    missing = [
        field
        for field in _REQUIRED_FIELDS
        if not isinstance(section.get(field), str) or not section[field].strip()
    ]
    if missing:
        raise ClientFileError(
            "The client file lacks "
            + ", ".join(missing)
            + ' in its "installed" section'
        )

    auth_uri = section["auth_uri"].strip()
    token_uri = section["token_uri"].strip()
    for uri in (auth_uri, token_uri):
        if not _is_allowed_endpoint(uri):
            raise ClientFileError(_endpoint_message(uri))
    config = OAuthClientConfig(
        client_id=section["client_id"].strip(),
        auth_uri=auth_uri,
        token_uri=token_uri,
        issuer=_issuer_of(auth_uri),
    )
    logger.debug("Parsed the OAuth client %s for %s", config.client_id, config.issuer)
    return config, section["client_secret"].strip()


async def discover(config: OAuthClientConfig) -> OAuthClientConfig:
    """Return ``config`` with its revocation and userinfo endpoints filled in.

    Google's endpoints are known and need no request. Any other issuer must publish
    ``/.well-known/openid-configuration``.

    Raises:
        DiscoveryError: the document cannot be fetched, is not JSON, or names a
            different issuer.
    """
    if config.is_google:
        return dataclasses.replace(
            config, revoke_uri=GOOGLE_REVOKE_URI, userinfo_uri=GOOGLE_USERINFO_URI
        )

    url = config.issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        async with httpx.AsyncClient(timeout=_DISCOVERY_TIMEOUT_SECONDS) as http:
            response = await http.get(url)
        response.raise_for_status()
        metadata: Any = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise DiscoveryError(
            f"Could not read the provider's discovery document at {url}: {error}"
        ) from error
    if not isinstance(metadata, dict) or metadata.get("issuer") != config.issuer:
        raise DiscoveryError(
            f"The discovery document at {url} does not describe {config.issuer}"
        )

    revoke_uri = metadata.get("revocation_endpoint")
    userinfo_uri = metadata.get("userinfo_endpoint")
    for uri in (revoke_uri, userinfo_uri):
        if uri is not None and not _is_allowed_endpoint(uri):
            raise DiscoveryError(_endpoint_message(uri))
    auth_methods = metadata.get(
        "revocation_endpoint_auth_methods_supported", ["client_secret_basic"]
    )
    logger.debug("Read the discovery document of %s", config.issuer)
    return dataclasses.replace(
        config,
        revoke_uri=revoke_uri,
        userinfo_uri=userinfo_uri,
        revocation_client_auth="none" not in auth_methods,
    )


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` points at this machine (127.0.0.0/8, ::1 or localhost)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _issuer_of(auth_uri: str) -> str:
    parts = urlsplit(auth_uri)
    if parts.hostname == _GOOGLE_AUTH_HOST:
        return GOOGLE_ISSUER
    return f"{parts.scheme}://{parts.netloc}"


def _is_allowed_endpoint(uri: str) -> bool:
    parts = urlsplit(uri)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and is_loopback_url(uri)


def _endpoint_message(uri: str) -> str:
    return f"The endpoint {uri} must use https (plain http only on this machine)"
