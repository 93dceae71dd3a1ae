"""Who a linked account is: subject, email and name from the ID token.

The ID token is read without checking its signature. It comes straight from the
token endpoint of the configured client, over TLS (or over loopback for a provider on
this machine), in answer to a request the app made with its own code verifier; OpenID
Connect Core 1.0, section 3.1.3.7, lets a client rely on that channel instead of the
signature. The claims that tie the token to this client are still checked: the
issuer, the audience and the expiry. This avoids fetching the provider's keys at every
link, which would add a request and a failure mode for no gain.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from google.auth import jwt

from mantra_desktop.google.client import GOOGLE_ISSUER, OAuthClientConfig

logger = logging.getLogger(__name__)

_CLOCK_SKEW_SECONDS = 300
_GOOGLE_ISSUERS = frozenset({GOOGLE_ISSUER, "accounts.google.com"})


class IdentityError(Exception):
    """The ID token is missing or does not belong to this client; for the user."""


@dataclass(frozen=True)
class AccountIdentity:
    """The account an authorization was granted by.

    ``subject`` is the provider's stable id for the account (Google's ``sub``): use it,
    not the email, to recognise an account linked a second time.
    """

    subject: str
    email: str
    name: str | None
    email_verified: bool


def identity_from_id_token(
    id_token: str | None, config: OAuthClientConfig, now: float | None = None
) -> AccountIdentity:
    """Read the account's identity from an ID token issued to ``config``'s client.

    Raises:
        IdentityError: no ID token (``openid`` was not granted), a token that cannot be
            decoded, another issuer or audience, an expired token, or no email
            (the email scope was not granted).
    """
    if not id_token:
        raise IdentityError(
            "The provider sent no ID token: the openid scope was not granted"
        )
    try:
        claims: dict[str, Any] = jwt.decode(id_token, verify=False)
    except ValueError as error:
        raise IdentityError("The provider's ID token cannot be read") from error

    expected_issuers = _GOOGLE_ISSUERS if config.is_google else {config.issuer}
    if claims.get("iss") not in expected_issuers:
        raise IdentityError(
            f"The ID token was issued by {claims.get('iss')!r}, not by {config.issuer}"
        )
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if config.client_id not in audiences:
        raise IdentityError("The ID token was issued to another OAuth client")
    moment = time.time() if now is None else now
    if not isinstance(claims.get("exp"), int | float) or (
        claims["exp"] + _CLOCK_SKEW_SECONDS < moment
    ):
        raise IdentityError("The ID token has expired; check the computer's clock")

    subject = claims.get("sub")
    email = claims.get("email")
    if not isinstance(subject, str) or not subject:
        raise IdentityError("The ID token names no account (no subject)")
    if not isinstance(email, str) or not email:
        raise IdentityError(
            "The provider did not share the account's email address: the email "
            "scope was not granted"
        )
    name = claims.get("name")
    identity = AccountIdentity(
        subject=subject,
        email=email,
        name=name if isinstance(name, str) and name else None,
        email_verified=claims.get("email_verified") is True,
    )
    logger.debug("Read the identity of account %s", identity.email)
    return identity
